import { type AppEnv, SECRET_NAME, envProblems, urlPassword } from './env';
import { imageProblem } from './images';
import { type K8sObject, containersOf, objectId, podSpecs } from './kustomize';
import { isRecord } from './repo';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface K8sContext {
  apps: string[];
  envOf: (app: string) => AppEnv;
  migrateEnv: AppEnv;
  /** Secret name → keys, from deploy/k8s/secrets.example.yaml. */
  secrets: Map<string, Set<string>>;
}

const labelsMatch = (selector: unknown, labels: Rec) => {
  const match = rec(rec(selector)['matchLabels'] ?? selector);
  return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
};
const find = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const templateLabels = (o: K8sObject) => rec(rec(rec(rec(o['spec'])['template'])['metadata'])['labels']);
/** The Parley command a container runs: its first arg (the image's entrypoint picks the app). */
const command = (c: Rec) => String(list(c['args'])[0] ?? list(c['command'])[0] ?? '');

/** Variables a container gets: explicit env plus the keys of its envFrom ConfigMaps. */
function containerEnv(c: Rec, objects: K8sObject[], who: string, problems: string[]): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const from of list(c['envFrom']).map(rec)) {
    const cm = rec(from['configMapRef'])['name'];
    if (cm !== undefined) {
      const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cm);
      if (!map) problems.push(`${who}: envFrom ConfigMap ${String(cm)} is not in the manifests`);
      for (const [k, v] of Object.entries(rec(map?.['data']))) env.set(k, String(v));
    }
    if (from['secretRef'] !== undefined) problems.push(`${who}: envFrom secretRef hides which keys it sets; use env[].valueFrom.secretKeyRef`);
  }
  for (const e of list(c['env']).map(rec)) env.set(String(e['name']), e['value'] === undefined ? undefined : String(e['value']));
  return env;
}

function secretRefProblems(c: Rec, who: string, ctx: K8sContext): string[] {
  const problems: string[] = [];
  for (const e of list(c['env']).map(rec)) {
    const name = String(e['name']);
    const ref = rec(rec(e['valueFrom'])['secretKeyRef']);
    const secretish = SECRET_NAME.test(name) || name === 'DATABASE_URL';
    if (secretish && Object.keys(ref).length === 0) problems.push(`${who}: ${name} must come from a Secret (valueFrom.secretKeyRef), not be written here`);
    if (typeof e['value'] === 'string' && urlPassword(e['value']) !== undefined) problems.push(`${who}: ${name} has a password written in the URL`);
    if (Object.keys(ref).length > 0) {
      const keys = ctx.secrets.get(String(ref['name']));
      if (!keys?.has(String(ref['key'])))
        problems.push(`${who}: ${name} reads Secret ${String(ref['name'])} key ${String(ref['key'])}, which deploy/k8s/secrets.example.yaml does not describe`);
    }
  }
  return problems;
}

