import { EventContext } from '@cnfs/contracts';
import { Decision, DeadlineKind, decide, HistoryEntry, LifecycleMessage, LifecycleState } from '@cnfs/lifecycle-domain';
import { DeadlineRequest, DeadlineStore, Outbox, OutboxMessage } from '@cnfs/messaging';
import { EntityManager } from 'typeorm';
import { eventsOf } from './events';

/** One message for one saga, with the context its events are written in. */
export interface SagaInput {
  contractId: string;
  message: LifecycleMessage;
  /** Events caused by the message; without a correlation id they carry the saga's (that of its ContractSigned). */
  context: EventContext;
}

export interface SagaResult {
  contractId: string;
  decision: Decision;
}

/** Deadline tokens are deterministic: one deadline of each kind per saga, scheduling twice is a no-op. */
export const deadlineToken = (contractId: string, kind: DeadlineKind) => `${contractId}:${kind}`;

/** Two writers changed one saga at once (should not happen under the row lock): the transaction is rolled back and retried. */
export class SagaConcurrencyError extends Error {
  constructor(ids: string[]) {
    super(`sagas changed concurrently: ${ids.join(', ')}`);
    this.name = 'SagaConcurrencyError';
  }
}

interface Loaded {
  /** The state as decided so far in this transaction; `history` holds only the entries added since loading. */
  state: LifecycleState;
  loadedVersion: number;
  historyCount: number;
  correlationId: string | null;
  isNew: boolean;
  dirty: boolean;
}

type DeadlineOp = { op: 'schedule'; request: DeadlineRequest } | { op: 'cancel'; token: string };

/**
 * Runs messages through `decide` and applies each decision in the caller's transaction: the saga
 * rows (locked FOR UPDATE, version-checked), their history, the events of the outputs (outbox), and
 * the deadlines scheduled or cancelled — all or nothing. Several messages are applied with one
 * statement per table (a batch of fired deadlines, a batch of Kafka messages), in their order.
 */
export class SagaEngine {
  constructor(
    private readonly outbox: Outbox,
    private readonly deadlines: DeadlineStore,
    private readonly timeZone: string,
  ) {}

  async apply(manager: EntityManager, inputs: SagaInput[], now: Date): Promise<SagaResult[]> {
    if (inputs.length === 0) return [];
    const sagas = await this.lock(manager, [...new Set(inputs.map((i) => i.contractId))]);
    const events: OutboxMessage[] = [];
    const ops: DeadlineOp[] = [];
    const results: SagaResult[] = [];
    for (const input of inputs) {
      const saga = sagas.get(input.contractId);
      const decision = decide(saga?.state ?? null, input.message);
      results.push({ contractId: input.contractId, decision });
      if (decision.refused || !decision.state || decision.state === saga?.state) continue;
      let current = saga;
      if (!current) {
        current = { state: decision.state, loadedVersion: 0, historyCount: 0, correlationId: input.context.correlationId ?? null, isNew: true, dirty: true };
        sagas.set(input.contractId, current);
      }
      current.state = decision.state;
      current.dirty = true;
      const context = { ...input.context, correlationId: input.context.correlationId ?? current.correlationId ?? undefined };
      events.push(...eventsOf(decision.state, decision.outputs, context, this.timeZone));
      for (const d of decision.schedule) {
        ops.push({ op: 'schedule', request: { token: deadlineToken(input.contractId, d.kind), owner: input.contractId, kind: d.kind, dueAt: d.dueAt } });
      }
      for (const kind of decision.cancel) ops.push({ op: 'cancel', token: deadlineToken(input.contractId, kind) });
    }
    const dirty = [...sagas.values()].filter((s) => s.dirty);
    await this.save(manager, dirty, now);
    for (let i = 0; i < events.length; i += 1000) await this.outbox.add(manager, ...events.slice(i, i + 1000));
    await this.applyDeadlines(manager, ops, now);
    return results;
  }

