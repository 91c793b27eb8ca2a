const { randomBytes } = require('node:crypto');
const preset = require('../../jest.preset.cjs');

// This run's subject prefix, inherited by every test worker: no running deployment answers or takes
// its messages, and whichever of its test files' replicas ends an invitation pushes where the tests listen.
process.env.PARLEY_SUBJECT_PREFIX = `invtest${randomBytes(4).toString('hex')}`;

module.exports = { ...preset, displayName: 'invitation', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] };
