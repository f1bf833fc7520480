/**
 * Local-stack constants shared by the launcher, the test setup and docker-compose.yml (keep them in step).
 */

/**
 * JWT secret of the LOCAL stack only (launcher, docker-compose, `npm run token`). Never use it anywhere else:
 * any real deployment sets JWT_SECRET.
 */
export const LOCAL_DEV_JWT_SECRET = 'cnfs-local-dev-secret-do-not-use-in-production-0123456789';

/** Ports of the platform run by `npm start`. */
export const PLATFORM_PORTS = { gateway: 3000, kafka: 9092, kafkaController: 9093, postgres: 5432 } as const;

/** Ports of the stack the integration tests start, distinct so tests can run beside a running platform. */
export const TEST_PORTS = { kafka: 29092, kafkaController: 29093 } as const;
