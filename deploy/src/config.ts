/**
 * Local-stack constants shared by the launcher, the test setup and docker-compose.yml (keep them in step).
 * The local JWT secret is DEV_JWT_SECRET of @cnfs/auth (libs/auth/src/token.ts), also written in docker-compose.yml.
 */

/** Ports of the platform run by `npm start`. */
export const PLATFORM_PORTS = { gateway: 3000, kafka: 9092, kafkaController: 9093, postgres: 5432 } as const;

/** Ports of the stack the integration tests start, distinct so tests can run beside a running platform. */
export const TEST_PORTS = { kafka: 29092, kafkaController: 29093 } as const;
