import { allPlatformTopics } from '@cnfs/contracts';
import { createTopics } from '../stack/kafka';

/**
 * Creates the platform's topics on KAFKA_BROKERS (3 partitions, replication factor 1; existing ones are kept).
 * The launcher does this itself; docker-compose.yml runs it as a one-shot `kafka-topics` service.
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set (e.g. KAFKA_BROKERS=kafka:19092)');
  const partitions = Number(process.env.KAFKA_TOPIC_PARTITIONS ?? 3);
  await createTopics(brokers, allPlatformTopics(), partitions, (m) => console.log(`[kafka-topics] ${m}`));
  console.log(`[kafka-topics] ${allPlatformTopics().length} platform topics present on ${brokers.join(',')}`);
}

main().catch((error) => {
  console.error(`[kafka-topics] ${(error as Error).message}`);
  process.exit(1);
});
