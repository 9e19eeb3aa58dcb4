// Nest 12 is ESM-only: jest runs in ESM mode (NODE_OPTIONS=--experimental-vm-modules, see
// package.json "test") and swc compiles TypeScript with legacy decorators + metadata for Nest DI.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'es6' },
  },
];

export default {
  testEnvironment: 'node',
  // just-bash patches globals on purpose (its sandbox); jest's soft-delete of them only warns.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@mirage-ts/protocol/client$': '<rootDir>/libs/protocol/src/client-entry.ts',
    '^@mirage-ts/(protocol|workspace-core|versioning)$': '<rootDir>/libs/$1/src/index.ts',
    '^@mirage-ts/daemon$': '<rootDir>/apps/daemon/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{libs,apps,examples}/*/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
};
