import { MigrationInterface, QueryRunner } from 'typeorm';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const CONVENTION_STATUSES = ['CONVENTIONNEMENT_EN_COURS', 'CONVENTIONNEMENT_VALIDE', 'RECONVENTIONNEMENT_INITIE', 'RECONVENTIONNEMENT_VALIDE', 'NON_INTERESSE'];
const CONTRACT_TYPES = ['CDI', 'CDD', 'PEC', 'CONTRAT_DE_PROJET_PUBLIC'];
const CONTRACT_STATUSES = ['ACTIF', 'ROMPU', 'TERMINE', 'RENOUVELE'];
const RUPTURE_REASONS = ['LICENCIEMENT', 'NON_RECONDUCTION_CDD', 'DEMISSION', 'CDISATION', 'FIN_DE_SUBVENTIONNEMENT'];

/**
 * The conventions schema. The database holds the invariants on its own, whatever the code does:
 * - one live convention per structure and phase; one pending amendment per structure;
 * - at most one active contract per post (partial unique index) and per conseiller;
 * - a post is OCCUPE exactly when one active contract holds it (deferred constraint trigger, checked at commit);
 * - coherent dates: financing within the convention, a convention of at most 36 months, a CDI without end date,
 *   any other contract ending after its start, a rupture between the start and the end.
 */
