import fc from 'fast-check';
import { hashOf, IndexedReferences, ReferenceIndex } from './reference-index';

/** A list of references held as strings of their own. */
const listOf = (references: string[]): IndexedReferences => ({
  count: references.length,
  hashAt: (position) => hashOf(references[position], 0, references[position].length),
  isAt: (position, reference) => references[position] === reference,
});

/** The same references written end to end in one text, each known by its bounds only (as the awaiting payments are). */
function writtenInOneText(references: string[]): IndexedReferences {
  const text = references.join('');
  const starts: number[] = [];
  for (let at = 0, i = 0; i < references.length; at += references[i].length, i++) starts.push(at);
  const end = (position: number) => starts[position] + references[position].length;
  return {
    count: references.length,
    hashAt: (position) => hashOf(text, starts[position], end(position)),
    isAt: (position, reference) => reference.length === references[position].length && text.startsWith(reference, starts[position]),
  };
}

describe('ReferenceIndex', () => {
  it('finds the position of each reference of a list, and none for any other reference', () => {
    const references = Array.from({ length: 10_000 }, (_, n) => `CNFS-P-B${String(n).padStart(9, '0')}`);
    for (const list of [listOf(references), writtenInOneText(references)]) {
      const index = new ReferenceIndex(list);
      references.forEach((reference, position) => expect(index.positionOf(reference)).toBe(position));
      for (const other of ['', 'CNFS-P-B', 'CNFS-P-B000010000', 'CNFS-P-B00000000', 'CNFS-P-B0000000000', 'cnfs-p-b000000001', 'CNFS-P-B000000001 ']) {
        expect(index.positionOf(other)).toBe(-1);
      }
    }
  });

  it('finds nothing in an empty list', () => {
    expect(new ReferenceIndex(listOf([])).positionOf('CNFS-P-1')).toBe(-1);
  });

  it('hashes the same characters the same, alone or inside a longer text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (before, reference, after) => {
        expect(hashOf(before + reference + after, before.length, before.length + reference.length)).toBe(hashOf(reference, 0, reference.length));
      }),
    );
  });

  it('answers as a Map would, for any unique references (non-ASCII too) and any lookups, whether the references are strings or bounds in a text', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 300 }), fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 50 }), (references, others) => {
        const map = new Map(references.map((reference, position) => [reference, position]));
        for (const index of [new ReferenceIndex(listOf(references)), new ReferenceIndex(writtenInOneText(references))]) {
          for (const reference of [...references, ...others]) expect(index.positionOf(reference)).toBe(map.get(reference) ?? -1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
