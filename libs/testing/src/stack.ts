import * as path from 'node:path';
/* eslint-disable @nx/enforce-module-boundaries --
 * Relative imports on purpose: jest loads globalSetup/globalTeardown with plain Node resolution (no moduleNameMapper),
 * so `@cnfs/deploy` would load deploy/dist — missing or stale when the sources changed since the last build.
 * These paths load the TypeScript sources through ts-jest instead. */
import { ensureKafka, KafkaHandle } from '../../../deploy/src/stack/kafka';
import { ensurePostgres, PostgresHandle } from '../../../deploy/src/stack/postgres';
import { dataPath } from '../../../deploy/src/stack/paths';
import { TEST_PORTS } from '../../../deploy/src/config';
import { allPlatformTopics } from '../../contracts/src/topics';

/** Database of the integration tests (each test suite works in its own schema, see uniqueName). */
export const TEST_DATABASE = 'cnfs_test';

export interface TestStack {
  postgres: PostgresHandle;
  kafka: KafkaHandle;
}

/** Where the global setup keeps the handles for the global teardown (same process). */
export const TEST_STACK_KEY = '__CNFS_TEST_STACK__';

/**
 * Finds or starts the test infrastructure, distinct from a running platform:
 * - PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else database `cnfs_test` on the local (or embedded) server;
 * - Kafka: TEST_KAFKA_BROKERS, else KAFKA_BROKERS, else a real broker on 127.0.0.1:29092 (controller 29093),
 *   data in `.data/kafka-test`.
 */
export async function startTestStack(log: (message: string) => void): Promise<TestStack> {
  const postgres = await ensurePostgres({
    dataDir: dataPath('postgres'),
    database: TEST_DATABASE,
    databaseUrl: process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || null,
    log: (m) => log(`postgres: ${m}`),
  });
  try {
    const kafka = await ensureKafka({
      dataDir: path.join(dataPath('kafka-test')),
      port: TEST_PORTS.kafka,
      controllerPort: TEST_PORTS.kafkaController,
      topics: allPlatformTopics(),
      brokers: process.env.TEST_KAFKA_BROKERS || process.env.KAFKA_BROKERS || null,
      log: (m) => log(`kafka: ${m}`),
    });
    return { postgres, kafka };
  } catch (error) {
    await postgres.stop().catch(() => undefined);
    throw error;
  }
}