function securityProblems(podSpec: Rec, who: string): string[] {
  const problems: string[] = [];
  const pod = rec(podSpec['securityContext']);
  if (pod['runAsNonRoot'] !== true) problems.push(`${who}: pod securityContext.runAsNonRoot must be true`);
  if (pod['runAsUser'] === 0) problems.push(`${who}: runs as uid 0`);
  if (podSpec['automountServiceAccountToken'] !== false) problems.push(`${who}: automountServiceAccountToken must be false (Parley calls no Kubernetes API)`);
  for (const c of containersOf(podSpec)) {
    const sc = rec(c['securityContext']);
    const name = `${who} container ${String(c['name'])}`;
    if (sc['runAsUser'] === 0) problems.push(`${name}: runs as uid 0`);
    if (sc['allowPrivilegeEscalation'] !== false) problems.push(`${name}: allowPrivilegeEscalation must be false`);
    if (sc['readOnlyRootFilesystem'] !== true) problems.push(`${name}: readOnlyRootFilesystem must be true`);
    if (!list(rec(sc['capabilities'])['drop']).includes('ALL')) problems.push(`${name}: capabilities must drop ALL`);
    const seccomp = rec(sc['seccompProfile'])['type'] ?? rec(pod['seccompProfile'])['type'];
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${name}: seccompProfile RuntimeDefault required`);
    const resources = rec(c['resources']);
    const requests = rec(resources['requests']);
    if (requests['cpu'] === undefined || requests['memory'] === undefined) problems.push(`${name}: resources.requests cpu and memory required`);
    if (rec(resources['limits'])['memory'] === undefined) problems.push(`${name}: resources.limits.memory required`);
    if (typeof c['image'] !== 'string') problems.push(`${name}: no image`);
    else {
      const bad = imageProblem(c['image']);
      if (bad) problems.push(`${name}: image ${bad}`);
    }
  }
  return problems;
}

const probe = (c: Rec, kind: string) => rec(rec(c[kind])['httpGet']);

/** Apps whose port takes traffic from outside Parley: the gateway (SDK clients), the api (app servers). */
export const HTTP_FRONT_APPS = ['gateway', 'api'];
/**
 * Apps that call out to addresses their users choose (webhooks: app owners' endpoints): internet
 * egress, never to these ranges (private, link-local/cloud metadata, carrier-grade NAT, IPv6 ULA and
 * link-local), and their allow-anything switches stay off.
 */
export const OUTBOUND_APPS: Record<string, { ports: number[]; forbiddenEnv: string[] }> = {
  webhooks: { ports: [443], forbiddenEnv: ['WEBHOOK_ALLOW_PRIVATE', 'WEBHOOK_ALLOW_HTTP'] },
  // The admin API's webhook test ping.
  api: { ports: [443], forbiddenEnv: ['WEBHOOK_ALLOW_PRIVATE', 'WEBHOOK_ALLOW_HTTP'] },
};
export const PRIVATE_RANGES = {
  v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'],
  v6: ['fc00::/7', 'fe80::/10'],
};
/** Ports every app reaches wherever they run (DNS, NATS, Postgres, OTLP/HTTP): "to" may be anything. */
const INFRA_PORTS = [53, 4222, 5432, 4318];
/** Secret variables an app cannot run without in the image (NODE_ENV=production), by app. */
export const REQUIRED_SECRETS: Record<string, string[]> = { api: ['ADMIN_TOKEN'] };
const seconds = (ms: string | undefined, fallback: number) => Number(ms ?? fallback) / 1000;

/** Every rule the rendered manifests must meet; [] when they do. */
export function k8sProblems(objects: K8sObject[], ctx: K8sContext): string[] {
  const problems: string[] = [];
  if (objects.some((o) => o.kind === 'Secret'))
    problems.push('a Secret is in the manifests: secrets are created outside them (deploy/k8s/secrets.example.yaml)');
  for (const cm of find(objects, 'ConfigMap')) {
    for (const [k, v] of Object.entries(rec(cm['data']))) {
      if (SECRET_NAME.test(k) || k === 'DATABASE_URL') problems.push(`${objectId(cm)}: ${k} belongs in a Secret`);
      if (urlPassword(String(v)) !== undefined) problems.push(`${objectId(cm)}: ${k} has a password written in the URL`);
    }
  }
  const accounts = new Set(find(objects, 'ServiceAccount').map((o) => o.metadata.name));
  const deployments = find(objects, 'Deployment');
  const apps = new Map<string, K8sObject>();

  for (const d of deployments) {
    const who = objectId(d);
    const spec = rec(d['spec']);
    const [podSpec] = podSpecs(d);
    if (!podSpec) {
      problems.push(`${who}: no pod template`);
      continue;
    }
    const labels = templateLabels(d);
    if (!labelsMatch(spec['selector'], labels)) problems.push(`${who}: selector does not match its pod labels`);
    problems.push(...securityProblems(podSpec, who));
    if (typeof podSpec['serviceAccountName'] === 'string' && !accounts.has(podSpec['serviceAccountName']))
      problems.push(`${who}: ServiceAccount ${podSpec['serviceAccountName']} is not in the manifests`);
    const containers = list(podSpec['containers']).map(rec);
    const main = containers[0] ?? {};
    const app = command(main);
    if (!ctx.apps.includes(app)) {
      problems.push(`${who}: runs "${app}", not a Parley app`);
      continue;
    }
    apps.set(app, d);
    const env = containerEnv(main, objects, who, problems);
    problems.push(...envProblems(who, env.keys(), ctx.envOf(app)), ...secretRefProblems(main, who, ctx));
    for (const name of REQUIRED_SECRETS[app] ?? []) {
      const ref = list(main['env'])
        .map(rec)
        .find((e) => e['name'] === name);
      if (!ref) problems.push(`${who}: ${name} is required (the image runs with NODE_ENV=production); read it from a Secret`);
    }
    for (const name of OUTBOUND_APPS[app]?.forbiddenEnv ?? [])
      if (env.has(name) && env.get(name) !== 'false') problems.push(`${who}: ${name} must stay false in a cluster (development and tests only)`);
    if (env.get('HOST') !== '0.0.0.0') problems.push(`${who}: HOST must be 0.0.0.0`);
    const port = Number(env.get('PORT'));
    const ports = list(main['ports']).map(rec);
    const http = ports.find((p) => p['containerPort'] === port);
    if (!port || !http) problems.push(`${who}: PORT (${String(env.get('PORT'))}) must be a declared containerPort`);
    for (const [kind, path] of [
      ['livenessProbe', '/health/live'],
      ['readinessProbe', '/health/ready'],
    ] as const) {
      const get = probe(main, kind);
      if (get['path'] !== path) problems.push(`${who}: ${kind} must GET ${path}`);
      else if (get['port'] !== port && get['port'] !== http?.['name']) problems.push(`${who}: ${kind} must use the app's PORT`);
    }
    const annotations = rec(rec(rec(spec['template'])['metadata'])['annotations']);
    if (
      annotations['prometheus.io/scrape'] !== 'true' ||
      annotations['prometheus.io/path'] !== '/metrics' ||
      Number(annotations['prometheus.io/port']) !== port
    ) {
      problems.push(`${who}: pod annotations must let Prometheus scrape /metrics on PORT`);
    }
    // SIGTERM → (gateway) drain → close; the kubelet must not kill the pod before that ends.
    const preStop = list(rec(rec(rec(main['lifecycle'])['preStop'])['exec'])['command']);
    const sleep = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    const needed = sleep + seconds(env.get('SHUTDOWN_DEADLINE_MS'), 10_000) + (app === 'gateway' ? seconds(env.get('DRAIN_TIMEOUT_MS'), 5_000) : 0);
    const grace = Number(podSpec['terminationGracePeriodSeconds'] ?? 30);
    if (!(grace > needed)) problems.push(`${who}: terminationGracePeriodSeconds ${grace} must exceed ${needed} s (preStop + drain + shutdown deadline)`);
    if (HTTP_FRONT_APPS.includes(app) && sleep < 1)
      problems.push(`${who}: needs a preStop pause so endpoints drop it before ${app === 'gateway' ? 'the drain starts' : 'it stops serving'}`);

    const hpa = find(objects, 'HorizontalPodAutoscaler').find((h) => {
      const ref = rec(rec(h['spec'])['scaleTargetRef']);
      return ref['kind'] === 'Deployment' && ref['name'] === d.metadata.name;
    });
    if (!hpa) problems.push(`${who}: no HorizontalPodAutoscaler targets it`);
    else {
      if (hpa.apiVersion !== 'autoscaling/v2') problems.push(`${objectId(hpa)}: use autoscaling/v2`);
      if (!(Number(rec(hpa['spec'])['minReplicas']) >= 2)) problems.push(`${objectId(hpa)}: minReplicas must be at least 2`);
      if (spec['replicas'] !== undefined) problems.push(`${who}: sets replicas although an HPA owns the count (every apply would reset it)`);
    }
    if (!hpa && !(Number(spec['replicas']) >= 2)) problems.push(`${who}: needs at least 2 replicas`);
    if (!find(objects, 'PodDisruptionBudget').some((p) => labelsMatch(rec(p['spec'])['selector'], labels)))
      problems.push(`${who}: no PodDisruptionBudget selects its pods`);
    if (
      !find(objects, 'Service').some(
        (s) =>
          labelsMatch(rec(s['spec'])['selector'], labels) && list(rec(s['spec'])['ports']).some((p) => [port, http?.['name']].includes(rec(p)['targetPort'])),
      )
    ) {
      problems.push(`${who}: no Service reaches its PORT`);
    }
  }
  for (const app of ctx.apps) if (!apps.has(app)) problems.push(`no Deployment runs ${app}`);

  // The migration Job.
  const jobs = find(objects, 'Job').filter((j) => podSpecs(j).some((p) => containersOf(p).some((c) => command(c) === 'migrate')));
  if (jobs.length !== 1) problems.push(`exactly one migration Job (args: migrate …) expected, found ${jobs.length}`);
  for (const job of jobs) {
    const who = objectId(job);
    const [podSpec] = podSpecs(job);
    problems.push(...securityProblems(podSpec!, who));
    const c = list(podSpec!['containers']).map(rec)[0]!;
    const env = containerEnv(c, objects, who, problems);
    problems.push(...envProblems(who, env.keys(), ctx.migrateEnv), ...secretRefProblems(c, who, ctx));
    const gatewayImage = apps.get('gateway') && list(podSpecs(apps.get('gateway')!)[0]!['containers']).map(rec)[0]!['image'];
    if (gatewayImage && c['image'] !== gatewayImage) problems.push(`${who}: must run the apps' image (${String(gatewayImage)})`);
    if (!['Never', 'OnFailure'].includes(String(podSpec!['restartPolicy']))) problems.push(`${who}: restartPolicy must be Never or OnFailure`);
  }

  problems.push(...networkProblems(objects, apps));
  return problems;
}

