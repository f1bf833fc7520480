import { MessagingTables1764000000000, openServiceDataSource } from '@cnfs/messaging';
import { testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { StructuresSchema1764300000000 } from './migrations/1764300000000-structures-schema';
import { STRUCTURES_MIGRATIONS } from './app.module';

describe('structures migrations', () => {
  const schema = uniqueName('structures_migrations');
  let dataSource: DataSource | undefined;

  afterAll(async () => {
    await dataSource?.query(`DROP SCHEMA "${schema}" CASCADE`);
    await dataSource?.destroy();
  });

  it('numbers existing préfet opinions in their order and keeps the table append-only', async () => {
    const first = await openServiceDataSource({ url: testDatabaseUrl(), schema, migrations: [MessagingTables1764000000000, StructuresSchema1764300000000] });
    await first.query(`
      INSERT INTO structures (id, siret, siren, name, legal_status, type, department_code, address_line1, postal_code, city, qpv, zrr,
        requested_posts, contact_name, contact_email, status, created_at, created_by, updated_at)
      VALUES ('7d8f0b5e-2f7a-4c55-9a51-2b0d8f3c9e10', '21590350100017', '215903501', 'Commune de Lille', 'PUBLIC', 'COMMUNE', '59', 'Place', '59000',
        'Lille', false, false, 2, 'A', 'a@b.fr', 'VALIDATION_COSELEC', now(), 't', now())`);
    for (const [id, at] of [['00000000-0000-4000-8000-000000000002', '2023-01-02'], ['00000000-0000-4000-8000-000000000001', '2023-01-03']]) {
      await first.query(
        `INSERT INTO prefect_opinions (id, structure_id, department_code, opinion, comment, given_at, given_by)
         VALUES ($1, '7d8f0b5e-2f7a-4c55-9a51-2b0d8f3c9e10', '59', 'favorable', 'un commentaire', $2, 'pref-59')`,
        [id, at],
      );
    }
    await first.destroy();

    dataSource = await openServiceDataSource({ url: testDatabaseUrl(), schema, migrations: [MessagingTables1764000000000, ...STRUCTURES_MIGRATIONS] });
    const rows = await dataSource.query(`SELECT id, seq::int FROM prefect_opinions ORDER BY seq`);
    expect(rows).toEqual([
      { id: '00000000-0000-4000-8000-000000000002', seq: 1 },
      { id: '00000000-0000-4000-8000-000000000001', seq: 2 },
    ]);
    await expect(dataSource.query(`UPDATE prefect_opinions SET opinion = 'defavorable'`)).rejects.toThrow(/append-only/);
    const [next] = await dataSource.query(
      `INSERT INTO prefect_opinions (id, structure_id, department_code, opinion, comment, given_at, given_by)
       VALUES ('00000000-0000-4000-8000-000000000003', '7d8f0b5e-2f7a-4c55-9a51-2b0d8f3c9e10', '59', 'defavorable', 'un autre avis', now(), 'pref-59')
       RETURNING seq::int`,
    );
    expect(next.seq).toBe(3);
  });
});
