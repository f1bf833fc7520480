import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: one append-only row per event ever consumed, hash-linked to the previous entry of
 * its stream (Kafka topic-partition) and of its aggregate (see domain/chain.ts).
 *
 * Append-only is enforced twice: triggers refuse UPDATE, DELETE and TRUNCATE; and since someone with
 * rights on the database can disable them, every change still shows in the verification (hashes,
 * links, positions, and the derived columns re-derived from the hashed event text).
 */
export class AuditEntries1764500000000 implements MigrationInterface {
  name = 'AuditEntries1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_entries (
        -- recording order: for display and paging only, not part of the chain (a replay may record in another order)
        id bigserial PRIMARY KEY,
        message_id uuid NOT NULL,
        -- the envelope exactly as it travelled, canonical JSON (text, not jsonb: these are the hashed bytes)
        event text NOT NULL,
        -- 'catalog': type and version known and validated; 'unrecognised': a valid envelope of a type this service does not know yet
        schema_status text NOT NULL CHECK (schema_status IN ('catalog', 'unrecognised')),
        -- derived from the event (checked again by the verification)
        event_type text NOT NULL,
        event_version int NOT NULL,
        occurred_at timestamptz NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'system')),
        actor_name text NOT NULL,
        actor_role text,
        reason text,
        departments text[] NOT NULL,
        -- where it was read
        stream_topic text NOT NULL,
        stream_partition int NOT NULL,
        stream_offset bigint NOT NULL,
        -- the chain
        stream_seq bigint NOT NULL CHECK (stream_seq >= 1),
        prev_stream_hash char(64) NOT NULL,
        aggregate_seq bigint NOT NULL CHECK (aggregate_seq >= 1),
        prev_aggregate_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX audit_entries_message ON audit_entries (message_id)`);
    await queryRunner.query(`CREATE UNIQUE INDEX audit_entries_stream_chain ON audit_entries (stream_topic, stream_partition, stream_seq)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX audit_entries_aggregate_chain ON audit_entries (stream_topic, stream_partition, aggregate_type, aggregate_id, aggregate_seq)`,
    );
    await queryRunner.query(`CREATE INDEX audit_entries_occurred ON audit_entries (occurred_at, id)`);
    await queryRunner.query(`CREATE INDEX audit_entries_aggregate ON audit_entries (aggregate_type, aggregate_id, occurred_at, id)`);
    await queryRunner.query(`CREATE INDEX audit_entries_actor ON audit_entries (actor_name, occurred_at, id)`);
    await queryRunner.query(`CREATE INDEX audit_entries_departments ON audit_entries USING gin (departments)`);
    await queryRunner.query(`
      CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_entries_no_update_delete BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_entries`);
    await queryRunner.query(`DROP FUNCTION audit_entries_append_only()`);
  }
}

export const AUDIT_MIGRATIONS = [AuditEntries1764500000000];