/** Ingress to the gateway and the api from anywhere; metrics scrapes; egress to NATS and Postgres. */
function networkProblems(objects: K8sObject[], apps: Map<string, K8sObject>): string[] {
  const problems: string[] = [];
  const policies = find(objects, 'NetworkPolicy');
  if (policies.length === 0) return ['no NetworkPolicy'];
  const selecting = (d: K8sObject) => policies.filter((p) => labelsMatch(rec(p['spec'])['podSelector'], templateLabels(d)));
  const portOf = (d: K8sObject) => rec(list(rec(list(podSpecs(d)[0]!['containers'])[0])['ports'])[0]);
  const allows = (rules: unknown[], port: Rec, pred: (peers: unknown[]) => boolean) =>
    rules.map(rec).some(
      (r) =>
        pred(list(r['from'] ?? r['to'])) &&
        (r['ports'] === undefined ||
          list(r['ports'])
            .map(rec)
            .some((p) => p['port'] === port['containerPort'] || p['port'] === port['name'])),
    );
  for (const [app, d] of apps) {
    const mine = selecting(d);
    const ingress = mine.flatMap((p) => list(rec(p['spec'])['ingress']));
    const egress = mine.flatMap((p) => list(rec(p['spec'])['egress']));
    const port = portOf(d);
    if (HTTP_FRONT_APPS.includes(app) && !allows(ingress, port, (from) => from.length === 0))
      problems.push(`${objectId(d)}: no NetworkPolicy lets clients reach its port from anywhere`);
    if (!allows(ingress, port, (from) => from.length > 0)) problems.push(`${objectId(d)}: no NetworkPolicy lets the metrics scraper reach its port`);
    for (const needed of [4222, 5432, 53]) {
      if (!allows(egress, { containerPort: needed }, () => true)) problems.push(`${objectId(d)}: no NetworkPolicy lets it reach port ${needed}`);
    }
    if (app === 'media' && !allows(egress, { containerPort: 9000 }, () => true) && !allows(egress, { containerPort: 443 }, () => true))
      problems.push(`${objectId(d)}: cannot reach S3`);
    if (!HTTP_FRONT_APPS.includes(app) && allows(ingress, port, (from) => from.length === 0))
      problems.push(`${objectId(d)}: a NetworkPolicy lets anyone reach its port (only metrics scrapes should)`);
    const outbound = OUTBOUND_APPS[app];
    if (outbound) problems.push(...outboundProblems(objectId(d), mine, outbound.ports));
  }
  return problems;
}

