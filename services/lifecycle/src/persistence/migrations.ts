import { Deadlines1764000000002 } from '@cnfs/messaging';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { LIFECYCLE_STATUSES } from '@cnfs/lifecycle-domain';

/**
 * The lifecycle schema. One row per saga: its whole state (without history) as jsonb, the only copy;
 * the columns lists filter on are generated from it, so they can never drift from the state. A
 * version column (optimistic check) beside the row lock taken by every writer. The history is an
 * append-only table. Deadlines are the messaging library's table (Deadlines1764000000002).
 */
export class LifecycleSchema1764000200000 implements MigrationInterface {
  name = 'LifecycleSchema1764000200000';

  async up(q: QueryRunner): Promise<void> {
    const statuses = LIFECYCLE_STATUSES.map((s) => `'${s}'`).join(', ');
    await q.query(`
      CREATE TABLE sagas (
        contract_id text PRIMARY KEY,
        state jsonb NOT NULL,
        version int NOT NULL CHECK (version >= 1),
        history_count int NOT NULL CHECK (history_count >= 0),
        correlation_id text,
        started_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        status text GENERATED ALWAYS AS (state->>'status') STORED,
        structure_id text GENERATED ALWAYS AS (state->'facts'->>'structureId') STORED,
        convention_id text GENERATED ALWAYS AS (state->'facts'->>'conventionId') STORED,
        department_code text GENERATED ALWAYS AS (state->'facts'->>'departmentCode') STORED,
        contract_type text GENERATED ALWAYS AS (state->'facts'->>'contractType') STORED,
        -- 'YYYY-MM-DD' compares in calendar order
        follow_until text GENERATED ALWAYS AS (state->'facts'->>'followUntil') STORED,
        convention_known boolean GENERATED ALWAYS AS ((state->'facts'->>'conventionKnown')::boolean) STORED,
        request_id text GENERATED ALWAYS AS (state->'renewal'->>'requestId') STORED,
        CONSTRAINT saga_status_known CHECK (status IN (${statuses})),
        CONSTRAINT saga_state_of_its_contract CHECK (state->>'contractId' = contract_id AND structure_id IS NOT NULL AND department_code IS NOT NULL)
      ) WITH (fillfactor = 80)`);
    // No index on the status: a saga's status changes at most a few times, its other updates (reminders,
    // opinions) stay heap-only (HOT, room left by the fill factor) when no indexed column changes.
    await q.query(`CREATE INDEX sagas_by_end ON sagas (follow_until, contract_id)`);
    await q.query(`CREATE INDEX sagas_by_department ON sagas (department_code, follow_until)`);
    await q.query(`CREATE INDEX sagas_by_structure ON sagas (structure_id)`);
    await q.query(`CREATE INDEX sagas_awaiting_convention ON sagas (convention_id) WHERE NOT convention_known`);
    await q.query(`CREATE UNIQUE INDEX sagas_by_request ON sagas (request_id) WHERE request_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE saga_history (
        contract_id text NOT NULL REFERENCES sagas (contract_id),
        seq int NOT NULL CHECK (seq >= 1),
        at timestamptz NOT NULL,
        message text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        detail text,
        PRIMARY KEY (contract_id, seq)
      )`);
    await q.query(`
      CREATE FUNCTION saga_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'saga_history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await q.query(`CREATE TRIGGER saga_history_append_only BEFORE UPDATE OR DELETE ON saga_history FOR EACH ROW EXECUTE FUNCTION saga_history_append_only()`);

    // Read models of other contexts' events.
    await q.query(`
      CREATE TABLE conventions (
        convention_id text PRIMARY KEY,
        structure_id text NOT NULL,
        phase smallint NOT NULL,
        department_code text NOT NULL,
        legal_status text NOT NULL,
        qpv boolean NOT NULL,
        zrr boolean NOT NULL,
        signed_at date NOT NULL,
        start_date date NOT NULL,
        financed_until date NOT NULL,
        end_date date NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE prefect_opinions (
        opinion_id text PRIMARY KEY,
        structure_id text NOT NULL,
        department_code text NOT NULL,
        opinion text NOT NULL CHECK (opinion IN ('favorable', 'defavorable')),
        given_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX prefect_opinions_by_structure ON prefect_opinions (structure_id, given_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE prefect_opinions, conventions, saga_history, sagas`);
    await q.query(`DROP FUNCTION saga_history_append_only()`);
  }
}

/**
 * What the saga knows of each conseiller's training (the training service's events): enrolments with their
 * status, and certifications. Read by conseiller when a renewal is shown or decided.
 */
export class LifecycleTraining1764000200001 implements MigrationInterface {
  name = 'LifecycleTraining1764000200001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE training_enrolments (
        enrolment_id text PRIMARY KEY,
        conseiller_id text NOT NULL,
        contract_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('ONGOING', 'COMPLETED', 'WAIVED', 'ABANDONED')),
        pathway_hours int,
        lot int NOT NULL,
        start_date date NOT NULL,
        end_date date,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX training_enrolments_by_conseiller ON training_enrolments (conseiller_id)`);
    await q.query(`
      CREATE TABLE training_certifications (
        certification_id text PRIMARY KEY,
        conseiller_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('PIX', 'CCP', 'RNCP')),
        obtained_at date NOT NULL,
        below_threshold boolean NOT NULL
      )`);
    await q.query(`CREATE INDEX training_certifications_by_conseiller ON training_certifications (conseiller_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE training_certifications, training_enrolments`);
  }
}

export const LIFECYCLE_MIGRATIONS = [Deadlines1764000000002, LifecycleSchema1764000200000, LifecycleTraining1764000200001];
