import { resolveJwtSecret } from '@cnfs/auth';

/** What every service reads from its environment (the launcher and docker-compose set it). */
export interface ServiceConfig {
  name: string;
  port: number;
  /** The service's own Postgres schema. */
  schema: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  jwtSecret: string;
}

export function loadServiceConfig(name: string, defaults: { port: number; schema?: string }, env = process.env): ServiceConfig {
  return {
    name,
    port: Number(env.PORT ?? defaults.port),
    schema: env.DB_SCHEMA ?? defaults.schema ?? name.replace(/-/g, '_'),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cnfs',
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    // JWT_SECRET, else the local development secret with a warning (refused in production).
    jwtSecret: resolveJwtSecret(env, (message) => process.stderr.write(`${JSON.stringify({ level: 'warn', service: name, message })}\n`)),
  };
}
