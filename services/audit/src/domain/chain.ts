import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/*
 * The audit hash chain (pure: no framework, no database).
 *
 * Every entry is linked twice, by hash:
 *  - to the previous entry of its STREAM: the Kafka topic-partition it was read from. This is the
 *    entry's place in the global log. Kafka orders a partition totally and keeps that order on
 *    every read, so a replay of the topics from the beginning meets each partition's messages in
 *    the same order and rebuilds the same links, whatever the interleaving of partitions, the
 *    batch sizes or the timing (a single chain in ARRIVAL order across partitions would not
 *    replay: arrival order across partitions is not reproducible).
 *  - to the previous entry of its AGGREGATE within that stream (events are keyed by aggregate id,
 *    so all of an aggregate's events are in one partition, in order).
 * The whole trail is summed up by a root hash over the heads of all streams (sorted by stream),
 * so two trails built from the same topics have the same root.
 *
 * entry hash = SHA-256( canonicalJson({ event, prevAggregateHash, prevStreamHash, v: 1 }) )
 * where `event` is the envelope exactly as it travelled (all its fields, canonicalised).
 * Editing an entry breaks its own hash; editing it and recomputing its hash breaks the link of
 * the next entry of its stream and of its aggregate; deleting one breaks the sequence and links
 * after it.
 */

export const CHAIN_FORMAT_VERSION = 1;
/** The "previous hash" of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Hash of an entry from the canonical text of its event and its two previous hashes. Equal to
 * `sha256Hex(canonicalJson({ event, prevAggregateHash, prevStreamHash, v: 1 }))` when `eventText`
 * is canonical, built without re-serialising the event (the verification hashes the stored text
 * as it is: any change to it shows).
 */
export function entryHash(eventText: string, prevAggregateHash: string, prevStreamHash: string): string {
  if (!HEX_SHA256.test(prevAggregateHash) || !HEX_SHA256.test(prevStreamHash)) throw new Error('previous hashes are 64 hex digits');
  return sha256Hex(
    `{"event":${eventText},"prevAggregateHash":"${prevAggregateHash}","prevStreamHash":"${prevStreamHash}","v":${CHAIN_FORMAT_VERSION}}`,
  );
}

/** The last entry of a chain: its position (1-based) and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Where a new entry goes: its positions, previous hashes and own hash. */
export interface Link {
  streamSeq: number;
  prevStreamHash: string;
  aggregateSeq: number;
  prevAggregateHash: string;
  hash: string;
}

/** Links a new entry after the current heads of its stream and aggregate (undefined: first of its chain). */
export function linkEntry(eventText: string, streamHead: ChainHead | undefined, aggregateHead: ChainHead | undefined): Link {
  const prevStreamHash = streamHead?.hash ?? GENESIS_HASH;
  const prevAggregateHash = aggregateHead?.hash ?? GENESIS_HASH;
  return {
    streamSeq: (streamHead?.seq ?? 0) + 1,
    prevStreamHash,
    aggregateSeq: (aggregateHead?.seq ?? 0) + 1,
    prevAggregateHash,
    hash: entryHash(eventText, prevAggregateHash, prevStreamHash),
  };
}

/** A stream: one Kafka topic-partition. */
export interface StreamId {
  topic: string;
  partition: number;
}

export const streamKey = (stream: StreamId): string => JSON.stringify([stream.topic, stream.partition]);
export const aggregateKey = (stream: StreamId, aggregateType: string, aggregateId: string): string =>
  JSON.stringify([stream.topic, stream.partition, aggregateType, aggregateId]);

/** The root of a trail: one hash over every stream's head, in a fixed order. */
export function rootHash(heads: { topic: string; partition: number; seq: number; hash: string }[]): string {
  const sorted = [...heads].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return sha256Hex(canonicalJson({ v: CHAIN_FORMAT_VERSION, streams: sorted.map((h) => [h.topic, h.partition, h.seq, h.hash]) }));
}

export type LinkProblem =
  | { problem: 'sequence-gap'; expected: number; actual: number }
  | { problem: 'previous-hash-mismatch'; expected: string; actual: string };

/**
 * Checks the links of one kind of chain, fed with its rows sorted by chain then position. After a
 * break it goes on from the row it found, so each later break is reported on its own.
 */
export class ChainWalker {
  private key: string | undefined;
  private seq = 0;
  private hash = GENESIS_HASH;
  private count = 0;

  /** Number of distinct chains seen so far. */
  get chains(): number {
    return this.count;
  }

  step(row: { chainKey: string; seq: number; prevHash: string; hash: string }): LinkProblem[] {
    if (row.chainKey !== this.key) {
      this.key = row.chainKey;
      this.seq = 0;
      this.hash = GENESIS_HASH;
      this.count += 1;
    }
    const problems: LinkProblem[] = [];
    if (row.seq !== this.seq + 1) problems.push({ problem: 'sequence-gap', expected: this.seq + 1, actual: row.seq });
    if (row.prevHash !== this.hash) problems.push({ problem: 'previous-hash-mismatch', expected: this.hash, actual: row.prevHash });
    this.seq = row.seq;
    this.hash = row.hash;
    return problems;
  }
}

/** One recorded entry as the reference model sees it. */
export interface ModelEntry extends Link {
  messageId: string;
}

/**
 * Reference model of the recorder: folds messages, in the order they are delivered, into linked
 * entries; a message id seen before is skipped (the inbox). Used by the tests to show that any
 * delivery that keeps each stream's order gives the same entries.
 */
export function buildTrail(
  deliveries: { stream: StreamId; messageId: string; aggregateType: string; aggregateId: string; eventText: string }[],
): Map<string, ModelEntry> {
  const streams = new Map<string, ChainHead>();
  const aggregates = new Map<string, ChainHead>();
  const entries = new Map<string, ModelEntry>();
  for (const delivery of deliveries) {
    if (entries.has(delivery.messageId)) continue;
    const sKey = streamKey(delivery.stream);
    const aKey = aggregateKey(delivery.stream, delivery.aggregateType, delivery.aggregateId);
    const link = linkEntry(delivery.eventText, streams.get(sKey), aggregates.get(aKey));
    streams.set(sKey, { seq: link.streamSeq, hash: link.hash });
    aggregates.set(aKey, { seq: link.aggregateSeq, hash: link.hash });
    entries.set(delivery.messageId, { messageId: delivery.messageId, ...link });
  }
  return entries;
}
