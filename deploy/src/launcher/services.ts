import { PLATFORM_PORTS } from '../config';

/**
 * The services the launcher runs (`npm start`). Adding a service = one entry here, plus its route in
 * services/gateway/src/routes.ts (the gateway's own table) and a block in docker-compose.yml.
 */
export interface ServiceDefinition {
  /** Service name: SERVICE_NAME, log prefix, and the gateway's UPSTREAM_<NAME>. */
  name: string;
  /** Entry point relative to the repository root, run with the current Node. */
  entry: string;
  /** HTTP port (PORT); the launcher waits for GET http://127.0.0.1:<port>/health. */
  port: number;
}

export const SERVICES: readonly ServiceDefinition[] = [
  { name: 'structures', entry: 'services/structures/dist/main.js', port: 3101 },
];

export const GATEWAY: ServiceDefinition = { name: 'gateway', entry: 'services/gateway/dist/main.js', port: PLATFORM_PORTS.gateway };

export const upstreamEnvVar = (name: string): string => `UPSTREAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
