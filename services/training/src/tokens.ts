/** Options of the training module (tests give each run its own consumer group). */
export interface TrainingOptions {
  /** Inbox key and Kafka consumer group of the contract-events consumer. */
  contractsConsumerName: string;
}

export const TRAINING_OPTIONS = Symbol('TRAINING_OPTIONS');

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = { contractsConsumerName: 'training.contracts' };
