const { randomBytes } = require('node:crypto');
const preset = require('../../jest.preset.cjs');

// This run's subject prefix, inherited by every test worker: no running deployment answers or takes
// its messages, and its history queue is a stream of its own.
process.env.PARLEY_SUBJECT_PREFIX = `histtest${randomBytes(4).toString('hex')}`;

module.exports = { ...preset, displayName: 'history', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] };
