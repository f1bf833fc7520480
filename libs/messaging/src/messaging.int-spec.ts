import { EventEnvelope, StructureRegisteredV1 } from '@cnfs/contracts';
import { createTestTopic, testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import {
  DLQ_HEADER,
  HEADER,
  InboxConsumer,
  IncomingRecord,
  KafkaBus,
  MessagePublisher,
  MessagingTables1764000000000,
  openServiceDataSource,
  Outbox,
  OutboxRelay,
  Subscription,
} from './index';

/** A test migration: the effect table the handlers write to. */
class EffectsTable1764000000001 {
  name = 'EffectsTable1764000000001';
  async up(q: { query(sql: string): Promise<unknown> }) {
    await q.query(`CREATE TABLE effects (message_id uuid NOT NULL, structure_id text NOT NULL)`);
  }
  async down(q: { query(sql: string): Promise<unknown> }) {
    await q.query(`DROP TABLE effects`);
  }
}

const actor = { kind: 'user' as const, subject: 'agent-1', role: 'anct' as const };
let counter = 0;
function registered(name = 'Commune test'): EventEnvelope {
  counter += 1;
  const id = `s-${counter}`;
  return StructureRegisteredV1.create(id, {
    structureId: id, siret: '21590350100017', siren: '215903501', name, legalStatus: 'PUBLIC', type: 'COMMUNE',
    departmentCode: '59', qpv: false, zrr: false, requestedPosts: 1,
  }, { actor, occurredAt: new Date('2021-01-01T00:00:00Z') });
}

async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a topic with a throw-away group, collecting every record. */
async function collect(bus: KafkaBus, topic: string): Promise<{ records: IncomingRecord[]; subscription: Subscription }> {
  const records: IncomingRecord[] = [];
  const subscription = await bus.subscribe({ groupId: uniqueName('reader'), topics: [topic], fromBeginning: true }, async (batch) => {
    records.push(...batch);
    return batch[batch.length - 1].offset;
  });
  return { records, subscription };
}

describe('messaging against the real broker and database', () => {
  let dataSource: DataSource;
  let bus: KafkaBus;
  let publisher: MessagePublisher;
  const outbox = new Outbox();
  const effectsOf = async (messageId: string) =>
    (await dataSource.query(`SELECT count(*)::int AS n FROM effects WHERE message_id = $1`, [messageId]))[0].n as number;

  const handlers = {
    'structures.StructureRegistered': async (envelope: EventEnvelope, { manager }: { manager: import('typeorm').EntityManager }) => {
      const payload = envelope.payload as { structureId: string; name: string };
      if (payload.name === 'poison') throw new Error('this message always fails');
      await manager.query(`INSERT INTO effects (message_id, structure_id) VALUES ($1, $2)`, [envelope.messageId, payload.structureId]);
    },
  };

  beforeAll(async () => {
    dataSource = await openServiceDataSource({
      url: testDatabaseUrl(),
      schema: uniqueName('messaging').replace(/-/g, '_'),
      migrations: [MessagingTables1764000000000, EffectsTable1764000000001],
    });
    bus = new KafkaBus({ clientId: 'messaging-test', brokers: testBrokers() });
    publisher = await bus.publisher();
  });

  afterAll(async () => {
    await bus.close();
    await dataSource.destroy();
  });

  it('never publishes an event written in a rolled-back transaction, and publishes a committed one', async () => {
    const topic = await createTestTopic(uniqueName('outbox'), 3);
    const rolledBack = registered();
    const committed = registered();
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.add(manager, { topic, envelope: rolledBack });
        throw new Error('business rule broken after the event was written');
      }),
    ).rejects.toThrow('business rule broken');
    await dataSource.transaction((manager) => outbox.add(manager, { topic, envelope: committed }));

    const relay = new OutboxRelay(dataSource, publisher);
    relay.start();
    const { records, subscription } = await collect(bus, topic);
    try {
      const record = await eventually(() => records.find((r) => r.headers[HEADER.messageId] === committed.messageId));
      expect(JSON.parse(record.value!.toString())).toEqual(committed);
      expect(record.key).toBe(committed.aggregateId);
      expect(record.headers[HEADER.correlationId]).toBe(committed.correlationId);
      // Give a rolled-back row every chance to show up: another event published after it proves the relay went on.
      const later = registered();
      await dataSource.transaction((manager) => outbox.add(manager, { topic, envelope: later }));
      await eventually(() => records.find((r) => r.headers[HEADER.messageId] === later.messageId));
      expect(records.map((r) => r.headers[HEADER.messageId])).not.toContain(rolledBack.messageId);
      expect(await dataSource.transaction((m) => outbox.pendingCount(m))).toBe(0);
    } finally {
      await relay.stop();
      await subscription.stop();
    }
  });

  it('wakes an idle relay when a transaction of its process commits, and finds rows written elsewhere by its idle check', async () => {
    const topic = await createTestTopic(uniqueName('outbox-wake'), 1);
    const published = async (envelope: EventEnvelope) =>
      (await dataSource.query(`SELECT published_at FROM outbox WHERE message_id = $1`, [envelope.messageId]))[0]?.published_at ? true : undefined;
    // an idle check every ten minutes: within the test, only the commit can wake this relay
    const sleepy = new OutboxRelay(dataSource, publisher, { idleDelayMs: 600_000 });
    sleepy.start();
    try {
      await new Promise((r) => setTimeout(r, 300)); // it found the outbox empty and sleeps
      const announced = registered();
      await dataSource.transaction((manager) => outbox.add(manager, { topic, envelope: announced }));
      await eventually(() => published(announced), 10_000);
    } finally {
      await sleepy.stop();
    }
    expect(dataSource.subscribers).toHaveLength(0); // the relay's commit watcher left with it

    // another process (a second pool on the same schema) writes a row: nobody announces it here
    const elsewhere = await openServiceDataSource({ url: testDatabaseUrl(), schema: dataSource.options.schema as string, migrations: [] });
    const relay = new OutboxRelay(dataSource, publisher, { idleDelayMs: 200 });
    try {
      relay.start();
      await new Promise((r) => setTimeout(r, 300));
      const unannounced = registered();
      await elsewhere.transaction((manager) => outbox.add(manager, { topic, envelope: unannounced }));
      await eventually(() => published(unannounced), 10_000);
    } finally {
      await relay.stop();
      await elsewhere.destroy();
    }
  });

  it('publishes each aggregate’s events in their order with two relays (replicas) at work on one outbox', async () => {
    const topic = await createTestTopic(uniqueName('outbox-order'), 3);
    const replica = await openServiceDataSource({ url: testDatabaseUrl(), schema: dataSource.options.schema as string, migrations: [] });
    const relays = [new OutboxRelay(dataSource, publisher, { batchSize: 7, idleDelayMs: 20 }), new OutboxRelay(replica, publisher, { batchSize: 7, idleDelayMs: 20 })];
    const { records, subscription } = await collect(bus, topic);
    const aggregates = Array.from({ length: 5 }, (_, i) => `order-${i}-${counter++}`);
    const perAggregate = 30;
    const nth = (aggregateId: string, n: number) =>
      StructureRegisteredV1.create(aggregateId, {
        structureId: aggregateId, siret: '21590350100017', siren: '215903501', name: `event ${n}`, legalStatus: 'PUBLIC', type: 'COMMUNE',
        departmentCode: '59', qpv: false, zrr: false, requestedPosts: 1,
      }, { actor, occurredAt: new Date('2021-01-01T00:00:00Z') });
    try {
      for (const relay of relays) relay.start();
      // each aggregate written by its own writer, one transaction per event, the writers (and the relays) racing
      await Promise.all(aggregates.map(async (aggregateId, w) => {
        for (let n = 0; n < perAggregate; n++) {
          const source = w % 2 === 0 ? dataSource : replica;
          await source.transaction((manager) => outbox.add(manager, { topic, envelope: nth(aggregateId, n) }));
        }
      }));
      await eventually(() => new Set(records.map((r) => r.headers[HEADER.messageId])).size === aggregates.length * perAggregate || undefined, 30_000);
      for (const aggregateId of aggregates) {
        const seen = new Set<string>();
        const order = records
          .filter((r) => r.key === aggregateId && !seen.has(r.headers[HEADER.messageId]) && seen.add(r.headers[HEADER.messageId]))
          .map((r) => Number(JSON.parse(r.value!.toString()).payload.name.split(' ')[1]));
        expect(order).toEqual(Array.from({ length: perAggregate }, (_, n) => n));
      }
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await subscription.stop();
      await replica.destroy();
    }
  });

  it('refuses an outbox write outside a transaction', async () => {
    await expect(outbox.add(dataSource.manager, { topic: 'any', envelope: registered() })).rejects.toThrow(/inside a database transaction/);
  });

  it('has one effect for a message delivered twice, and one after a restart between DB commit and offset commit', async () => {
    const topic = await createTestTopic(uniqueName('inbox'), 1);
    await createTestTopic(`${topic}.dlq`, 1);
    const name = uniqueName('consumer');
    const twice = registered();
    // The same message twice on the wire, as a producer retry or a relay crash after publishing would do.
    for (const envelope of [twice, twice]) {
      await publisher.publish([{ topic, key: envelope.aggregateId, value: JSON.stringify(envelope), headers: {} }]);
    }
    let crashes = 0;
    const first = new InboxConsumer({
      name, topics: [topic], handlers, dataSource, bus, dlqPublisher: publisher,
      // The process "dies" after the database commit and before the offset commit.
      beforeOffsetCommit: async () => {
        crashes += 1;
        throw new Error('simulated crash before offset commit');
      },
    });
    await first.start();
    await eventually(() => crashes > 0);
    await first.stop();
    expect(await effectsOf(twice.messageId)).toBe(1);

    // A new instance of the same consumer gets the uncommitted messages again.
    const second = new InboxConsumer({ name, topics: [topic], handlers, dataSource, bus, dlqPublisher: publisher });
    await second.start();
    try {
      const next = registered();
      await publisher.publish([{ topic, key: next.aggregateId, value: JSON.stringify(next), headers: {} }]);
      await eventually(async () => (await effectsOf(next.messageId)) === 1);
      expect(second.stats.duplicates).toBeGreaterThanOrEqual(2); // both copies of `twice` came back and were recognised
      expect(await effectsOf(twice.messageId)).toBe(1);
      const [inbox] = await dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE consumer = $1`, [name]);
      expect(inbox.n).toBe(2);
    } finally {
      await second.stop();
    }
  });

  it('dead-letters a poison message after its retry budget while the next message of the partition is processed', async () => {
    const topic = await createTestTopic(uniqueName('poison'), 1);
    const dlq = await createTestTopic(`${topic}.dlq`, 1);
    const poison = registered('poison');
    const good = registered('after the poison');
    const garbage = '{"not": "an envelope"';
    await publisher.publish([
      { topic, key: poison.aggregateId, value: JSON.stringify(poison), headers: {} },
      { topic, key: 'garbage', value: garbage, headers: {} },
      { topic, key: good.aggregateId, value: JSON.stringify(good), headers: {} },
    ]);
    const consumer = new InboxConsumer({
      name: uniqueName('consumer'), topics: [topic], handlers, dataSource, bus, dlqPublisher: publisher, maxAttempts: 3, retryDelayMs: 20,
    });
    const { records: dead, subscription } = await collect(bus, dlq);
    await consumer.start();
    try {
      await eventually(async () => (await effectsOf(good.messageId)) === 1);
      await eventually(() => dead.length >= 2);
      const [poisoned, invalid] = dead;
      expect(JSON.parse(poisoned.value!.toString()).messageId).toBe(poison.messageId);
      expect(poisoned.headers[DLQ_HEADER.reason]).toBe('retries-exhausted');
      expect(poisoned.headers[DLQ_HEADER.attempts]).toBe('3');
      expect(poisoned.headers[DLQ_HEADER.error]).toContain('this message always fails');
      expect(poisoned.headers[DLQ_HEADER.originalTopic]).toBe(topic);
      expect(invalid.value!.toString()).toBe(garbage);
      expect(invalid.headers[DLQ_HEADER.reason]).toBe('invalid-message');
      expect(await effectsOf(poison.messageId)).toBe(0);
      expect(consumer.stats.deadLettered).toBe(2);
    } finally {
      await consumer.stop();
      await subscription.stop();
    }
  });
});