const ipBlocks = (peers: unknown[]) => peers.map((p) => rec(rec(p)['ipBlock'])).filter((b) => b['cidr'] !== undefined);

/**
 * An app calling user-chosen addresses: `ports` reachable on 0.0.0.0/0 and ::/0, and every egress
 * rule that selects it and reaches beyond the infrastructure ports goes to ipBlocks that except
 * every private range (policies add up: one open rule anywhere undoes the exceptions).
 */
function outboundProblems(who: string, policies: K8sObject[], ports: number[]): string[] {
  const problems: string[] = [];
  const rules = policies.flatMap((p) => list(rec(p['spec'])['egress']).map((r) => ({ policy: p.metadata.name, rule: rec(r) })));
  for (const { policy, rule } of rules) {
    const rulePorts = list(rule['ports']).map((p) => rec(p)['port']);
    if (rule['ports'] !== undefined && rulePorts.every((p) => INFRA_PORTS.includes(Number(p)))) continue;
    const what = rule['ports'] === undefined ? 'every port' : `port ${rulePorts.join(', ')}`;
    if (rule['ports'] === undefined) problems.push(`${who}: NetworkPolicy ${policy} opens every port; name the receivers' ports (${ports.join(', ')})`);
    const peers = list(rule['to']).map(rec);
    if (peers.length === 0) {
      problems.push(`${who}: NetworkPolicy ${policy} opens ${what} to any address, cluster-internal ones included`);
      continue;
    }
    for (const peer of peers) {
      const block = rec(peer['ipBlock']);
      if (block['cidr'] === undefined || Object.keys(peer).length > 1) {
        problems.push(`${who}: NetworkPolicy ${policy} opens ${what} to pods or namespaces of the cluster`);
        continue;
      }
      const except = new Set(list(block['except']).map(String));
      const family = String(block['cidr']).includes(':') ? PRIVATE_RANGES.v6 : PRIVATE_RANGES.v4;
      const missing = family.filter((r) => !except.has(r));
      if (missing.length > 0)
        problems.push(`${who}: NetworkPolicy ${policy} opens ${what} to ${String(block['cidr'])} without excepting ${missing.join(', ')}`);
    }
  }
  for (const port of ports) {
    for (const cidr of ['0.0.0.0/0', '::/0']) {
      const open = rules.some(
        ({ rule }) =>
          ipBlocks(list(rule['to'])).some((b) => b['cidr'] === cidr) &&
          (rule['ports'] === undefined || list(rule['ports']).some((p) => Number(rec(p)['port']) === port)),
      );
      if (!open) problems.push(`${who}: no NetworkPolicy lets it reach receivers on ${cidr} port ${port}`);
    }
  }
  return problems;
}
