import { types } from 'pg';
import { DataSource, MixedList } from 'typeorm';

// Calendar dates (contracts, conventions) stay 'YYYY-MM-DD' strings: a JS Date would put them at a
// time zone's midnight and shift them by a day somewhere.
types.setTypeParser(types.builtins.DATE, (value: string) => value);

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema: services never share tables. */
  schema: string;
  entities?: MixedList<Function | string>;
  migrations?: MixedList<Function | string>;
  poolSize?: number;
}

/**
 * A DataSource bound to one schema (search_path), migrated by TypeORM migrations only
 * (never synchronize). Creates the schema when missing, then runs pending migrations.
 */
export async function openServiceDataSource(options: ServiceDataSourceOptions): Promise<DataSource> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  const bootstrap = new DataSource({ type: 'postgres', url: options.url });
  await bootstrap.initialize();
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  } finally {
    await bootstrap.destroy();
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { options: `-c search_path=${options.schema}`, max: options.poolSize ?? 10 },
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}
