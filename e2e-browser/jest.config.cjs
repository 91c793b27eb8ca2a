const path = require('node:path');
const preset = require('../jest.preset.cjs');

// Browser suites start real processes and one Chromium per file: one file at a time, room for slow starts.
// The environment appends the pages' console and errors (and screenshots) to a failing test.
module.exports = {
  ...preset,
  displayName: 'e2e-browser',
  rootDir: __dirname,
  testEnvironment: path.join(__dirname, 'jest.environment.cjs'),
  testMatch: ['<rootDir>/src/**/*.browser.spec.ts'],
  testTimeout: 60_000,
  maxWorkers: 1,
};
