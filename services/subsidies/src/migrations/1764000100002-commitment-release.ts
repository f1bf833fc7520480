import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A commitment made for a renewal request can be released by the lifecycle saga
 * (`lifecycle.RenewalCommitmentReleaseRequested`): its unordered tranches are cancelled with
 * reason COMMITMENT_RELEASED, and the request records when it was released.
 */
export class CommitmentRelease1764000100002 implements MigrationInterface {
  name = 'CommitmentRelease1764000100002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tranches DROP CONSTRAINT tranches_cancel_reason_check`);
    await q.query(`ALTER TABLE tranches ADD CONSTRAINT tranches_cancel_reason_check CHECK (cancel_reason IN ('POST_RETURNED', 'VACANT_BEYOND_DELAY', 'COMMITMENT_RELEASED'))`);
    await q.query(`ALTER TABLE commitments ADD COLUMN released_on date, ADD COLUMN release_reason text`);
    await q.query(`CREATE INDEX commitments_request ON commitments (request_id) WHERE request_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX commitments_request`);
    await q.query(`ALTER TABLE commitments DROP COLUMN released_on, DROP COLUMN release_reason`);
    await q.query(`ALTER TABLE tranches DROP CONSTRAINT tranches_cancel_reason_check`);
    await q.query(`ALTER TABLE tranches ADD CONSTRAINT tranches_cancel_reason_check CHECK (cancel_reason IN ('POST_RETURNED', 'VACANT_BEYOND_DELAY'))`);
  }
}
