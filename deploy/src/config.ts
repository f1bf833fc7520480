/**
 * Local-stack constants shared by the launcher, the test setup and docker-compose.yml (keep them in step).
 * The local JWT secret is DEV_JWT_SECRET of @cnfs/auth (libs/auth/src/token.ts), also written in docker-compose.yml.
 */

/** Ports of the platform run by `npm start`. */
export const PLATFORM_PORTS = { gateway: 3000, kafka: 9092, kafkaController: 9093, postgres: 5432 } as const;

/** Ports of the stack the integration tests start, distinct so tests can run beside a running platform. */
export const TEST_PORTS = { kafka: 29092, kafkaController: 29093 } as const;

/**
 * Node flags of every service process (launcher, soak, bench, Dockerfile). A service's live heap is a few tens of
 * MiB; without a ceiling V8 sizes its heap from the machine's 24 GiB and lets it grow to 150 MiB and more between
 * collections (RSS 230–340 MiB after the simulation). 256 MiB of old space keeps RSS under 200 MiB at no measurable
 * CPU cost, with room for the largest request (a 100,000-line bank statement is parsed a chunk at a time).
 */
export const SERVICE_NODE_OPTIONS = '--max-old-space-size=256';

/** NODE_OPTIONS for a service: the platform's flags, then the caller's own (which win). */
export const serviceNodeOptions = (callers: string | undefined = process.env.NODE_OPTIONS): string =>
  [SERVICE_NODE_OPTIONS, callers].filter(Boolean).join(' ');
