import { MigrationInterface, QueryRunner } from 'typeorm';

const PUBLIC_TYPES = `('COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION', 'COLLECTIVITE', 'GIP')`;
const ALL_TYPES = `('COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION', 'COLLECTIVITE', 'GIP', 'ASSOCIATION', 'ENTREPRISE_ESS', 'PRIVATE_OTHER')`;
const STATUSES = `('CREEE', 'VALIDATION_COSELEC', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'REFUS_COSELEC', 'ABANDON', 'ANNULEE', 'DOUBLON')`;

/**
 * Structures, their committee decisions, préfet opinions and status history. The domain rules live
 * in @cnfs/structures-domain; the constraints here are the last line: one structure per SIRET, the
 * type agreeing with the legal status, posts consistent with the opinion, the effective quota
 * pointing at a decision of the same structure, and append-only history tables (a trigger refuses
 * UPDATE, DELETE and TRUNCATE).
 */
export class StructuresSchema1764300000000 implements MigrationInterface {
  name = 'StructuresSchema1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE structures (
        id uuid PRIMARY KEY,
        siret text NOT NULL CONSTRAINT structures_siret_unique UNIQUE CHECK (siret ~ '^[0-9]{14}$'),
        siren text NOT NULL CHECK (siren = left(siret, 9)),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        legal_status text NOT NULL CHECK (legal_status IN ('PUBLIC', 'PRIVATE')),
        type text NOT NULL CHECK (type IN ${ALL_TYPES}),
        department_code text NOT NULL,
        address_line1 text NOT NULL,
        address_line2 text,
        postal_code text NOT NULL CHECK (postal_code ~ '^[0-9]{5}$'),
        city text NOT NULL,
        qpv boolean NOT NULL,
        zrr boolean NOT NULL,
        requested_posts int NOT NULL CHECK (requested_posts BETWEEN 1 AND 4000),
        contact_name text NOT NULL,
        contact_email text NOT NULL,
        contact_phone text,
        contact_job_title text,
        status text NOT NULL CHECK (status IN ${STATUSES}),
        duplicate_of_id uuid REFERENCES structures (id),
        effective_posts int CHECK (effective_posts >= 1),
        effective_phase smallint CHECK (effective_phase IN (1, 2)),
        effective_decision_id uuid,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1,
        CONSTRAINT structures_type_legal_status CHECK ((legal_status = 'PUBLIC') = (type IN ${PUBLIC_TYPES})),
        CONSTRAINT structures_doublon_names_original CHECK ((status = 'DOUBLON') = (duplicate_of_id IS NOT NULL) AND duplicate_of_id IS DISTINCT FROM id),
        CONSTRAINT structures_effective_quota_whole CHECK (
          (effective_posts IS NULL) = (effective_phase IS NULL) AND (effective_posts IS NULL) = (effective_decision_id IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX structures_department_status ON structures (department_code, status)`);
    await queryRunner.query(`CREATE INDEX structures_status ON structures (status)`);
    await queryRunner.query(`CREATE INDEX structures_listing ON structures (created_at, id)`);
    await queryRunner.query(`CREATE INDEX structures_siren ON structures (siren)`);

    await queryRunner.query(`
      CREATE TABLE coselec_decisions (
        id uuid PRIMARY KEY,
        structure_id uuid NOT NULL REFERENCES structures (id),
        sequence int NOT NULL CHECK (sequence >= 1),
        opinion text NOT NULL CHECK (opinion IN ('POSITIF', 'NEGATIF', 'EXAMEN_COMPLEMENTAIRE')),
        granted_posts int NOT NULL,
        committee_number text NOT NULL CHECK (length(btrim(committee_number)) BETWEEN 1 AND 50),
        decided_at date NOT NULL,
        phase smallint NOT NULL CHECK (phase IN (1, 2)),
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        CONSTRAINT coselec_decisions_sequence UNIQUE (structure_id, sequence),
        CONSTRAINT coselec_decisions_of_structure UNIQUE (structure_id, id),
        CONSTRAINT coselec_decisions_posts_follow_opinion CHECK (
          (opinion = 'POSITIF' AND granted_posts BETWEEN 1 AND 4000) OR (opinion <> 'POSITIF' AND granted_posts = 0))
      )`);
    // The effective quota is one of the structure's own decisions.
    await queryRunner.query(`
      ALTER TABLE structures ADD CONSTRAINT structures_effective_decision
        FOREIGN KEY (id, effective_decision_id) REFERENCES coselec_decisions (structure_id, id)`);

    await queryRunner.query(`
      CREATE TABLE prefect_opinions (
        id uuid PRIMARY KEY,
        structure_id uuid NOT NULL REFERENCES structures (id),
        department_code text NOT NULL,
        opinion text NOT NULL CHECK (opinion IN ('favorable', 'defavorable')),
        comment text NOT NULL CHECK (char_length(comment) BETWEEN 1 AND 1000),
        given_at timestamptz NOT NULL,
        given_by text NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX prefect_opinions_structure ON prefect_opinions (structure_id, given_at)`);

    await queryRunner.query(`
      CREATE TABLE structure_status_changes (
        id bigserial PRIMARY KEY,
        structure_id uuid NOT NULL REFERENCES structures (id),
        from_status text CHECK (from_status IN ${STATUSES}),
        to_status text NOT NULL CHECK (to_status IN ${STATUSES}),
        reason text,
        decision_id uuid REFERENCES coselec_decisions (id),
        changed_at timestamptz NOT NULL,
        changed_by text NOT NULL,
        CHECK (from_status IS DISTINCT FROM to_status)
      )`);
    await queryRunner.query(`CREATE INDEX structure_status_changes_structure ON structure_status_changes (structure_id, id)`);

    await queryRunner.query(`
      CREATE FUNCTION structures_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END
      $$`);
    for (const table of ['coselec_decisions', 'prefect_opinions', 'structure_status_changes']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION structures_append_only()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION structures_append_only()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE structure_status_changes`);
    await queryRunner.query(`DROP TABLE prefect_opinions`);
    await queryRunner.query(`ALTER TABLE structures DROP CONSTRAINT structures_effective_decision`);
    await queryRunner.query(`DROP TABLE coselec_decisions`);
    await queryRunner.query(`DROP TABLE structures`);
    await queryRunner.query(`DROP FUNCTION structures_append_only()`);
  }
}
