// Two jest projects: `unit` needs no infrastructure; `integration` runs against the real
// PostgreSQL and Kafka broker that its global setup finds or starts (see libs/testing).
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json' }],
};
const moduleNameMapper = {
  '^@cnfs/deploy$': '<rootDir>/deploy/src',
  '^@cnfs/([a-z-]+)$': '<rootDir>/libs/$1/src',
};
const ignore = ['/node_modules/', '/dist/'];

module.exports = {
  // Global, not per project: jest reads testTimeout from the root config only. Integration tests
  // talk to a real broker and database on a 2-core machine.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/deploy/ci/plain-summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testPathIgnorePatterns: ignore,
      testMatch: ['<rootDir>/{libs,services,deploy,bench}/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/{libs,services,deploy}/**/*.int-spec.ts'],
      // The soak starts its own broker and every service as processes, and kills them: minutes of
      // wall time, so it has its own project, run by `npm test` after this one (`npm run test:soak` alone).
      testPathIgnorePatterns: [...ignore, '/deploy/src/soak/'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
    {
      displayName: 'soak',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testPathIgnorePatterns: ignore,
      testMatch: ['<rootDir>/deploy/src/soak/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
  ],
};
