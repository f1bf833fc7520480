import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** Helpers for integration tests; the infrastructure comes from the jest global setup (global-setup.ts). */

function required(name: 'DATABASE_URL' | 'KAFKA_BROKERS'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run integration tests through the jest "integration" project ` +
        '(npm run test:integration), whose global setup starts or finds PostgreSQL and Kafka.',
    );
  }
  return value;
}

/** Connection string of the test database (`cnfs_test` locally). Use a schema of your own: `uniqueName('x')`. */
export function testDatabaseUrl(): string {
  return required('DATABASE_URL');
}

/** Bootstrap servers of the test broker. */
export function testBrokers(): string[] {
  return required('KAFKA_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * A name unique to this call, valid as a PostgreSQL schema, a Kafka topic and a consumer group:
 * lower-case letters, digits and `_` only, at most 50 characters, e.g. `outbox_m3x9k2a1_4f7c2b`.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^([^a-z_])/, '_$1').slice(0, 30) || 'test';
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Creates a topic on the test broker (replication factor 1) and waits for its leaders; returns its name. */
export async function createTestTopic(name: string, partitions = 3): Promise<string> {
  const admin = new Kafka({ clientId: 'cnfs-test-admin', brokers: testBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    return name;
  } finally {
    await admin.disconnect();
  }
}
