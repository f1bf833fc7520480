import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('does not depend on the key order or whitespace a message travelled with', () => {
    const a = JSON.parse('{"payload": {"departmentCode": "59", "name": "Lille"}, "type": "t"}');
    const b = JSON.parse('{"type":"t","payload":{"name":"Lille","departmentCode":"59"}}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('sorts keys by UTF-16 code units and escapes strings as JSON does (RFC 8785 rules)', () => {
    expect(canonicalJson({ é: 1, z: 2, A: 3, '\u20ac': 4 })).toBe('{"A":3,"z":2,"é":1,"€":4}');
    expect(canonicalJson('ligne\n"citée"\u0001')).toBe('"ligne\\n\\"citée\\"\\u0001"');
    expect(canonicalJson([1e21, 0.1, -0, 5_000_000])).toBe('[1e+21,0.1,0,5000000]');
  });

  it('drops undefined members like JSON, and refuses values JSON cannot carry', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });

  it('round-trips any JSON value and is stable once canonical (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
