const path = require('node:path');
const preset = require('../jest.preset.cjs');

// Validation of the deploy files (Dockerfile, docker-compose.yml, deploy/k8s): no Docker or cluster needed.
// kubernetes-models ships ES modules only: map its import paths to files and let @swc/jest make them CommonJS.
const modules = path.join(__dirname, '../node_modules');
module.exports = {
  ...preset,
  displayName: 'deploy',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 60_000,
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^kubernetes-models/(.+?)(\\.js)?$': `${modules}/kubernetes-models/$1.js`,
    '^@kubernetes-models/apimachinery/(.+?)(\\.js)?$': `${modules}/@kubernetes-models/apimachinery/$1.js`,
    '^@kubernetes-models/validate/runtime/(.+?)(\\.js)?$': `${modules}/@kubernetes-models/validate/dist/runtime/$1.js`,
    '^@kubernetes-models/(base|validate)$': `${modules}/@kubernetes-models/$1/dist/index.js`,
  },
  transformIgnorePatterns: ['/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/)'],
};
