const { composePlugins, withNx } = require('@nx/webpack');

// Node bundle of the CLI and the workspace libs it uses; node_modules (pg) stay external.
module.exports = composePlugins(withNx({ target: 'node', skipTypeChecking: true }), (config) => config);
