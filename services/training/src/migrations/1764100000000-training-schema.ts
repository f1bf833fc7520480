import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The training context's tables. Reference data (pathways, lots, certification types) is versioned:
 * every row belongs to a reference version, and enrolments and certifications name the version they
 * were checked against. The programme's rules that can be written as constraints are constraints, so
 * that no code path can store what the domain refuses.
 */
export class TrainingSchema1764100000000 implements MigrationInterface {
  name = 'TrainingSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reference_versions (
        version text PRIMARY KEY,
        effective_from date NOT NULL UNIQUE,
        source text NOT NULL,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE reference_pathways (
        version text NOT NULL REFERENCES reference_versions (version),
        hours int NOT NULL CHECK (hours > 0),
        label text NOT NULL,
        description text NOT NULL,
        source text NOT NULL,
        PRIMARY KEY (version, hours)
      )`);
    await q.query(`
      CREATE TABLE reference_lots (
        version text NOT NULL REFERENCES reference_versions (version),
        lot int NOT NULL CHECK (lot BETWEEN 1 AND 6),
        modality text NOT NULL CHECK (modality IN ('DISTANCE', 'REGIONAL')),
        consortium text[] NOT NULL CHECK (cardinality(consortium) > 0),
        source text NOT NULL,
        PRIMARY KEY (version, lot)
      )`);
    await q.query(`
      CREATE TABLE reference_certification_types (
        version text NOT NULL REFERENCES reference_versions (version),
        code text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('PIX', 'CCP', 'RNCP')),
        title text NOT NULL,
        parent_code text,
        block_number int CHECK (block_number > 0),
        waiver_target boolean NOT NULL,
        replaces text,
        source text NOT NULL,
        PRIMARY KEY (version, code),
        FOREIGN KEY (version, parent_code) REFERENCES reference_certification_types (version, code),
        CHECK ((kind = 'CCP') = (block_number IS NOT NULL AND parent_code IS NOT NULL))
      )`);
    // Régions served by a regional lot: not in the published documents, so recorded by ANCT as an
    // append-only history (the latest assignment in effect wins).
    await q.query(`
      CREATE TABLE lot_region_assignments (
        id bigserial PRIMARY KEY,
        lot int NOT NULL CHECK (lot BETWEEN 1 AND 6),
        region_codes text[] NOT NULL CHECK (cardinality(region_codes) > 0),
        effective_from date NOT NULL,
        source text NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX lot_region_assignments_lot ON lot_region_assignments (lot, effective_from DESC, id DESC)`);
    // Each recruiter's PIX threshold (default 70 %), append-only.
    await q.query(`
      CREATE TABLE pix_thresholds (
        id bigserial PRIMARY KEY,
        structure_id text NOT NULL,
        threshold_percent numeric(5, 2) NOT NULL CHECK (threshold_percent BETWEEN 0 AND 100),
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX pix_thresholds_structure ON pix_thresholds (structure_id, id DESC)`);

    // The context's own copy of the employment contracts (from conventions.ContractSigned/Ruptured).
    await q.query(`
      CREATE TABLE contracts (
        contract_id text PRIMARY KEY,
        conseiller_id text NOT NULL,
        structure_id text NOT NULL,
        convention_id text NOT NULL,
        post_id text NOT NULL,
        department_code text NOT NULL,
        region_code text,
        legal_status text NOT NULL,
        contract_type text NOT NULL,
        start_date date NOT NULL,
        end_date date,
        renews_contract_id text,
        status text NOT NULL CHECK (status IN ('ACTIVE', 'RUPTURED')),
        rupture_reason text,
        rupture_date date,
        signed_message_id uuid NOT NULL,
        ruptured_message_id uuid,
        recorded_at timestamptz NOT NULL,
        CHECK (end_date IS NULL OR end_date >= start_date),
        CHECK ((status = 'RUPTURED') = (rupture_date IS NOT NULL AND rupture_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX contracts_conseiller ON contracts (conseiller_id)`);
    await q.query(`
      CREATE TABLE trainees (
        conseiller_id text PRIMARY KEY,
        first_name text NOT NULL,
        last_name text NOT NULL,
        email text NOT NULL,
        current_contract_id text NOT NULL REFERENCES contracts (contract_id),
        status text NOT NULL CHECK (status IN ('TO_BE_TRAINED', 'IN_TRAINING', 'TRAINED', 'WAIVED', 'WITHDRAWN')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX trainees_status ON trainees (status)`);
    await q.query(`
      ALTER TABLE contracts ADD CONSTRAINT contracts_conseiller_fk
        FOREIGN KEY (conseiller_id) REFERENCES trainees (conseiller_id) DEFERRABLE INITIALLY DEFERRED`);

    await q.query(`
      CREATE TABLE certifications (
        certification_id uuid PRIMARY KEY,
        conseiller_id text NOT NULL REFERENCES trainees (conseiller_id),
        contract_id text REFERENCES contracts (contract_id),
        structure_id text,
        department_code text,
        enrolment_id uuid,
        lot int CHECK (lot BETWEEN 1 AND 6),
        reference_version text NOT NULL REFERENCES reference_versions (version),
        kind text NOT NULL CHECK (kind IN ('PIX', 'CCP', 'RNCP')),
        ccp_blocks text[] NOT NULL DEFAULT '{}',
        pix_score_percent numeric(5, 2) CHECK (pix_score_percent BETWEEN 0 AND 100),
        threshold_percent numeric(5, 2) CHECK (threshold_percent BETWEEN 0 AND 100),
        below_threshold boolean NOT NULL,
        obtained_at date NOT NULL,
        certifier text NOT NULL CHECK (btrim(certifier) <> ''),
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL,
        CHECK ((kind = 'PIX') = (pix_score_percent IS NOT NULL)),
        CHECK ((kind = 'PIX') = (threshold_percent IS NOT NULL)),
        CHECK (below_threshold = (kind = 'PIX' AND pix_score_percent < threshold_percent)),
        CHECK ((kind = 'CCP') = (cardinality(ccp_blocks) > 0))
      )`);
    await q.query(`CREATE INDEX certifications_conseiller ON certifications (conseiller_id, kind, obtained_at DESC)`);
    await q.query(`CREATE UNIQUE INDEX certifications_one_title ON certifications (conseiller_id) WHERE kind = 'RNCP'`);
    // A CCP block is obtained once per conseiller.
    await q.query(`
      CREATE TABLE certification_blocks (
        conseiller_id text NOT NULL,
        block_code text NOT NULL,
        reference_version text NOT NULL,
        certification_id uuid NOT NULL REFERENCES certifications (certification_id),
        PRIMARY KEY (conseiller_id, block_code),
        FOREIGN KEY (reference_version, block_code) REFERENCES reference_certification_types (version, code)
      )`);

    await q.query(`
      CREATE TABLE enrolments (
        enrolment_id uuid PRIMARY KEY,
        conseiller_id text NOT NULL REFERENCES trainees (conseiller_id),
        contract_id text NOT NULL REFERENCES contracts (contract_id),
        structure_id text NOT NULL,
        department_code text NOT NULL,
        region_code text,
        lot int NOT NULL,
        reference_version text NOT NULL REFERENCES reference_versions (version),
        pathway_hours int,
        waiver boolean NOT NULL,
        positioning_date date NOT NULL,
        positioning_result text NOT NULL CHECK (btrim(positioning_result) <> ''),
        derogation_certification_id uuid REFERENCES certifications (certification_id),
        derogation_mediation_experience text,
        derogation_justification text,
        start_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('ONGOING', 'COMPLETED', 'ABANDONED', 'WAIVED')),
        hours_attended int NOT NULL DEFAULT 0,
        end_date date,
        end_reason text,
        withdrawn_by_rupture boolean NOT NULL DEFAULT false,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        closed_by text,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL,
        FOREIGN KEY (reference_version, lot) REFERENCES reference_lots (version, lot),
        FOREIGN KEY (reference_version, pathway_hours) REFERENCES reference_pathways (version, hours),
        CHECK (waiver = (pathway_hours IS NULL)),
        CHECK (waiver = (status = 'WAIVED')),
        CHECK (waiver = (derogation_certification_id IS NOT NULL)),
        CHECK (waiver = (derogation_mediation_experience IS NOT NULL AND btrim(derogation_mediation_experience) <> '')),
        CHECK (waiver = (derogation_justification IS NOT NULL AND btrim(derogation_justification) <> '')),
        CHECK (positioning_date <= start_date),
        CHECK ((status IN ('COMPLETED', 'ABANDONED')) = (end_date IS NOT NULL)),
        CHECK (end_date IS NULL OR end_date >= start_date),
        CHECK ((status = 'ABANDONED') = (end_reason IS NOT NULL)),
        CHECK (hours_attended BETWEEN 0 AND coalesce(pathway_hours, 0)),
        CHECK (NOT withdrawn_by_rupture OR status = 'ABANDONED')
      )`);
    // At most one standing enrolment per conseiller: in training, trained or waived (never twice).
    await q.query(`CREATE UNIQUE INDEX enrolments_one_standing ON enrolments (conseiller_id) WHERE status IN ('ONGOING', 'COMPLETED', 'WAIVED')`);
    await q.query(`CREATE INDEX enrolments_lot ON enrolments (lot, status)`);
    await q.query(`CREATE INDEX enrolments_department ON enrolments (department_code, status)`);
    await q.query(`CREATE INDEX enrolments_contract_ongoing ON enrolments (contract_id) WHERE status = 'ONGOING'`);
    await q.query(`ALTER TABLE certifications ADD CONSTRAINT certifications_enrolment_fk FOREIGN KEY (enrolment_id) REFERENCES enrolments (enrolment_id)`);
    await q.query(`
      CREATE TABLE enrolment_progress (
        id bigserial PRIMARY KEY,
        enrolment_id uuid NOT NULL REFERENCES enrolments (enrolment_id),
        hours_attended int NOT NULL CHECK (hours_attended >= 0),
        as_of date NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX enrolment_progress_enrolment ON enrolment_progress (enrolment_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'enrolment_progress', 'certification_blocks', 'enrolments', 'certifications', 'trainees', 'contracts', 'pix_thresholds',
      'lot_region_assignments', 'reference_certification_types', 'reference_lots', 'reference_pathways', 'reference_versions',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
  }
}
