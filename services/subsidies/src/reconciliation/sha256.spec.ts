import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { sha256Hex } from './sha256';

const wholeCopy = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

describe('sha256Hex', () => {
  it('is the SHA-256 of the UTF-8 bytes: known values', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('equals hashing the whole UTF-8 copy, whatever falls on the 65,536-unit piece boundaries (pairs, lone surrogates, accents)', () => {
    const piece = 1 << 16;
    // Texts around one and two piece boundaries, ending with every kind of unit.
    const around = (filler: string, length: number, tail: string) => filler.repeat(Math.ceil(length / filler.length)).slice(0, length) + tail;
    for (const length of [piece - 2, piece - 1, piece, piece + 1, 2 * piece - 1]) {
      for (const tail of ['🏛x', '\ud83c', '\udfdbx', 'é', 'a', '\ud83c\ud83c\udfdb']) {
        for (const filler of ['a', 'é', '🏛']) {
          const text = around(filler, length, tail) + around(filler, piece, tail);
          expect([length, tail, filler, sha256Hex(text)]).toEqual([length, tail, filler, wholeCopy(text)]);
        }
      }
    }
  });

  it('equals hashing the whole UTF-8 copy for random texts of random units', () => {
    const unit = fc.oneof(fc.constantFrom('a', ',', '\n', 'é', '€', '\ud83c', '\udfdb', '🏛'), fc.string({ maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 200 }), fc.integer({ min: 0, max: 3 * (1 << 16) }), (units, padding) => {
        const text = 'x'.repeat(padding) + units.join('');
        return sha256Hex(text) === wholeCopy(text);
      }),
      { numRuns: 150 },
    );
  });
});
