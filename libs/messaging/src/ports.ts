/**
 * The messaging port: what the outbox relay and the inbox consumer need from a broker.
 * The kafkajs adapter (./kafka) is the only implementation; nothing else imports kafkajs.
 */
export type MessageHeaders = Record<string, string>;

export interface OutgoingRecord {
  topic: string;
  /** Partition key: the aggregate id, so one aggregate's events stay in order. */
  key: string;
  value: string;
  headers: MessageHeaders;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: MessageHeaders;
}

export interface MessagePublisher {
  /** Resolves once the broker acknowledged every record (acks=all); order is kept per key. */
  publish(records: OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface BatchContext {
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the batch is stale after a rebalance. */
  isActive(): boolean;
}

/**
 * Receives batches of one partition in order. The handler's returned offset is committed
 * (as "next to read") only after the handler resolved, i.e. after its database commit.
 * Returning null commits nothing for that batch.
 */
export type BatchHandler = (records: IncomingRecord[], context: BatchContext) => Promise<string | null>;

export interface SubscriptionOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Test seam for fault injection: runs after the handler and before the offset commit. */
  beforeOffsetCommit?: () => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
  /** Resolves when the consumer has joined its group and received its assignment. */
  ready: Promise<void>;
}

export interface MessageBus {
  publisher(): Promise<MessagePublisher>;
  subscribe(options: SubscriptionOptions, handler: BatchHandler): Promise<Subscription>;
  /** Cheap liveness probe for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
