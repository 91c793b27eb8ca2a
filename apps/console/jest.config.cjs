const path = require('node:path');
const preset = require('../../jest.preset.cjs');

/** The swc options of the preset, with JSX compiled for Preact (as Vite does in the build). */
const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: {
      parser: syntax === 'js' ? { syntax: 'ecmascript' } : { syntax: 'typescript', tsx: syntax === 'tsx' },
      transform: { react: { runtime: 'automatic', importSource: 'preact' } },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/** Unit tests of the console's logic (.ts and .tsx: state, formatting, the admin client, the session with a fake SDK client). */
module.exports = {
  ...preset,
  displayName: 'console',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.{ts,tsx}'],
  // Preact ships ES modules only: they are compiled to CommonJS like the sources.
  transform: { '^.+\\.tsx$': swc('tsx'), '^.+\\.(ts|js)$': swc('ts'), '^.+\\.mjs$': swc('js') },
  transformIgnorePatterns: ['/node_modules/(?!preact/)'],
  moduleFileExtensions: ['tsx', 'ts', 'mjs', 'js', 'json'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@parley/rtm-sdk$': path.join(__dirname, '../../libs/sdk/src/index.ts'),
    '\\.css$': path.join(__dirname, 'src/test/style-stub.cjs'),
  },
};
