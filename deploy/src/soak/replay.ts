import { randomUUID } from 'node:crypto';
import { IHeaders, Kafka, logLevel, Partitioners } from 'kafkajs';
import { dlqTopicOf, TOPICS } from '@cnfs/contracts';

const EVENT_TOPICS = Object.values(TOPICS) as string[];

function kafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: `soak-${randomUUID().slice(0, 8)}`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 300 } });
}

interface RawMessage {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Reads the event topics from the beginning up to their current end (or until `stop` says so), with a
 * consumer group of its own that nobody else uses.
 */
async function readAll(brokers: string[], topics: string[], stop: (collected: RawMessage[]) => boolean = () => false, timeoutMs = 60_000): Promise<RawMessage[]> {
  const client = kafka(brokers);
  const admin = client.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const collected: RawMessage[] = [];
  if (ends.size === 0) return collected;
  const consumer = client.consumer({ groupId: `soak-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const remaining = new Set(ends.keys());
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const key = `${batch.topic}/${batch.partition}`;
      const end = ends.get(key);
      for (const m of batch.messages) {
        if (end === undefined || BigInt(m.offset) >= end) continue;
        collected.push({ topic: batch.topic, partition: batch.partition, key: m.key, value: m.value, headers: m.headers ?? {} });
      }
      if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(key);
      if (remaining.size === 0 || stop(collected)) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return collected;
}

/**
 * Re-publishes `count` messages already published on the platform's event topics (same key, value and
 * headers, so the same message id): every consumer receives them a second time and must ignore them.
 */
export async function replayMessages(brokers: string[], count: number, seed: number): Promise<{ count: number; topics: string[] }> {
  const messages = await readAll(brokers, EVENT_TOPICS);
  if (messages.length === 0) return { count: 0, topics: [] };
  // A deterministic spread over everything published so far.
  const chosen: RawMessage[] = [];
  const stride = Math.max(1, Math.floor(messages.length / count));
  for (let i = (seed * 7919) % stride; i < messages.length && chosen.length < count; i += stride) chosen.push(messages[i]);
  const producer = kafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const byTopic = new Map<string, RawMessage[]>();
    for (const m of chosen) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: m.partition })) })),
    });
    return { count: chosen.length, topics: [...byTopic.keys()] };
  } finally {
    await producer.disconnect();
  }
}

/** Messages in the dead-letter topics (a dead-lettered message is an effect lost). */
export async function deadLetters(brokers: string[]): Promise<Record<string, number>> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const out: Record<string, number> = {};
    for (const topic of EVENT_TOPICS.map(dlqTopicOf)) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out[topic] = offsets.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Distinct message ids on the event topics, and the copies (re-published or re-sent ones). */
export async function publishedMessages(brokers: string[]): Promise<{ records: number; distinct: number }> {
  const messages = await readAll(brokers, EVENT_TOPICS);
  const ids = new Set<string>();
  for (const m of messages) {
    const header = m.headers['x-message-id'];
    const id = header ? header.toString() : (JSON.parse(m.value?.toString('utf8') ?? '{}').messageId as string);
    ids.add(id);
  }
  return { records: messages.length, distinct: ids.size };
}

/**
 * Messages published but not yet consumed by the platform's consumer groups (their committed offsets against
 * the topics' ends), and the groups behind. The soak's own readers (`soak-…`) are left out.
 */
export async function consumerLag(brokers: string[]): Promise<{ lag: number; behind: string[] }> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const ends = new Map<string, Map<number, bigint>>();
    for (const topic of EVENT_TOPICS) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)])));
    const { groups } = await admin.listGroups();
    let lag = 0n;
    const behind: string[] = [];
    for (const { groupId } of groups.filter((g) => !g.groupId.startsWith('soak-'))) {
      let groupLag = 0n;
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        const high = ends.get(topic);
        if (!high) continue;
        for (const p of partitions) {
          const end = high.get(p.partition) ?? 0n;
          const committed = BigInt(p.offset) < 0n ? 0n : BigInt(p.offset);
          if (end > committed) groupLag += end - committed;
        }
      }
      if (groupLag > 0n) behind.push(`${groupId} (${groupLag})`);
      lag += groupLag;
    }
    return { lag: Number(lag), behind };
  } finally {
    await admin.disconnect();
  }
}