export class ConventionsSchema1764100000000 implements MigrationInterface {
  name = 'ConventionsSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE structures (
        structure_id text PRIMARY KEY,
        name text,
        siret text,
        legal_status text CHECK (legal_status IN ('PUBLIC', 'PRIVATE')),
        structure_type text,
        department_code text NOT NULL,
        qpv boolean,
        zrr boolean,
        status text NOT NULL DEFAULT 'CREEE',
        phase1_quota int CHECK (phase1_quota >= 0),
        phase2_quota int CHECK (phase2_quota >= 0),
        effective_quota_posts int,
        effective_quota_phase smallint,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE coselec_decisions (
        decision_id text PRIMARY KEY,
        structure_id text NOT NULL REFERENCES structures (structure_id),
        opinion text NOT NULL,
        granted_posts int NOT NULL CHECK (granted_posts >= 0),
        phase smallint NOT NULL CHECK (phase IN (1, 2)),
        committee_number text NOT NULL,
        decided_at date NOT NULL,
        message_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX coselec_decisions_structure ON coselec_decisions (structure_id)`);

    await q.query(`
      CREATE TABLE conventions (
        id uuid PRIMARY KEY,
        structure_id text NOT NULL REFERENCES structures (structure_id),
        phase smallint NOT NULL CHECK (phase IN (1, 2)),
        status text NOT NULL CHECK (status IN (${list(CONVENTION_STATUSES)})),
        posts int NOT NULL CHECK (posts >= 1),
        start_date date NOT NULL,
        financed_until date NOT NULL,
        end_date date NOT NULL,
        renews_convention_id uuid REFERENCES conventions (id),
        signed_at date,
        non_interest_reason text,
        department_code text NOT NULL,
        legal_status text CHECK (legal_status IN ('PUBLIC', 'PRIVATE')),
        structure_type text,
        qpv boolean,
        zrr boolean,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        decided_at timestamptz,
        decided_by text,
        CONSTRAINT conventions_status_of_phase CHECK (
          status = 'NON_INTERESSE'
          OR (phase = 1 AND status IN ('CONVENTIONNEMENT_EN_COURS', 'CONVENTIONNEMENT_VALIDE'))
          OR (phase = 2 AND status IN ('RECONVENTIONNEMENT_INITIE', 'RECONVENTIONNEMENT_VALIDE'))),
        CONSTRAINT conventions_dates CHECK (
          start_date < financed_until AND financed_until <= end_date
          AND end_date < start_date + interval '36 months 1 day'),
        CONSTRAINT conventions_renewal CHECK ((phase = 2) = (renews_convention_id IS NOT NULL)),
        CONSTRAINT conventions_non_interest CHECK ((status = 'NON_INTERESSE') = (non_interest_reason IS NOT NULL)),
        CONSTRAINT conventions_signature CHECK (
          status NOT IN ('CONVENTIONNEMENT_VALIDE', 'RECONVENTIONNEMENT_VALIDE')
          OR (signed_at IS NOT NULL AND legal_status IS NOT NULL AND structure_type IS NOT NULL AND qpv IS NOT NULL AND zrr IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX conventions_one_per_structure_and_phase ON conventions (structure_id, phase) WHERE status <> 'NON_INTERESSE'`);
    await q.query(`CREATE INDEX conventions_department ON conventions (department_code, status)`);

    await q.query(`
      CREATE TABLE amendments (
        id uuid PRIMARY KEY,
        convention_id uuid NOT NULL REFERENCES conventions (id),
        structure_id text NOT NULL,
        department_code text NOT NULL,
        type text NOT NULL CHECK (type IN ('AJOUT', 'RETRAIT')),
        posts int NOT NULL CHECK (posts >= 1),
        post_ids uuid[],
        reason text NOT NULL CHECK (length(reason) > 0),
        status text NOT NULL CHECK (status IN ('EN_COURS', 'VALIDEE', 'REFUSEE')),
        decision_reason text,
        effective_date date,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        decided_at timestamptz,
        decided_by text,
        CONSTRAINT amendments_post_ids CHECK (post_ids IS NULL OR (type = 'RETRAIT' AND cardinality(post_ids) = posts)),
        CONSTRAINT amendments_refusal CHECK (status <> 'REFUSEE' OR decision_reason IS NOT NULL),
        CONSTRAINT amendments_decision CHECK ((status = 'EN_COURS') = (decided_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX amendments_one_pending_per_structure ON amendments (structure_id) WHERE status = 'EN_COURS'`);
    await q.query(`CREATE INDEX amendments_convention ON amendments (convention_id)`);

    await q.query(`
      CREATE TABLE posts (
        id uuid PRIMARY KEY,
        convention_id uuid NOT NULL REFERENCES conventions (id),
        structure_id text NOT NULL,
        department_code text NOT NULL,
        status text NOT NULL CHECK (status IN ('VACANT', 'OCCUPE', 'RENDU')),
        created_by_amendment_id uuid REFERENCES amendments (id),
        returned_by_amendment_id uuid REFERENCES amendments (id),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT posts_returned CHECK ((status = 'RENDU') = (returned_by_amendment_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX posts_convention ON posts (convention_id, status)`);
    await q.query(`CREATE INDEX posts_vacant ON posts (structure_id, convention_id) WHERE status = 'VACANT'`);

    await q.query(`
      CREATE TABLE conseillers (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        first_name text NOT NULL,
        last_name text NOT NULL,
        birth_date date NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX conseillers_email ON conseillers (lower(email))`);

    await q.query(`
      CREATE TABLE contracts (
        id uuid PRIMARY KEY,
        structure_id text NOT NULL,
        convention_id uuid NOT NULL REFERENCES conventions (id),
        post_id uuid NOT NULL REFERENCES posts (id),
        conseiller_id uuid NOT NULL REFERENCES conseillers (id),
        department_code text NOT NULL,
        legal_status text NOT NULL CHECK (legal_status IN ('PUBLIC', 'PRIVATE')),
        type text NOT NULL CHECK (type IN (${list(CONTRACT_TYPES)})),
        start_date date NOT NULL,
        end_date date,
        gross_monthly_salary_cents bigint NOT NULL CHECK (gross_monthly_salary_cents > 0),
        status text NOT NULL CHECK (status IN (${list(CONTRACT_STATUSES)})),
        rupture_reason text CHECK (rupture_reason IN (${list(RUPTURE_REASONS)})),
        rupture_date date,
        ended_on date,
        renews_contract_id uuid REFERENCES contracts (id),
        cdd_chain_start date NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        closed_at timestamptz,
        closed_by text,
        CONSTRAINT contracts_end_date CHECK ((type = 'CDI' AND end_date IS NULL) OR (type <> 'CDI' AND end_date > start_date)),
        CONSTRAINT contracts_rupture CHECK (
          (status = 'ROMPU') = (rupture_reason IS NOT NULL AND rupture_date IS NOT NULL)
          AND (rupture_date IS NULL OR (rupture_date >= start_date AND (end_date IS NULL OR rupture_date <= end_date)))),
        CONSTRAINT contracts_ended CHECK ((status = 'ACTIF') = (ended_on IS NULL)),
        CONSTRAINT contracts_chain CHECK (cdd_chain_start <= start_date)
      )`);
    await q.query(`CREATE UNIQUE INDEX contracts_one_active_per_post ON contracts (post_id) WHERE status = 'ACTIF'`);
    await q.query(`CREATE UNIQUE INDEX contracts_one_active_per_conseiller ON contracts (conseiller_id) WHERE status = 'ACTIF'`);
    await q.query(`CREATE UNIQUE INDEX contracts_renewed_once ON contracts (renews_contract_id) WHERE renews_contract_id IS NOT NULL`);
    await q.query(`CREATE INDEX contracts_due_natural_end ON contracts (end_date) WHERE status = 'ACTIF' AND type <> 'CDI'`);
    await q.query(`CREATE INDEX contracts_structure ON contracts (structure_id, status)`);
    await q.query(`CREATE INDEX contracts_department ON contracts (department_code, status)`);
    await q.query(`CREATE INDEX contracts_conseiller ON contracts (conseiller_id)`);

    // A post is OCCUPE exactly when one active contract holds it: checked at commit, after every statement of the
    // transaction, so the code may update the post and the contract in either order.
    await q.query(`
      CREATE FUNCTION assert_post_occupancy() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        -- The column naming the post: 'id' on posts, 'post_id' on contracts (the trigger's argument).
        target uuid := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
        post_status text;
        holders int;
      BEGIN
        SELECT status INTO post_status FROM posts WHERE id = target;
        SELECT count(*) INTO holders FROM contracts WHERE post_id = target AND status = 'ACTIF';
        IF holders > 1 OR (post_status = 'OCCUPE') <> (holders = 1) THEN
          RAISE EXCEPTION 'post % is % with % active contract(s)', target, post_status, holders
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'post_occupancy';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER posts_occupancy AFTER INSERT OR UPDATE ON posts
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION assert_post_occupancy('id')`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER contracts_occupancy AFTER INSERT OR UPDATE ON contracts
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION assert_post_occupancy('post_id')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER contracts_occupancy ON contracts`);
    await q.query(`DROP TRIGGER posts_occupancy ON posts`);
    await q.query(`DROP FUNCTION assert_post_occupancy()`);
    for (const table of ['contracts', 'conseillers', 'posts', 'amendments', 'conventions', 'coselec_decisions', 'structures']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}

/**
 * Lists are ordered by recording: a sequence per table, since business timestamps come from the injected clock and
 * may be equal (a ManualClock in tests and simulations).
 */
export class ConventionsRecordingOrder1764100000001 implements MigrationInterface {
  name = 'ConventionsRecordingOrder1764100000001';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['conventions', 'amendments', 'posts', 'contracts']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY`);
      await q.query(`CREATE UNIQUE INDEX ${table}_seq ON ${table} (seq)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['conventions', 'amendments', 'posts', 'contracts']) await q.query(`ALTER TABLE ${table} DROP COLUMN seq`);
  }
}

export const MIGRATIONS = [ConventionsSchema1764100000000, ConventionsRecordingOrder1764100000001];
