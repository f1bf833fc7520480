/**
 * The platform's Kafka topics: `<context>.<aggregate>.events`, keyed by aggregate id.
 * Each has a dead-letter twin `<topic>.dlq` for messages a consumer could not process.
 * The launcher and the test setup create them explicitly (auto-creation is off on the broker).
 */
export const TOPICS = {
  structures: 'structures.structure.events',
  conventions: 'conventions.convention.events',
  contracts: 'conventions.contract.events',
  subsidies: 'subsidies.subsidy.events',
  payments: 'subsidies.payment.events',
  training: 'training.enrolment.events',
  lifecycle: 'lifecycle.contract-lifecycle.events',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;

/** Every topic the platform needs, dead-letter topics included. */
export function allPlatformTopics(): string[] {
  const topics = Object.values(TOPICS) as string[];
  return [...topics, ...topics.map(dlqTopicOf)];
}
