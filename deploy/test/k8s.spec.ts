import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { appEnv, migrateEnv, readmeEnvTables } from './support/env';
import { imageProblem } from './support/images';
import { type K8sContext, PRIVATE_RANGES, k8sProblems } from './support/k8s';
import { schemaProblems, typeProblems } from './support/k8s-schema';
import { type K8sObject, KustomizeError, kustomizationFiles, loadObjects, objectId, podSpecs, renderKustomization } from './support/kustomize';
import { ROOT, clone, isRecord, listFiles, parleyApps, parseYaml, parseYamlDocuments, read } from './support/repo';

const BASE = 'deploy/k8s/base';
const OVERLAYS = ['deploy/k8s/overlays/production'];

/** `kubectl kustomize` where kubectl is installed (it embeds kustomize), else undefined. */
function kubectlKustomize(dir: string): K8sObject[] | undefined {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseYamlDocuments(out, `kubectl kustomize ${dir}`) as K8sObject[];
}
const byId = (objects: K8sObject[]) => Object.fromEntries(objects.map((o) => [objectId(o), o]));
const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

const secretsExample = loadObjects('deploy/k8s/secrets.example.yaml');
const tables = readmeEnvTables();
const ctx: K8sContext = {
  apps: parleyApps(),
  envOf: (app) => appEnv(app, tables),
  migrateEnv: migrateEnv(),
  secrets: new Map(secretsExample.map((s) => [s.metadata.name, new Set(Object.keys({ ...(s['stringData'] as object), ...(s['data'] as object) }))])),
};

