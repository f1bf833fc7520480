import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A conseiller's enrolments were only indexed while standing (the partial unique index): the list filtered by
 * conseiller, the trainee view, the waiver and abandon checks read every enrolment of the programme (a sequential
 * scan: p99 190 ms at 200 requests/s after the simulation). The list's default order gets an index too.
 */
export class TrainingLookupIndexes1764100000002 implements MigrationInterface {
  name = 'TrainingLookupIndexes1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX enrolments_conseiller ON enrolments (conseiller_id, created_at)`);
    await q.query(`CREATE INDEX enrolments_recent ON enrolments (created_at DESC, enrolment_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX enrolments_recent`);
    await q.query(`DROP INDEX enrolments_conseiller`);
  }
}
