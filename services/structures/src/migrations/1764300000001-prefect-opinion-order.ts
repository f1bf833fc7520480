import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Préfet opinions get their order of recording: two opinions given at the same instant (a moved
 * clock, a batch) must still tell which one is the préfet's latest. Existing rows are numbered in
 * their given_at order (ALTER TABLE fires no row trigger, the table stays append-only).
 */
export class PrefectOpinionOrder1764300000001 implements MigrationInterface {
  name = 'PrefectOpinionOrder1764300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE prefect_opinions_seq`);
    await queryRunner.query(`ALTER TABLE prefect_opinions ADD COLUMN seq bigint`);
    await queryRunner.query(`ALTER TABLE prefect_opinions DISABLE TRIGGER prefect_opinions_append_only`);
    await queryRunner.query(`
      UPDATE prefect_opinions o SET seq = n.seq
        FROM (SELECT id, nextval('prefect_opinions_seq') AS seq FROM (SELECT id FROM prefect_opinions ORDER BY given_at, id) ordered) n
       WHERE o.id = n.id`);
    await queryRunner.query(`ALTER TABLE prefect_opinions ENABLE TRIGGER prefect_opinions_append_only`);
    await queryRunner.query(`ALTER TABLE prefect_opinions ALTER COLUMN seq SET DEFAULT nextval('prefect_opinions_seq'), ALTER COLUMN seq SET NOT NULL`);
    await queryRunner.query(`ALTER SEQUENCE prefect_opinions_seq OWNED BY prefect_opinions.seq`);
    await queryRunner.query(`CREATE UNIQUE INDEX prefect_opinions_order ON prefect_opinions (structure_id, seq)`);
    await queryRunner.query(`DROP INDEX prefect_opinions_structure`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX prefect_opinions_structure ON prefect_opinions (structure_id, given_at)`);
    await queryRunner.query(`DROP INDEX prefect_opinions_order`);
    await queryRunner.query(`ALTER TABLE prefect_opinions DROP COLUMN seq`);
  }
}
