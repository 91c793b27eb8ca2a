/**
 * The gateway's floors (docs/architecture.md): an import may only go to the same floor or one below.
 *   4 composition root   ws/ (WsServer, WsRouter, InboundRouter, gauges), app.module.ts, main.ts
 *   3 features           peer-messages/ channels/ status/ attributes/ invitations/ media/ metadata/ history/ web/  (siblings: no imports between them)
 *   2 sessions           sessions/
 *   1 transport, clients transport/ (connection, outbound queue, session, rates), clients/ (typed service clients), auth/
 *   0 settings           config/, metrics/ (instruments only)
 * Run by the gateway's lint target: `depcruise apps/gateway/src --config apps/gateway/.dependency-cruiser.cjs`.
 */
const src = '^apps/gateway/src/';
const root = `${src}(ws/|app\\.module\\.ts$|main\\.ts$|instrument\\.ts$)`;
const features = ['peer-messages', 'channels', 'status', 'attributes', 'invitations', 'media', 'metadata', 'history', 'web'];
const feature = `${src}(${features.join('|')})/`;
const sessions = `${src}sessions/`;
const floor1 = `${src}(transport|clients|auth)/`;
const floor0 = `${src}(config|metrics)/`;

const upward = (name, from, to) => ({ name, severity: 'error', comment: 'imports go down the floors, never up', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles', from: { path: src }, to: { circular: true } },
    upward('settings-stay-at-the-bottom', floor0, `${src}(?!config/|metrics/)`),
    upward('transport-below-sessions', floor1, `(${sessions}|${feature}|${root})`),
    upward('sessions-below-features', sessions, `(${feature}|${root})`),
    upward('features-below-the-root', feature, root),
    ...features.map((f) => ({
      name: `feature-${f}-stands-alone`,
      severity: 'error',
      comment: 'features are siblings: what two share lives a floor below',
      from: { path: `${src}${f}/` },
      to: { path: feature, pathNot: `${src}${f}/` },
    })),
  ],
  options: {
    tsConfig: { fileName: 'apps/gateway/tsconfig.json' },
    doNotFollow: { path: '(node_modules|^libs/)' },
    exclude: { path: '(node_modules|\\.spec\\.ts$)' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
  },
};
