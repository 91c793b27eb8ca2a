const { randomBytes } = require('node:crypto');
const preset = require('../../jest.preset.cjs');

// This run's subject prefix: an in-process test never reaches a running deployment's services.
process.env.PARLEY_SUBJECT_PREFIX = `apitest${randomBytes(4).toString('hex')}`;

module.exports = { ...preset, displayName: 'api', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] };
