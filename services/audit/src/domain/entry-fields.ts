import { normalizeDepartmentCode } from '@cnfs/territory';

/**
 * The columns of an audit entry that are derived from its event (for queries and scope). They are
 * not hashed themselves: the verification derives them again from the hashed event text and
 * reports any row whose columns say something else (e.g. a rewritten actor or département).
 */
export interface EntryFields {
  messageId: string;
  type: string;
  version: number;
  /** ISO 8601 as carried by the envelope. */
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  aggregateType: string;
  aggregateId: string;
  actorKind: 'user' | 'system';
  /** The user's subject, or the job's name for `system`. */
  actorName: string;
  /** The user's role; null for `system`. */
  actorRole: string | null;
  reason: string | null;
  /** Départements the event is about (sorted, normalised): what a préfecture may see. */
  departments: string[];
}

export class NotAnEnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAnEnvelopeError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '') throw new NotAnEnvelopeError(`envelope field ${field} is not a non-empty string`);
  return value;
}

function departmentOf(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const code = normalizeDepartmentCode(value);
  return code === '' ? undefined : code;
}

/**
 * The départements an event is about: its payload's `departmentCode` and `structure.departmentCode`
 * when present (known and future event types alike: the rule reads the fields, not the type).
 */
export function departmentsOf(payload: unknown): string[] {
  if (!isRecord(payload)) return [];
  const found = new Set<string>();
  const direct = departmentOf(payload.departmentCode);
  if (direct) found.add(direct);
  if (isRecord(payload.structure)) {
    const nested = departmentOf(payload.structure.departmentCode);
    if (nested) found.add(nested);
  }
  return [...found].sort();
}

/** Derives the columns of an entry from a decoded envelope (already validated by the platform's envelope schema). */
export function entryFieldsOf(event: unknown): EntryFields {
  if (!isRecord(event)) throw new NotAnEnvelopeError('an event envelope must be a JSON object');
  const actor = event.actor;
  if (!isRecord(actor)) throw new NotAnEnvelopeError('envelope without actor');
  let actorKind: 'user' | 'system';
  let actorName: string;
  let actorRole: string | null;
  if (actor.kind === 'user') {
    actorKind = 'user';
    actorName = text(actor, 'subject');
    actorRole = text(actor, 'role');
  } else if (actor.kind === 'system') {
    actorKind = 'system';
    actorName = text(actor, 'job');
    actorRole = null;
  } else {
    throw new NotAnEnvelopeError('actor.kind must be "user" or "system"');
  }
  const version = event.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new NotAnEnvelopeError('envelope field version is not an integer');
  const causationId = event.causationId;
  const reason = event.reason;
  return {
    messageId: text(event, 'messageId'),
    type: text(event, 'type'),
    version,
    occurredAt: text(event, 'occurredAt'),
    correlationId: text(event, 'correlationId'),
    causationId: typeof causationId === 'string' ? causationId : null,
    aggregateType: text(event, 'aggregateType'),
    aggregateId: text(event, 'aggregateId'),
    actorKind,
    actorName,
    actorRole,
    reason: typeof reason === 'string' ? reason : null,
    departments: departmentsOf(event.payload),
  };
}

/** Names of the fields on which two derivations differ (empty when they agree). */
export function differingFields(stored: EntryFields, derived: EntryFields): (keyof EntryFields)[] {
  const differs: (keyof EntryFields)[] = [];
  for (const key of Object.keys(derived) as (keyof EntryFields)[]) {
    const a = stored[key];
    const b = derived[key];
    if (key === 'occurredAt') {
      if (Date.parse(a as string) !== Date.parse(b as string)) differs.push(key);
    } else if (key === 'messageId') {
      if (String(a).toLowerCase() !== String(b).toLowerCase()) differs.push(key);
    } else if (Array.isArray(a) || Array.isArray(b)) {
      if (JSON.stringify(a) !== JSON.stringify(b)) differs.push(key);
    } else if (a !== b) {
      differs.push(key);
    }
  }
  return differs;
}
