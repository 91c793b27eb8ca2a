const { composePlugins, withNx } = require('@nx/webpack');

// Node bundle of this app's code and the workspace libs; node_modules stay external.
module.exports = composePlugins(withNx({ target: 'node', skipTypeChecking: true }), (config) => config);
