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
  { name: 'conventions', entry: 'services/conventions/dist/main.js', port: 3102 },
  { name: 'subsidies', entry: 'services/subsidies/dist/main.js', port: 3103 },
  { name: 'training', entry: 'services/training/dist/main.js', port: 3104 },
  { name: 'lifecycle', entry: 'services/lifecycle/dist/main.js', port: 3105 },
  { name: 'audit', entry: 'services/audit/dist/main.js', port: 3106 },
];

export const GATEWAY: ServiceDefinition = { name: 'gateway', entry: 'services/gateway/dist/main.js', port: PLATFORM_PORTS.gateway };

export const upstreamEnvVar = (name: string): string => `UPSTREAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
