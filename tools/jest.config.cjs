const preset = require('../jest.preset.cjs');

// Tests of the developer tools (npm start's launcher) against the built apps, the machine's NATS and
// Postgres: each starts the whole stack, so one at a time, with room for slow starts.
module.exports = {
  ...preset,
  displayName: 'tools',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
