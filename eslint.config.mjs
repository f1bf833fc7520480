// Module boundaries: domain and contract libraries stay framework-free. The Nx rule reads the
// tags from each project's package.json ("nx": {"tags": [...]}).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const frameworkImports = ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'class-validator', 'class-transformer', 'pg'];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // TypeORM and Nest APIs take entity and migration classes typed as Function.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: frameworkImports },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'], bannedExternalImports: frameworkImports },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform', 'type:deploy'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform'] },
            { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform'] },
          ],
        },
      ],
    },
  },
];
