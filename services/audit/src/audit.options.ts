import { TOPICS } from '@cnfs/contracts';

/** What a deployment (or a test) may change about the audit service. */
export interface AuditOptions {
  /** Topics recorded; defaults to every platform topic (`Object.values(TOPICS)`). */
  topics?: string[];
  /** Inbox key and Kafka consumer group; a new name replays the topics from the beginning. */
  consumerName?: string;
  /** Attempts to record one message before it is dead-lettered (a database outage never dead-letters). */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Fault-injection seam for tests: runs after the database commit, before the Kafka offset commit. */
  beforeOffsetCommit?: () => Promise<void>;
}

export type ResolvedAuditOptions = Required<Omit<AuditOptions, 'beforeOffsetCommit'>> & Pick<AuditOptions, 'beforeOffsetCommit'>;

export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');
export const DEFAULT_AUDIT_CONSUMER = 'audit.trail';

export function resolveAuditOptions(options: AuditOptions = {}): ResolvedAuditOptions {
  const topics = options.topics ?? (Object.values(TOPICS) as string[]);
  if (topics.length === 0) throw new Error('the audit service needs at least one topic');
  return {
    topics: [...topics],
    consumerName: options.consumerName ?? DEFAULT_AUDIT_CONSUMER,
    maxAttempts: options.maxAttempts ?? 5,
    retryDelayMs: options.retryDelayMs ?? 200,
    beforeOffsetCommit: options.beforeOffsetCommit,
  };
}
