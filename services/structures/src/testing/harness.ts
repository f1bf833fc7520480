// Test support for the integration tests of this service (not compiled into dist).
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { signToken } from '@cnfs/auth';
import { createServiceApp, DATA_SOURCE, loadServiceConfig, ManualClock, ServiceConfig } from '@cnfs/service-kit';
import { luhnValid } from '@cnfs/structures-domain';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { structuresAppModule } from '../app.module';

export const TEST_SECRET = 'structures-test-secret-long-enough-for-hs256';

export interface Harness {
  app: INestApplication;
  http: Parameters<typeof request>[0];
  config: ServiceConfig;
  clock: ManualClock;
  db: DataSource;
  tokens: Record<'anct' | 'pref59' | 'pref13' | 'bdt' | 'training', string>;
  tokenOfStructure(structureId: string): Promise<string>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** The structures service on the real PostgreSQL (a schema of its own) and the real broker, clock at 30 June 2021 10:00 UTC. */
export async function startStructures(prefix: string): Promise<Harness> {
  const schema = uniqueName(prefix);
  // Nest's start-up lines at info level drown the test output; warnings and errors still show.
  process.env.LOG_LEVEL ??= 'warn';
  const config = loadServiceConfig('structures', { port: 0, schema }, {
    DATABASE_URL: testDatabaseUrl(),
    KAFKA_BROKERS: testBrokers().join(','),
    JWT_SECRET: TEST_SECRET,
  });
  const clock = new ManualClock(new Date('2021-06-30T10:00:00Z'));
  const app = await createServiceApp(structuresAppModule(config, clock), config);
  await app.init();
  const sign = (claims: Parameters<typeof signToken>[0]) => signToken(claims, TEST_SECRET, '30m');
  const tokens = {
    anct: await sign({ subject: 'agent-anct', role: 'anct' }),
    pref59: await sign({ subject: 'pref-59', role: 'prefecture', departments: ['59'] }),
    pref13: await sign({ subject: 'pref-13', role: 'prefecture', departments: ['13'] }),
    bdt: await sign({ subject: 'bdt-1', role: 'bdt' }),
    training: await sign({ subject: 'lot-2', role: 'training_provider', lot: 2 }),
  };
  const db = app.get<DataSource>(DATA_SOURCE);
  return {
    app,
    http: app.getHttpServer(),
    config,
    clock,
    db,
    tokens,
    tokenOfStructure: (structureId) => sign({ subject: `structure-${structureId}`, role: 'structure', structureId }),
    count: async (table) => (await db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n,
    close: async () => {
      await app.close();
      const client = new Client({ connectionString: config.databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

function withLuhnKey(body: string): string {
  for (let key = 0; key <= 9; key++) if (luhnValid(body + key)) return body + key;
  throw new Error('unreachable');
}

/** A fresh valid SIRET (random SIREN; never La Poste's). */
export function newSiret(): string {
  for (;;) {
    const body = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    const siren = withLuhnKey(body);
    if (siren === '356000000') continue;
    return withLuhnKey(siren + String(Math.floor(Math.random() * 1e4)).padStart(4, '0'));
  }
}

/** A valid registration body (a commune of the Nord unless overridden). */
export function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    siret: newSiret(),
    name: 'Commune de Lille',
    legalStatus: 'PUBLIC',
    type: 'COMMUNE',
    departmentCode: '59',
    address: { line1: 'Place Augustin Laurent', postalCode: '59000', city: 'Lille' },
    qpv: true,
    zrr: false,
    requestedPosts: 3,
    contact: { name: 'Awa Diallo', email: 'inclusion@mairie-lille.fr', phone: '+33 3 20 49 50 00' },
    ...overrides,
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