describe('deploy/k8s', () => {
  it('has no YAML outside a kustomization except *.example.yaml files', () => {
    const used = new Set([BASE, ...OVERLAYS].flatMap(kustomizationFiles));
    const stray = listFiles('deploy/k8s').filter((f) => /\.ya?ml$/.test(f) && !used.has(f) && !f.endsWith('.example.yaml'));
    expect(stray).toEqual([]);
    expect([...used].filter((f) => f.endsWith('.example.yaml'))).toEqual([]);
  });

  describe.each([BASE, ...OVERLAYS])('%s rendered', (dir) => {
    const objects = renderKustomization(dir);

    it('has every kind Parley needs', () => {
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Job', 'ConfigMap', 'ServiceAccount'])
        expect(kinds).toContain(kind);
    });

    it('validates against the Kubernetes schemas (kubernetes-models)', async () => {
      expect(await schemaProblems(objects)).toEqual([]);
    });

    it('has no unknown or mistyped fields (kubernetes-models type declarations)', () => {
      expect(typeProblems(objects)).toEqual([]);
    });

    it('probes, resources, non-root, PDB and HPA for every app; pinned images; no inline secrets', () => {
      expect(k8sProblems(objects, ctx)).toEqual([]);
    });

    it('runs the server API (api): Deployment, Service, HPA, PDB, NetworkPolicy, ADMIN_TOKEN from Secret parley-api', () => {
      expect(ctx.apps).toContain('api');
      const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
      const deployment = named('Deployment', 'parley-api')!;
      expect(deployment).toBeDefined();
      const [pod] = podSpecs(deployment);
      const [main] = pod!['containers'] as Array<Record<string, unknown>>;
      expect(main!['args']).toEqual(['api']);
      expect(main!['env']).toContainEqual({ name: 'ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: 'parley-api', key: 'ADMIN_TOKEN' } } });
      expect(main!['envFrom']).toEqual([{ configMapRef: { name: 'parley-common' } }, { configMapRef: { name: 'parley-api' } }]);
      // The same probes, scrape annotations, pod security and spread as the gateway.
      const gatewayDeployment = named('Deployment', 'parley-gateway')!;
      const [gatewayPod] = podSpecs(gatewayDeployment);
      const [gatewayMain] = gatewayPod!['containers'] as Array<Record<string, unknown>>;
      for (const key of ['startupProbe', 'livenessProbe', 'readinessProbe', 'ports', 'securityContext', 'volumeMounts', 'lifecycle'])
        expect([key, main![key]]).toEqual([key, gatewayMain![key]]);
      for (const key of ['securityContext', 'serviceAccountName', 'automountServiceAccountToken', 'volumes'])
        expect([key, pod![key]]).toEqual([key, gatewayPod![key]]);
      const template = (d: K8sObject) => (d['spec'] as { template: { metadata: { annotations: unknown } } }).template;
      expect(template(deployment).metadata.annotations).toEqual(template(gatewayDeployment).metadata.annotations);
      expect(JSON.stringify(pod!['topologySpreadConstraints'])).toContain('"app.kubernetes.io/component":"api"');
      expect((deployment['spec'] as Record<string, unknown>)['strategy']).toEqual((gatewayDeployment['spec'] as Record<string, unknown>)['strategy']);
      expect(named('Service', 'parley-api')!['spec']).toMatchObject({
        selector: { 'app.kubernetes.io/component': 'api' },
        ports: [{ name: 'http', port: 8090, targetPort: 'http' }],
      });
      expect(named('HorizontalPodAutoscaler', 'parley-api')!['spec']).toMatchObject({
        scaleTargetRef: { kind: 'Deployment', name: 'parley-api' },
        minReplicas: 2,
      });
      expect(named('PodDisruptionBudget', 'parley-api')!['spec']).toMatchObject({ selector: { matchLabels: { 'app.kubernetes.io/component': 'api' } } });
      expect(named('NetworkPolicy', 'parley-api-ingress')!['spec']).toMatchObject({
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'api' } },
        ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
      });
      const apiConfig = named('ConfigMap', 'parley-api')!['data'];
      expect(apiConfig).toEqual({ API_SEND_RATE: '500/1000', API_EVENTS_RATE: '10/1000' });
      expect(ctx.secrets.get('parley-api')).toEqual(new Set(['ADMIN_TOKEN']));
    });

    it('runs the webhooks dispatcher: Deployment, metrics-only Service, HPA, PDB, internet-only egress', () => {
      expect(ctx.apps).toContain('webhooks');
      const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
      const deployment = named('Deployment', 'parley-webhooks')!;
      expect(deployment).toBeDefined();
      const [pod] = podSpecs(deployment);
      const [main] = pod!['containers'] as Array<Record<string, unknown>>;
      expect(main!['args']).toEqual(['webhooks']);
      expect(main!['envFrom']).toEqual([{ configMapRef: { name: 'parley-common' } }, { configMapRef: { name: 'parley-webhooks' } }]);
      expect(main!['env']).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'parley-database', key: 'DATABASE_URL' } } }]);
      // The same probes, ports and pod security as the services (media: no traffic of its own either).
      const media = named('Deployment', 'parley-media')!;
      const [mediaPod] = podSpecs(media);
      const [mediaMain] = mediaPod!['containers'] as Array<Record<string, unknown>>;
      for (const key of ['startupProbe', 'livenessProbe', 'readinessProbe', 'ports', 'securityContext', 'volumeMounts'])
        expect([key, main![key]]).toEqual([key, mediaMain![key]]);
      for (const key of ['securityContext', 'serviceAccountName', 'automountServiceAccountToken', 'volumes'])
        expect([key, pod![key]]).toEqual([key, mediaPod![key]]);
      expect(JSON.stringify(pod!['topologySpreadConstraints'])).toContain('"app.kubernetes.io/component":"webhooks"');
      expect(named('ConfigMap', 'parley-webhooks')!['data']).toEqual({ WEBHOOK_TIMEOUT_MS: '10000', WEBHOOK_RETRY_HORIZON_MS: '86400000' });
      expect(named('Service', 'parley-webhooks')!['spec']).toMatchObject({
        selector: { 'app.kubernetes.io/component': 'webhooks' },
        ports: [{ name: 'http', port: 8080, targetPort: 'http' }],
      });
      expect(named('HorizontalPodAutoscaler', 'parley-webhooks')!['spec']).toMatchObject({
        scaleTargetRef: { kind: 'Deployment', name: 'parley-webhooks' },
        minReplicas: 2,
      });
      expect(named('PodDisruptionBudget', 'parley-webhooks')!['spec']).toMatchObject({
        selector: { matchLabels: { 'app.kubernetes.io/component': 'webhooks' } },
      });
      // Egress: HTTPS to public addresses only (plus DNS, NATS, Postgres, OTLP from parley-egress).
      expect(named('NetworkPolicy', 'parley-webhooks-egress')!['spec']).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'parley', 'app.kubernetes.io/component': 'webhooks' } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES.v4 } }, { ipBlock: { cidr: '::/0', except: PRIVATE_RANGES.v6 } }],
            ports: [{ port: 443, protocol: 'TCP' }],
          },
        ],
      });
      // The api sends the admin API's test pings to the same receivers: the same egress.
      expect(named('NetworkPolicy', 'parley-api-egress')!['spec']).toMatchObject({
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'api' } },
        egress: (named('NetworkPolicy', 'parley-webhooks-egress')!['spec'] as { egress: unknown }).egress,
      });
      // Ingress: nothing but the metrics scrape (no policy naming webhooks has an ingress rule).
      const labels = (deployment['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      const ingress = objects
        .filter((o) => o.kind === 'NetworkPolicy')
        .filter((p) =>
          Object.entries((p['spec'] as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels).every(([k, v]) => labels[k] === v),
        )
        .filter((p) => (p['spec'] as { ingress?: unknown }).ingress !== undefined)
        .map((p) => p.metadata.name);
      expect(ingress).toEqual(['parley-metrics-ingress']);
    });

    (hasKubectl ? it : it.skip)('renders exactly as `kubectl kustomize` does', () => {
      const theirs = kubectlKustomize(dir)!;
      expect(byId(objects)).toEqual(byId(theirs));
    });
  });

  describe('overlays/production', () => {
    const objects = renderKustomization(OVERLAYS[0]!);

    it('puts everything in namespace parley under the "restricted" Pod Security Standard', () => {
      const ns = objects.find((o) => o.kind === 'Namespace');
      expect(ns?.metadata.name).toBe('parley');
      expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'parley').map(objectId)).toEqual([]);
    });

    it('runs the release of this repository (package.json version), as docker-compose.yml does', () => {
      const version = (JSON.parse(read('package.json')) as { version: string }).version;
      const images = new Set(objects.flatMap((o) => podSpecs(o).flatMap((p) => (p['containers'] as Array<{ image: string }>).map((c) => c.image))));
      expect([...images]).toEqual([`ghcr.io/parley/parley:${version}`]);
      expect(read('docker-compose.yml')).toContain(`image: ghcr.io/parley/parley:${version}`);
    });

    it('gives the gateway more room and the HPAs their production bounds (the patches applied)', () => {
      const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'parley-gateway')!;
      const [container] = podSpecs(gateway)[0]!['containers'] as Array<{ resources: unknown; livenessProbe: unknown }>;
      expect(container!.resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } });
      expect(container!.livenessProbe).toBeDefined(); // the strategic merge kept the rest
      const hpa = (name: string) => objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name)!['spec'];
      expect(hpa('parley-gateway')).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
      expect(hpa('parley-media')).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
      expect(hpa('parley-api')).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
      expect(hpa('parley-webhooks')).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
      const common = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'parley-common')!['data'] as Record<string, string>;
      expect(common['NATS_URL']!.split(',')).toHaveLength(3);
      expect(common['LOG_LEVEL']).toBe('info');
    });

    const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
    const container = (o: K8sObject) => (podSpecs(o)[0]!['containers'] as Array<Record<string, unknown>>)[0]!;
    const gateway = (d: K8sObject[]) => find(d, 'Deployment', 'parley-gateway');
    type IpBlockRule = { to: Array<{ ipBlock: { cidr: string; except: string[] } }>; ports?: unknown };
    const webhooksEgress = (d: K8sObject[]) => (find(d, 'NetworkPolicy', 'parley-webhooks-egress')['spec'] as { egress: IpBlockRule[] }).egress[0]!;
    const mutations: Array<[string, (objects: K8sObject[]) => K8sObject[] | void, RegExp]> = [
      [
        'a field is misspelled',
        (d) => void (container(gateway(d))['livenesProbe'] = container(gateway(d))['livenessProbe']),
        /livenesProbe"?' does not exist in type 'IContainer'/,
      ],
      [
        'a field has the wrong type',
        (d) => void ((find(d, 'HorizontalPodAutoscaler', 'parley-channel')['spec'] as Record<string, unknown>)['minReplicas'] = 'two'),
        /HorizontalPodAutoscaler\/parley\/parley-channel: .*minReplicas/,
      ],
      [
        'a required field is missing',
        (d) => void delete (find(d, 'PodDisruptionBudget', 'parley-media') as Record<string, unknown>)['apiVersion'],
        /no schema for undefined PodDisruptionBudget|apiVersion/,
      ],
      [
        'the readiness probe is gone',
        (d) => void delete container(find(d, 'Deployment', 'parley-presence'))['readinessProbe'],
        /parley-presence: readinessProbe must GET \/health\/ready/,
      ],
      [
        'the liveness probe checks readiness',
        (d) => void ((container(gateway(d))['livenessProbe'] as { httpGet: { path: string } }).httpGet.path = '/health/ready'),
        /parley-gateway: livenessProbe must GET \/health\/live/,
      ],
      [
        'resources are missing',
        (d) => void delete container(find(d, 'Deployment', 'parley-channel'))['resources'],
        /parley-channel container channel: resources.requests cpu and memory required/,
      ],
      [
        'a pod may run as root',
        (d) => void ((podSpecs(find(d, 'Deployment', 'parley-media'))[0]!['securityContext'] as Record<string, unknown>)['runAsNonRoot'] = false),
        /parley-media: pod securityContext.runAsNonRoot must be true/,
      ],
      [
        'the root filesystem is writable',
        (d) => void ((container(gateway(d))['securityContext'] as Record<string, unknown>)['readOnlyRootFilesystem'] = false),
        /readOnlyRootFilesystem must be true/,
      ],
      [
        'a PodDisruptionBudget is missing',
        (d) => d.filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'parley-invitation')),
        /parley-invitation: no PodDisruptionBudget selects its pods/,
      ],
      [
        'an HPA is missing',
        (d) => d.filter((o) => !(o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'parley-attributes')),
        /parley-attributes: no HorizontalPodAutoscaler targets it/,
      ],
      [
        'an HPA allows a single replica',
        (d) => void ((find(d, 'HorizontalPodAutoscaler', 'parley-gateway')['spec'] as Record<string, unknown>)['minReplicas'] = 1),
        /minReplicas must be at least 2/,
      ],
      [
        'a Deployment fights its HPA over replicas',
        (d) => void ((gateway(d)['spec'] as Record<string, unknown>)['replicas'] = 2),
        /parley-gateway: sets replicas although an HPA owns the count/,
      ],
      ['an image floats on latest', (d) => void (container(gateway(d))['image'] = 'ghcr.io/parley/parley:latest'), /floating tag latest/],
      [
        'DATABASE_URL is written inline',
        (d) =>
          void ((container(gateway(d))['env'] as Array<Record<string, unknown>>)[0] = {
            name: 'DATABASE_URL',
            value: 'postgresql://parley:hunter2@db:5432/parley',
          }),
        /DATABASE_URL must come from a Secret/,
      ],
      [
        'a ConfigMap holds a password',
        (d) => void ((find(d, 'ConfigMap', 'parley-media')['data'] as Record<string, string>)['S3_SECRET_KEY'] = 'hunter2'),
        /parley-media: S3_SECRET_KEY belongs in a Secret/,
      ],
      ['a Secret is part of the manifests', (d) => [...d, ...secretsExample], /a Secret is in the manifests/],
      [
        'a secretKeyRef names a key nobody creates',
        (d) =>
          void ((container(gateway(d))['env'] as Array<Record<string, Record<string, Record<string, string>>>>)[0]!['valueFrom']!['secretKeyRef']!['key'] =
            'URL'),
        /reads Secret parley-database key URL/,
      ],
      [
        'the gateway is killed before its drain ends',
        (d) => void (podSpecs(gateway(d))[0]!['terminationGracePeriodSeconds'] = 15),
        /terminationGracePeriodSeconds 15 must exceed 20 s/,
      ],
      [
        'an app gets an undocumented variable',
        (d) => void ((find(d, 'ConfigMap', 'parley-common')['data'] as Record<string, string>)['GATEWAY_TURBO'] = '1'),
        /GATEWAY_TURBO is not in the README/,
      ],
      [
        "an app gets another app's variable",
        (d) => void ((find(d, 'ConfigMap', 'parley-common')['data'] as Record<string, string>)['DRAIN_TIMEOUT_MS'] = '5000'),
        /parley-presence: DRAIN_TIMEOUT_MS is not in the README's configuration tables for this app/,
      ],
      [
        'clients cannot reach the gateway',
        (d) => d.filter((o) => o.metadata.name !== 'parley-gateway-ingress'),
        /parley-gateway: no NetworkPolicy lets clients reach its port from anywhere/,
      ],
      [
        'app servers cannot reach the api',
        (d) => d.filter((o) => o.metadata.name !== 'parley-api-ingress'),
        /parley-api: no NetworkPolicy lets clients reach its port from anywhere/,
      ],
      [
        'the api has no admin token',
        (d) => void (container(find(d, 'Deployment', 'parley-api'))['env'] as Array<{ name: string }>).splice(1, 1),
        /parley-api: ADMIN_TOKEN is required/,
      ],
      [
        'the admin token is written inline',
        (d) =>
          void ((container(find(d, 'Deployment', 'parley-api'))['env'] as Array<Record<string, unknown>>)[1] = {
            name: 'ADMIN_TOKEN',
            value: 'hunter2hunter2hunter2',
          }),
        /parley-api: ADMIN_TOKEN must come from a Secret/,
      ],
      [
        'the api has no Service',
        (d) => d.filter((o) => !(o.kind === 'Service' && o.metadata.name === 'parley-api')),
        /parley-api: no Service reaches its PORT/,
      ],
      [
        'the api has no PodDisruptionBudget',
        (d) => d.filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'parley-api')),
        /parley-api: no PodDisruptionBudget selects its pods/,
      ],
      [
        'the api stops serving before endpoints drop it',
        (d) => void delete container(find(d, 'Deployment', 'parley-api'))['lifecycle'],
        /parley-api: needs a preStop pause/,
      ],
      ['the api has no Deployment', (d) => d.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'parley-api')), /no Deployment runs api/],
      [
        'apps cannot reach Postgres',
        (d) => void (find(d, 'NetworkPolicy', 'parley-egress')['spec'] as { egress: Array<{ ports: Array<{ port: number }> }> }).egress[1]!.ports.splice(1, 1),
        /no NetworkPolicy lets it reach port 5432/,
      ],
      ['the migration Job is missing', (d) => d.filter((o) => o.kind !== 'Job'), /exactly one migration Job/],
      [
        'webhooks has no Deployment',
        (d) => d.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'parley-webhooks')),
        /no Deployment runs webhooks/,
      ],
      [
        'webhooks has no PodDisruptionBudget',
        (d) => d.filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'parley-webhooks')),
        /parley-webhooks: no PodDisruptionBudget selects its pods/,
      ],
      [
        'webhook receivers are unreachable',
        (d) => d.filter((o) => o.metadata.name !== 'parley-webhooks-egress'),
        /parley-webhooks: no NetworkPolicy lets it reach receivers on 0\.0\.0\.0\/0 port 443/,
      ],
      [
        'webhooks may reach the private network',
        (d) => void (webhooksEgress(d).to[0]!.ipBlock.except = PRIVATE_RANGES.v4.filter((r) => r !== '10.0.0.0/8')),
        /parley-webhooks: NetworkPolicy parley-webhooks-egress opens port 443 to 0\.0\.0\.0\/0 without excepting 10\.0\.0\.0\/8/,
      ],
      [
        'webhooks may reach cloud metadata over IPv4 and unique-local IPv6',
        (d) => {
          const rule = webhooksEgress(d);
          rule.to[0]!.ipBlock.except = PRIVATE_RANGES.v4.filter((r) => r !== '169.254.0.0/16');
          rule.to[1]!.ipBlock.except = ['fe80::/10'];
        },
        /without excepting 169\.254\.0\.0\/16[\s\S]*::\/0 without excepting fc00::\/7/,
      ],
      [
        'webhooks may reach every port',
        (d) => void delete (webhooksEgress(d) as { ports?: unknown }).ports,
        /parley-webhooks: NetworkPolicy parley-webhooks-egress opens every port; name the receivers' ports \(443\)/,
      ],
      [
        'a policy for every pod opens HTTPS anywhere (undoing the exceptions for webhooks)',
        (d) =>
          void ((find(d, 'NetworkPolicy', 'parley-media-egress')['spec'] as { podSelector: unknown }).podSelector = {
            matchLabels: { 'app.kubernetes.io/part-of': 'parley' },
          }),
        /parley-webhooks: NetworkPolicy parley-media-egress opens port 9000, 443 to any address/,
      ],
      [
        'webhooks may reach cluster pods on 443',
        (d) => void webhooksEgress(d).to.push({ namespaceSelector: {} } as never),
        /parley-webhooks: NetworkPolicy parley-webhooks-egress opens port 443 to pods or namespaces of the cluster/,
      ],
      [
        'webhooks accepts traffic from anywhere',
        (d) =>
          void d.push({
            ...clone(find(d, 'NetworkPolicy', 'parley-api-ingress')),
            metadata: { name: 'parley-webhooks-ingress', namespace: 'parley' },
            spec: {
              podSelector: { matchLabels: { 'app.kubernetes.io/component': 'webhooks' } },
              policyTypes: ['Ingress'],
              ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
            },
          }),
        /parley-webhooks: a NetworkPolicy lets anyone reach its port/,
      ],
      [
        "the api's test ping may reach the private network",
        (d) =>
          void delete ((find(d, 'NetworkPolicy', 'parley-api-egress')['spec'] as { egress: IpBlockRule[] }).egress[0]!.to[0]!.ipBlock as { except?: unknown })
            .except,
        /parley-api: NetworkPolicy parley-api-egress opens port 443 to 0\.0\.0\.0\/0 without excepting 10\.0\.0\.0\/8/,
      ],
      [
        'webhooks may call private addresses',
        (d) => void ((find(d, 'ConfigMap', 'parley-webhooks')['data'] as Record<string, string>)['WEBHOOK_ALLOW_PRIVATE'] = 'true'),
        /parley-webhooks: WEBHOOK_ALLOW_PRIVATE must stay false in a cluster/,
      ],
      [
        'an app has no Deployment',
        (d) => d.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'parley-invitation')),
        /no Deployment runs invitation/,
      ],
    ];

    describe('fails when', () => {
      it.each(mutations)('%s', async (_what, mutate, expected) => {
        const copy = clone(objects);
        const changed = mutate(copy) ?? copy;
        const problems = [...(await schemaProblems(changed)), ...typeProblems(changed), ...k8sProblems(changed, ctx)];
        expect(problems.join('\n')).toMatch(expected);
      });
    });
  });

  describe('the renderer', () => {
    it('refuses kustomization fields it does not implement', () => {
      expect(() => renderKustomization('deploy/test/fixtures/kustomize-unsupported')).toThrow(KustomizeError);
      expect(() => renderKustomization('deploy/test/fixtures/kustomize-unsupported')).toThrow(/unsupported fields commonLabels/);
    });

    it('refuses a patch that matches nothing', () => {
      expect(() => renderKustomization('deploy/test/fixtures/kustomize-stray-patch')).toThrow(/matches no resource/);
    });
  });

  describe('example files (not applied by kustomize)', () => {
    it('secrets.example.yaml holds placeholders only, for every Secret the manifests read', async () => {
      expect(await schemaProblems(secretsExample)).toEqual([]);
      expect(typeProblems(secretsExample)).toEqual([]);
      for (const secret of secretsExample) {
        for (const [key, value] of Object.entries(secret['stringData'] as Record<string, string>)) {
          if (/SECRET|PASSWORD|TOKEN|DATABASE_URL/.test(key)) expect(value).toContain('CHANGE_ME');
        }
      }
    });

    it('ingress.example.yaml is valid and points at the gateway and api Service ports', async () => {
      const ingress = loadObjects('deploy/k8s/ingress.example.yaml');
      expect(await schemaProblems(ingress)).toEqual([]);
      expect(typeProblems(ingress)).toEqual([]);
      const rendered = renderKustomization(OVERLAYS[0]!);
      expect(ingress.map((i) => i.metadata.name)).toEqual(['parley-gateway', 'parley-api']);
      for (const [i, name] of ['parley-gateway', 'parley-api'].entries()) {
        const service = rendered.find((o) => o.kind === 'Service' && o.metadata.name === name)!;
        expect((service['spec'] as { ports: Array<{ name: string }> }).ports.map((p) => p.name)).toContain('http');
        const backend = JSON.stringify(ingress[i]!['spec']);
        expect(backend).toContain(`"name":"${service.metadata.name}"`);
        expect(backend).toContain('"port":{"name":"http"}');
      }
      // Long WebSocket timeouts on the gateway's host only.
      expect(ingress[1]!.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBeUndefined();
    });

    it('dependencies/*.example.yaml parse and pin their images', () => {
      const files = listFiles('deploy/k8s/dependencies');
      expect(files.length).toBeGreaterThan(0);
      const images: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (isRecord(v)) {
          if (typeof v['repository'] === 'string' && v['tag'] !== undefined) images.push(`${v['repository']}:${String(v['tag'])}`);
          if (typeof v['imageName'] === 'string') images.push(v['imageName']);
          Object.values(v).forEach(walk);
        }
      };
      for (const f of files) {
        expect(f).toMatch(/\.example\.yaml$/);
        parseYamlDocuments(read(f), f).forEach(walk);
      }
      expect(images.length).toBeGreaterThanOrEqual(4);
      expect(images.map(imageProblem).filter(Boolean)).toEqual([]);
      expect(parseYaml(read('deploy/k8s/dependencies/nats.values.example.yaml'), 'nats values')).toMatchObject({
        config: { cluster: { enabled: true, replicas: 3 }, jetstream: { enabled: true, memoryStore: { enabled: true } } },
      });
    });
  });
});
