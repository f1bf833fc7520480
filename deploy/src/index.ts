export { ensurePostgres, ensureDatabase, redact } from './stack/postgres';
export type { PostgresOptions, PostgresHandle } from './stack/postgres';
export { ensureKafka, createTopics, isKafkaBroker, KAFKA_VERSION } from './stack/kafka';
export type { KafkaOptions, KafkaHandle } from './stack/kafka';
export { isPortFree, isPortAnswering } from './stack/ports';
export { repoRoot, dataPath } from './stack/paths';
export { StackError } from './stack/log';
export type { Log } from './stack/log';
export { PLATFORM_PORTS, TEST_PORTS } from './config';
