const { randomBytes } = require('node:crypto');
const preset = require('../../jest.preset.cjs');

// This run's subject prefix, inherited by every test worker: no running deployment takes its begins
// or answers its reads, and its replicas only see this run's requests.
process.env.PARLEY_SUBJECT_PREFIX = `mediatest${randomBytes(4).toString('hex')}`;

module.exports = {
  ...preset,
  displayName: 'media',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // The 30 MB upload takes a few seconds on two cores.
  testTimeout: 60_000,
};
