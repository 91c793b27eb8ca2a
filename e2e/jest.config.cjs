const preset = require('../jest.preset.cjs');

// End-to-end suites start real processes: run them one at a time, with room for slow starts.
module.exports = {
  ...preset,
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  testTimeout: 60_000,
  maxWorkers: 1,
};
