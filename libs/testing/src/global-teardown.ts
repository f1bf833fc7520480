import { TestStack, TEST_STACK_KEY } from './stack';

/** Jest global teardown: stops what the global setup started (the broker first, then an embedded PostgreSQL). */
export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as Record<string, unknown>)[TEST_STACK_KEY] as TestStack | undefined;
  if (!stack) return;
  delete (globalThis as Record<string, unknown>)[TEST_STACK_KEY];
  await stack.kafka.stop();
  await stack.postgres.stop();
}
