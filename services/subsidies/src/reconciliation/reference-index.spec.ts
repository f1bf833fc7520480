import fc from 'fast-check';
import { ReferenceIndex } from './reference-index';

describe('ReferenceIndex', () => {
  it('finds each item of a list by its reference, the same object, and nothing for any other reference', () => {
    const items = Array.from({ length: 10_000 }, (_, n) => ({ reference: `CNFS-P-B${String(n).padStart(9, '0')}`, n }));
    const index = new ReferenceIndex(items);
    for (const item of items) expect(index.get(item.reference)).toBe(item);
    for (const other of ['', 'CNFS-P-B', 'CNFS-P-B000010000', 'CNFS-P-B00000000', 'CNFS-P-B0000000000', 'cnfs-p-b000000001', 'CNFS-P-B000000001 ']) {
      expect(index.get(other)).toBeUndefined();
    }
  });

  it('finds nothing in an empty list', () => {
    expect(new ReferenceIndex([]).get('CNFS-P-1')).toBeUndefined();
  });

  it('answers as a Map would, for any unique references (non-ASCII too) and any lookups', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 300 }), fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 50 }), (references, others) => {
        const items = references.map((reference, n) => ({ reference, n }));
        const index = new ReferenceIndex(items);
        const map = new Map(items.map((item) => [item.reference, item]));
        for (const reference of [...references, ...others]) expect(index.get(reference)).toBe(map.get(reference));
      }),
      { numRuns: 300 },
    );
  });
});
