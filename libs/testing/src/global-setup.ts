// eslint-disable-next-line @nx/enforce-module-boundaries -- sources, not dist: see stack.ts
import { StackError } from '../../../deploy/src/stack/log';
import { startTestStack, TEST_STACK_KEY } from './stack';

/**
 * Jest global setup of the `integration` project: finds or starts PostgreSQL and a real Kafka broker
 * (see stack.ts), then exposes them to the tests through DATABASE_URL and KAFKA_BROKERS (workers run in band
 * inherit this process's environment). The handles stay on globalThis for the global teardown.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const log = (message: string) => process.stdout.write(`[test-stack] ${message}\n`);
  process.stdout.write('\n');
  try {
    const stack = await startTestStack(log);
    (globalThis as Record<string, unknown>)[TEST_STACK_KEY] = stack;
    process.env.DATABASE_URL = stack.postgres.url;
    process.env.KAFKA_BROKERS = stack.kafka.brokers.join(',');
    process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
  } catch (error) {
    if (error instanceof StackError) {
      // an actionable message: show it without a stack trace
      process.stderr.write(`\n[test-stack] ${error.message}\n\n`);
    }
    throw error;
  }
}
