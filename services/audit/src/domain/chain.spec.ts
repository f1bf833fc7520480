import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { buildTrail, ChainWalker, entryHash, GENESIS_HASH, linkEntry, rootHash, sha256Hex, StreamId } from './chain';

const event = (n: number, aggregateId = 's-1') =>
  canonicalJson({ messageId: `m-${n}`, type: 'structures.StructureRegistered', aggregateId, actor: { kind: 'user', subject: 'agent-1', role: 'anct' }, payload: { n } });

describe('entry hash', () => {
  it('is SHA-256 over the canonical serialisation of the event and both previous hashes', () => {
    const text = event(1);
    const prevA = sha256Hex('a');
    const prevS = sha256Hex('s');
    expect(entryHash(text, prevA, prevS)).toBe(
      sha256Hex(canonicalJson({ event: JSON.parse(text), prevAggregateHash: prevA, prevStreamHash: prevS, v: 1 })),
    );
  });

  it('changes with the event, with either previous hash, and refuses malformed previous hashes', () => {
    const base = entryHash(event(1), GENESIS_HASH, GENESIS_HASH);
    expect(entryHash(event(2), GENESIS_HASH, GENESIS_HASH)).not.toBe(base);
    expect(entryHash(event(1), sha256Hex('x'), GENESIS_HASH)).not.toBe(base);
    expect(entryHash(event(1), GENESIS_HASH, sha256Hex('x'))).not.toBe(base);
    expect(() => entryHash(event(1), 'abc', GENESIS_HASH)).toThrow();
  });

  it('links an entry after the heads of its chains', () => {
    const first = linkEntry(event(1), undefined, undefined);
    expect(first).toMatchObject({ streamSeq: 1, aggregateSeq: 1, prevStreamHash: GENESIS_HASH, prevAggregateHash: GENESIS_HASH });
    const second = linkEntry(event(2), { seq: 1, hash: first.hash }, undefined);
    expect(second).toMatchObject({ streamSeq: 2, aggregateSeq: 1, prevStreamHash: first.hash, prevAggregateHash: GENESIS_HASH });
  });
});

describe('chain walker', () => {
  const chain = (key: string, count: number) => {
    const rows: { chainKey: string; seq: number; prevHash: string; hash: string }[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= count; seq++) {
      const hash = entryHash(event(seq, key), GENESIS_HASH, prev);
      rows.push({ chainKey: key, seq, prevHash: prev, hash });
      prev = hash;
    }
    return rows;
  };

  it('accepts intact chains and counts them', () => {
    const walker = new ChainWalker();
    for (const row of [...chain('a', 3), ...chain('b', 2)]) expect(walker.step(row)).toEqual([]);
    expect(walker.chains).toBe(2);
  });

  it('reports a deleted entry at the next one (gap and previous hash), and only there', () => {
    const rows = chain('a', 4);
    const walker = new ChainWalker();
    const found = rows.filter((_, i) => i !== 1).map((row) => walker.step(row));
    expect(found[0]).toEqual([]);
    expect(found[1].map((p) => p.problem)).toEqual(['sequence-gap', 'previous-hash-mismatch']);
    expect(found[2]).toEqual([]);
  });

  it('reports an entry whose hash was recomputed after an edit at the next link', () => {
    const rows = chain('a', 3);
    rows[1] = { ...rows[1], hash: sha256Hex('rewritten') };
    const walker = new ChainWalker();
    expect(rows.map((row) => walker.step(row).map((p) => p.problem))).toEqual([[], [], ['previous-hash-mismatch']]);
  });
});

describe('determinism under replay (reference model)', () => {
  const streams: StreamId[] = [
    { topic: 'structures.structure.events', partition: 0 },
    { topic: 'structures.structure.events', partition: 1 },
    { topic: 'conventions.contract.events', partition: 0 },
  ];
  /** Each stream's messages in log order; an aggregate lives in one stream (keyed by aggregate id). */
  const logs = fc
    .array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 }), { minLength: streams.length, maxLength: streams.length })
    .map((perStream) =>
      perStream.map((aggregates, s) =>
        aggregates.map((a, i) => ({
          stream: streams[s],
          messageId: `m-${s}-${i}`,
          aggregateType: 'Structure',
          aggregateId: `agg-${s}-${a}`,
          eventText: canonicalJson({ messageId: `m-${s}-${i}`, aggregateId: `agg-${s}-${a}`, payload: { s, i } }),
        })),
      ),
    );
  type Delivery = Parameters<typeof buildTrail>[0][number];

  /** Interleaves the streams as `choices` say, keeping each stream's order; may redeliver a prefix (restart before the offset commit). */
  function deliver(perStream: Delivery[][], choices: number[], redeliver: number[]): Delivery[] {
    const cursors = perStream.map(() => 0);
    const out: Delivery[] = [];
    let c = 0;
    while (cursors.some((cursor, s) => cursor < perStream[s].length)) {
      const open = perStream.map((_, s) => s).filter((s) => cursors[s] < perStream[s].length);
      const s = open[(choices[c++ % Math.max(choices.length, 1)] ?? 0) % open.length];
      const back = Math.min(redeliver[c % Math.max(redeliver.length, 1)] ?? 0, cursors[s]);
      out.push(...perStream[s].slice(cursors[s] - back, cursors[s])); // at-least-once: the same messages again
      out.push(perStream[s][cursors[s]]);
      cursors[s] += 1;
    }
    return out;
  }

  it('rebuilds identical hashes from any interleaving of the streams and any redelivery (property)', () => {
    fc.assert(
      fc.property(
        logs,
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat({ max: 3 }), { maxLength: 10 }),
        (perStream, live, replay, redeliver) => {
          const first = buildTrail(deliver(perStream, live, redeliver));
          const second = buildTrail(deliver(perStream, replay, []));
          expect([...second.entries()].sort()).toEqual([...first.entries()].sort());
          const heads = (trail: typeof first) =>
            streams.flatMap((stream, s) => {
              const last = perStream[s][perStream[s].length - 1];
              if (!last) return [];
              const entry = trail.get(last.messageId)!;
              return [{ ...stream, seq: entry.streamSeq, hash: entry.hash }];
            });
          expect(rootHash(heads(second))).toBe(rootHash(heads(first)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is not what a single chain in arrival order would give (why the links follow streams)', () => {
    const a = { stream: streams[0], messageId: 'a', aggregateType: 'Structure', aggregateId: 'x', eventText: '{"n":1}' };
    const b = { stream: streams[1], messageId: 'b', aggregateType: 'Structure', aggregateId: 'y', eventText: '{"n":2}' };
    const arrivalChain = (order: (typeof a)[]) => order.reduce((prev, d) => entryHash(d.eventText, GENESIS_HASH, prev), GENESIS_HASH);
    expect(arrivalChain([a, b])).not.toBe(arrivalChain([b, a]));
    expect([...buildTrail([a, b]).entries()].sort()).toEqual([...buildTrail([b, a]).entries()].sort());
  });

  it('summarises a trail by a root independent of the order heads are listed in', () => {
    const heads = [
      { topic: 'b', partition: 0, seq: 2, hash: sha256Hex('1') },
      { topic: 'a', partition: 1, seq: 1, hash: sha256Hex('2') },
      { topic: 'a', partition: 0, seq: 5, hash: sha256Hex('3') },
    ];
    expect(rootHash(heads)).toBe(rootHash([...heads].reverse()));
    expect(rootHash(heads)).not.toBe(rootHash([{ ...heads[0], hash: sha256Hex('other') }, heads[1], heads[2]]));
  });
});
