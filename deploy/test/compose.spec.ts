import { join } from 'node:path';
import { DCLinter } from 'dclint';
import { type Compose, type ComposeContext, composeProblems, composeSchemaValidator, dependsOn, envFileNames, environment } from './support/compose';
import { appEnv, migrateEnv, readmeEnvTables } from './support/env';
import { ROOT, clone, isRecord, parleyApps, parseYaml, read } from './support/repo';

const PARLEY_IMAGE = 'ghcr.io/parley/parley:0.1.0';

describe('docker-compose.yml', () => {
  const doc = parseYaml(read('docker-compose.yml'), 'docker-compose.yml') as Compose;
  const tables = readmeEnvTables();
  const ctx: ComposeContext = {
    parleyImage: PARLEY_IMAGE,
    apps: parleyApps(),
    envOf: (app) => appEnv(app, tables),
    migrateEnv: migrateEnv(),
    envExample: envFileNames(read('deploy/compose/.env.example')),
  };
  const schema = composeSchemaValidator();
  const problems = (d: Compose, c = ctx) => [...schema(d), ...composeProblems(d, c)];

  it('follows the Compose Specification (its JSON schema, from the dclint package)', () => {
    expect(schema(doc)).toEqual([]);
  });

  it('passes dclint (correctness rules; ordering rules off)', () => {
    const linter = new DCLinter({
      rules: {
        'no-build-and-image': 2,
        'no-duplicate-container-names': 2,
        'no-duplicate-exported-ports': 2,
        'no-quotes-in-volumes': 2,
        'no-version-field': 2,
        'require-project-name-field': 2,
        'require-quotes-in-ports': [2, { quoteType: 'double' }],
        'service-image-require-explicit-tag': 2,
        // The gateway's port is public on purpose; the others bind 127.0.0.1.
        'no-unbound-port-interfaces': 0,
        'service-dependencies-alphabetical-order': 0,
        'service-keys-order': 0,
        'service-ports-alphabetical-order': 0,
        'services-alphabetical-order': 0,
        'top-level-properties-order': 0,
      },
      quiet: false,
      debug: false,
      exclude: [],
    });
    const [result] = linter.lintFiles([join(ROOT, 'docker-compose.yml')], false);
    expect(result?.messages.map((m) => `${m.rule}: ${m.message}`)).toEqual([]);
  });

  it('runs every Parley app ×2, healthy, after the migration, with pinned images and no inline secrets', () => {
    expect(composeProblems(doc, ctx)).toEqual([]);
  });

  it('gives every app only variables its README table documents and its config reads', () => {
    // (part of composeProblems; spelled out here so a failure names the rule)
    for (const app of ctx.apps) {
      const env = Object.keys(environment(doc.services[app]!));
      const known = ctx.envOf(app);
      expect(env.filter((n) => !known.documented.has(n) || !known.read.has(n))).toEqual([]);
    }
  });

  const service = (d: Compose, name: string) => d.services[name]!;
  const env = (d: Compose, name: string) => service(d, name)['environment'] as Record<string, unknown>;

  it('runs the server API ×2 behind nginx on its own port, with its admin token from .env', () => {
    expect(ctx.apps).toContain('api');
    const api = service(doc, 'api');
    expect(api['command']).toEqual(['api']);
    expect(api['deploy']).toEqual({ replicas: 2 });
    expect(env(doc, 'api')['ADMIN_TOKEN']).toMatch(/^\$\{ADMIN_TOKEN:\?/);
    expect(ctx.envExample).toContain('ADMIN_TOKEN');
    expect(env(doc, 'api')).toMatchObject({ API_SEND_RATE: '500/1000', API_EVENTS_RATE: '10/1000', PORT: env(doc, 'gateway')['PORT'] });
    expect(api['healthcheck']).toEqual(service(doc, 'gateway')['healthcheck']);
    expect(dependsOn(api)).toMatchObject({ migrate: 'service_completed_successfully', nats: 'service_healthy', postgres: 'service_healthy' });
    expect(dependsOn(service(doc, 'gateway-lb'))['api']).toBe('service_healthy');
  });

  it('runs the webhooks dispatcher ×2 after the migration, unpublished, HTTPS and public addresses only', () => {
    expect(ctx.apps).toContain('webhooks');
    const webhooks = service(doc, 'webhooks');
    expect(webhooks['command']).toEqual(['webhooks']);
    expect(webhooks['deploy']).toEqual({ replicas: 2 });
    expect(webhooks['ports']).toBeUndefined();
    expect(webhooks['healthcheck']).toEqual(service(doc, 'gateway')['healthcheck']);
    expect(dependsOn(webhooks)).toMatchObject({ migrate: 'service_completed_successfully', nats: 'service_healthy', postgres: 'service_healthy' });
    expect(env(doc, 'webhooks')).toMatchObject({ WEBHOOK_TIMEOUT_MS: '10000', WEBHOOK_RETRY_HORIZON_MS: '86400000', PORT: env(doc, 'gateway')['PORT'] });
    expect(env(doc, 'webhooks')['WEBHOOK_ALLOW_PRIVATE']).toBeUndefined();
    expect(env(doc, 'webhooks')['WEBHOOK_ALLOW_HTTP']).toBeUndefined();
    // Nothing in front of it: no published service depends on it.
    expect(Object.values(doc.services).filter((s) => s['ports'] !== undefined && dependsOn(s)['webhooks'] !== undefined)).toEqual([]);
  });

  const mutations: Array<[string, (d: Compose) => void, RegExp]> = [
    [
      'a service key is misspelled',
      (d) => (service(d, 'presence')['healtcheck'] = service(d, 'presence')['healthcheck']),
      /schema: \/services\/presence must NOT have additional properties/,
    ],
    ['an app has no healthcheck', (d) => delete service(d, 'presence')['healthcheck'], /presence: no healthcheck/],
    ['an app runs one replica', (d) => (service(d, 'channel')['deploy'] = { replicas: 1 }), /channel: deploy.replicas must be at least 2/],
    [
      'an app does not wait for the migration',
      (d) => delete (service(d, 'attributes')['depends_on'] as Record<string, unknown>)['migrate'],
      /attributes: must wait for migrate/,
    ],
    [
      'an app starts before NATS is healthy',
      (d) => ((service(d, 'invitation')['depends_on'] as Record<string, unknown>)['nats'] = { condition: 'service_started' }),
      /invitation: must wait for nats \(service_healthy\)/,
    ],
    [
      'media does not wait for the bucket',
      (d) => delete (service(d, 'media')['depends_on'] as Record<string, unknown>)['minio-init'],
      /media: must wait for minio-init/,
    ],
    ['an image floats on latest', (d) => (service(d, 'nats')['image'] = 'nats:latest'), /nats: image nats:latest uses the floating tag/],
    ['an image has no tag', (d) => (service(d, 'postgres')['image'] = 'postgres'), /postgres: image postgres has no tag/],
    ['an image tag is only a major version', (d) => (service(d, 'postgres')['image'] = 'postgres:17-alpine'), /not a pinned version/],
    [
      'a password is written inline',
      (d) => (env(d, 'postgres')['POSTGRES_PASSWORD'] = 'hunter2hunter2'),
      /postgres: POSTGRES_PASSWORD must come from the env file/,
    ],
    [
      'an S3 key has a default value',
      (d) => (env(d, 'media')['S3_SECRET_KEY'] = '${S3_SECRET_KEY:-minioadmin}'),
      /media: S3_SECRET_KEY must come from the env file/,
    ],
    [
      'DATABASE_URL carries a literal password',
      (d) => (env(d, 'gateway')['DATABASE_URL'] = 'postgresql://parley:hunter2@postgres:5432/parley'),
      /gateway: DATABASE_URL has a password written in the URL/,
    ],
    ['an app sets an undocumented variable', (d) => (env(d, 'presence')['PRESENCE_TURBO'] = '1'), /presence: PRESENCE_TURBO is not in the README/],
    [
      "an app sets another app's variable",
      (d) => (env(d, 'presence')['DRAIN_TIMEOUT_MS'] = '5000'),
      /presence: DRAIN_TIMEOUT_MS is not in the README's configuration tables for this app/,
    ],
    ['an app listens on 127.0.0.1', (d) => delete env(d, 'channel')['HOST'], /channel: HOST must be 0.0.0.0/],
    [
      'the gateway is stopped before its drain ends',
      (d) => (service(d, 'gateway')['stop_grace_period'] = '10s'),
      /gateway: stop_grace_period must exceed 15000 ms/,
    ],
    ['nothing publishes the gateway', (d) => delete service(d, 'gateway-lb')['ports'], /nothing publishes a port in front of gateway/],
    [
      'nothing publishes the api',
      (d) => delete (service(d, 'gateway-lb')['depends_on'] as Record<string, unknown>)['api'],
      /nothing publishes a port in front of api/,
    ],
    ['the api has no admin token', (d) => delete env(d, 'api')['ADMIN_TOKEN'], /api: ADMIN_TOKEN is required/],
    ['the admin token is written inline', (d) => (env(d, 'api')['ADMIN_TOKEN'] = 'hunter2hunter2hunter2'), /api: ADMIN_TOKEN must come from the env file/],
    ['the api runs one replica', (d) => (service(d, 'api')['deploy'] = { replicas: 1 }), /api: deploy.replicas must be at least 2/],
    ['webhooks runs one replica', (d) => (service(d, 'webhooks')['deploy'] = { replicas: 1 }), /webhooks: deploy.replicas must be at least 2/],
    ['webhooks may call private addresses', (d) => (env(d, 'webhooks')['WEBHOOK_ALLOW_PRIVATE'] = 'true'), /webhooks: WEBHOOK_ALLOW_PRIVATE must stay false/],
    ['webhooks is not started', (d) => delete d.services['webhooks'], /no service runs webhooks/],
    ['an app publishes a port (replicas would clash)', (d) => (service(d, 'gateway')['ports'] = ['8080:8080']), /gateway: publishes ports/],
    [
      'a dependency waits for a health nobody checks',
      (d) => ((service(d, 'presence')['depends_on'] as Record<string, unknown>)['otel-collector'] = { condition: 'service_healthy' }),
      /waits for otel-collector to be healthy, but otel-collector has no healthcheck/,
    ],
    ['the migration service is missing', (d) => delete d.services['migrate'], /exactly one migration service/],
    [
      'a mounted config file is missing',
      (d) => ((service(d, 'gateway-lb')['volumes'] as string[])[0] = './deploy/compose/missing.conf:/etc/nginx/nginx.conf:ro'),
      /gateway-lb: mounts .\/deploy\/compose\/missing.conf/,
    ],
  ];

  describe('fails when', () => {
    it.each(mutations)('%s', (_what, mutate, expected) => {
      const copy = clone(doc);
      mutate(copy);
      expect(problems(copy).join('\n')).toMatch(expected);
    });

    it('a required secret is missing from deploy/compose/.env.example', () => {
      const envExample = new Set([...ctx.envExample].filter((n) => n !== 'POSTGRES_PASSWORD'));
      expect(problems(doc, { ...ctx, envExample }).join('\n')).toMatch(/\$\{POSTGRES_PASSWORD\} is required but missing/);
    });
  });

  describe('its config files', () => {
    it('nginx balances WebSocket and HTTP over every gateway replica', () => {
      const nginx = read('deploy/compose/nginx.conf');
      expect(nginx).toMatch(/server gateway:8080 resolve/);
      expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
      expect(nginx).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
      expect(nginx).toMatch(/listen 8080;/);
      expect(service(doc, 'gateway-lb')['ports']).toEqual([expect.stringMatching(/:8080$/), expect.stringMatching(/^127\.0\.0\.1:.*:8090$/)]);
    });

    it('nginx balances the server API over every api replica on its own port (8090)', () => {
      const nginx = read('deploy/compose/nginx.conf');
      expect(nginx).toMatch(new RegExp(`server api:${env(doc, 'api')['PORT']} resolve`));
      expect(nginx).toMatch(/upstream parley_api \{[^}]*least_conn;/);
      const apiServer = /server \{\s*listen 8090;[\s\S]*?\n {2}\}/.exec(nginx)?.[0] ?? '';
      expect(apiServer).toMatch(/proxy_pass http:\/\/parley_api;/);
      expect(apiServer).not.toMatch(/Upgrade/);
    });

    it('the collector receives OTLP/HTTP where the apps send it and exports to Jaeger', () => {
      const collector = parseYaml(read('deploy/compose/otel-collector.yaml'), 'otel-collector.yaml') as Record<string, Record<string, unknown>>;
      const endpoint = String(env(doc, 'presence')['OTEL_EXPORTER_OTLP_ENDPOINT']);
      expect(endpoint).toBe('http://otel-collector:4318');
      expect(JSON.stringify(collector['receivers'])).toContain('0.0.0.0:4318');
      const exporters = collector['exporters'] as Record<string, { endpoint: string }>;
      expect(Object.values(exporters).map((e) => e.endpoint)).toContain('jaeger:4317');
      expect(doc.services['jaeger']).toBeDefined();
    });

    it('the bucket lifecycle matches the media service (same rule id, MEDIA_TTL_MS in days)', () => {
      const lifecycle = JSON.parse(read('deploy/compose/minio-lifecycle.json')) as { Rules: Array<{ ID: string; Expiration: { Days: number } }> };
      const ruleId = /LIFECYCLE_RULE_ID = '([^']+)'/.exec(read('apps/media/src/media/media-storage.ts'))?.[1];
      const ttlMs = Number(env(doc, 'media')['MEDIA_TTL_MS'] ?? 7 * 24 * 3600 * 1000);
      expect(lifecycle.Rules).toEqual([expect.objectContaining({ ID: ruleId, Status: 'Enabled', Expiration: { Days: Math.ceil(ttlMs / 86_400_000) } })]);
      const init = environment(service(doc, 'minio-init'));
      expect(init['S3_BUCKET']).toBe(env(doc, 'media')['S3_BUCKET']);
      expect(read('deploy/compose/minio-init.sh')).toMatch(/mc ilm import "local\/\$S3_BUCKET" < \/config\/minio-lifecycle.json/);
    });

    it('NATS runs JetStream and is checked on its monitoring port', () => {
      const nats = service(doc, 'nats');
      expect(nats['command']).toEqual(expect.arrayContaining(['--jetstream']));
      expect(JSON.stringify(nats['healthcheck'])).toContain(':8222/healthz');
      expect(env(doc, 'gateway')['NATS_URL']).toBe('nats://nats:4222');
    });

    it('Prometheus (profile metrics) scrapes /metrics of every app on its PORT', () => {
      const prom = parseYaml(read('deploy/compose/prometheus.yml'), 'prometheus.yml') as { scrape_configs: Array<Record<string, unknown>> };
      const job = prom.scrape_configs.find((j) => j['metrics_path'] === '/metrics');
      const sd = (job?.['dns_sd_configs'] as Array<{ names: string[]; port: number }>)[0]!;
      expect([...sd.names].sort()).toEqual(ctx.apps);
      expect(String(sd.port)).toBe(env(doc, 'gateway')['PORT']);
      expect(isRecord(service(doc, 'prometheus'))).toBe(true);
    });

    it('Grafana (profile metrics) provisions Prometheus and the dashboards of deploy/grafana/', () => {
      const grafana = service(doc, 'grafana');
      const mounts = (grafana['volumes'] as string[]).map((v) => v.split(':'));
      const dashboards = parseYaml(read('deploy/compose/grafana/dashboards.yaml'), 'dashboards.yaml') as { providers: Array<{ options: { path: string } }> };
      const dashboardDir = dashboards.providers[0]!.options.path;
      expect(mounts).toContainEqual(['./deploy/grafana', dashboardDir, 'ro']);
      const datasources = parseYaml(read('deploy/compose/grafana/datasources.yaml'), 'datasources.yaml') as {
        datasources: Array<{ type: string; url: string }>;
      };
      expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
      expect(grafana['profiles']).toEqual(service(doc, 'prometheus')['profiles']);
    });
  });
});