  private async lock(manager: EntityManager, ids: string[]): Promise<Map<string, Loaded>> {
    const rows: { contract_id: string; state: LifecycleState; version: number; history_count: number; correlation_id: string | null }[] = await manager.query(
      `SELECT contract_id, state, version, history_count, correlation_id FROM sagas WHERE contract_id = ANY($1::text[]) ORDER BY contract_id FOR UPDATE`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.contract_id,
        { state: { ...r.state, history: [] }, loadedVersion: r.version, historyCount: r.history_count, correlationId: r.correlation_id, isNew: false, dirty: false },
      ]),
    );
  }

  private async save(manager: EntityManager, sagas: Loaded[], now: Date): Promise<void> {
    if (sagas.length === 0) return;
    const stored = (s: Loaded) => {
      const { history: _history, ...rest } = s.state;
      return JSON.stringify(rest);
    };
    const created = sagas.filter((s) => s.isNew);
    if (created.length > 0) {
      await manager.query(
        `INSERT INTO sagas (contract_id, state, version, history_count, correlation_id, started_at, updated_at)
         SELECT id, state, 1, history_count, correlation_id, $5, $5 FROM unnest($1::text[], $2::jsonb[], $3::int[], $4::text[]) AS v(id, state, history_count, correlation_id)`,
        [created.map((s) => s.state.contractId), created.map(stored), created.map((s) => s.state.history.length), created.map((s) => s.correlationId), now.toISOString()],
      );
    }
    const changed = sagas.filter((s) => !s.isNew);
    if (changed.length > 0) {
      // (a CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with its rows)
      const [{ n }]: { n: number }[] = await manager.query(
        `WITH updated AS (
           UPDATE sagas s SET state = v.state, version = s.version + 1, history_count = v.history_count, updated_at = $5
             FROM unnest($1::text[], $2::jsonb[], $3::int[], $4::int[]) AS v(id, state, expected, history_count)
            WHERE s.contract_id = v.id AND s.version = v.expected
           RETURNING s.contract_id)
         SELECT count(*)::int AS n FROM updated`,
        [
          changed.map((s) => s.state.contractId), changed.map(stored), changed.map((s) => s.loadedVersion),
          changed.map((s) => s.historyCount + s.state.history.length), now.toISOString(),
        ],
      );
      if (n !== changed.length) throw new SagaConcurrencyError(changed.map((s) => s.state.contractId));
    }
    const history: (HistoryEntry & { contractId: string; seq: number })[] = sagas.flatMap((s) =>
      s.state.history.map((entry, i) => ({ ...entry, contractId: s.state.contractId, seq: s.historyCount + i + 1 })),
    );
    if (history.length > 0) {
      await manager.query(
        `INSERT INTO saga_history (contract_id, seq, at, message, from_status, to_status, detail)
         SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          history.map((h) => h.contractId), history.map((h) => h.seq), history.map((h) => h.at), history.map((h) => h.message),
          history.map((h) => h.from), history.map((h) => h.to), history.map((h) => h.detail ?? null),
        ],
      );
    }
    // What is kept in memory from now on is the saved state (its history is in the table).
    for (const s of sagas) {
      s.historyCount += s.state.history.length;
      s.loadedVersion = s.isNew ? 1 : s.loadedVersion + 1;
      s.state = { ...s.state, history: [] };
      s.isNew = false;
      s.dirty = false;
    }
  }

  /**
   * DeadlineStore.schedule's statement (same table, same `ON CONFLICT (token) DO NOTHING`: scheduling twice is a
   * no-op) for many deadlines at once: a batch of signatures schedules five per contract.
   */
  private async scheduleAll(manager: EntityManager, now: Date, requests: DeadlineRequest[]): Promise<void> {
    if (requests.length <= 1) {
      await this.deadlines.schedule(manager, now, ...requests);
      return;
    }
    await manager.query(
      `INSERT INTO deadlines (token, owner, kind, due_at, payload, scheduled_at)
       SELECT token, owner, kind, due_at, '{}'::jsonb, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS r(token, owner, kind, due_at)
       ORDER BY due_at
       ON CONFLICT (token) DO NOTHING`,
      [requests.map((r) => r.token), requests.map((r) => r.owner), requests.map((r) => r.kind), requests.map((r) => r.dueAt.toISOString()), now.toISOString()],
    );
  }

  /** In the decisions' order: consecutive schedules, and consecutive cancellations, in one statement each. */
  private async applyDeadlines(manager: EntityManager, ops: DeadlineOp[], now: Date): Promise<void> {
    let i = 0;
    while (i < ops.length) {
      const op = ops[i];
      if (op.op === 'schedule') {
        const requests: DeadlineRequest[] = [];
        while (i < ops.length && ops[i].op === 'schedule') requests.push((ops[i++] as Extract<DeadlineOp, { op: 'schedule' }>).request);
        await this.scheduleAll(manager, now, requests);
      } else {
        const tokens: string[] = [];
        while (i < ops.length && ops[i].op === 'cancel') tokens.push((ops[i++] as Extract<DeadlineOp, { op: 'cancel' }>).token);
        await this.deadlines.cancel(manager, now, ...tokens);
      }
    }
  }
}
