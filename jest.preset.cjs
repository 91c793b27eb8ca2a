// Shared jest settings: @swc/jest with decorator metadata (Nest's type-based injection needs it).
const path = require('node:path');
const { pathsToModuleNameMapper } = require('./tools/jest/paths.cjs');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(path.join(__dirname, 'tsconfig.base.json')),
  // The SDK's version for its source (the SDK build injects the same: libs/sdk/tsup.config.ts).
  globals: { __PARLEY_SDK_VERSION__: require('./libs/sdk/package.json').version },
  setupFiles: [path.join(__dirname, 'tools/jest/subject-prefix.setup.ts')],
  reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.cjs')],
};
