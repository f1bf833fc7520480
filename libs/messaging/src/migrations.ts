import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and inbox tables, created in the service's own schema (the DataSource's
 * search_path). Every service lists this migration before its own.
 */
export class MessagingTables1764000000000 implements MigrationInterface {
  name = 'MessagingTables1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        message_id uuid NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_type text NOT NULL,
        -- the exact bytes published (JSON text, not jsonb: no re-encoding on the hot path)
        envelope text NOT NULL,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE inbox (
        consumer text NOT NULL,
        message_id uuid NOT NULL,
        event_type text NOT NULL,
        topic text NOT NULL,
        partition int NOT NULL,
        kafka_offset bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE inbox`);
    await queryRunner.query(`DROP TABLE outbox`);
  }
}
