import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, isRecord, parseYaml, parseYamlDocuments, read } from './repo';
import { splitImage } from './images';

/**
 * A small `kustomize build` for the features deploy/k8s uses (there is no kustomize binary on npm):
 * resources (files, directories), namespace, images, patches (strategic merge or JSON 6902, with
 * or without a target). A kustomization field it does not implement is an error, never ignored.
 * The k8s spec compares its output with `kubectl kustomize` wherever kubectl is installed.
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}
interface Patch {
  path?: string;
  patch?: string;
  target?: Target;
}
interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: ImageRule[];
  patches?: Patch[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
/** Kinds without a namespace (among those Parley could use). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
]);

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

/** Files a kustomization (and the ones it includes) reads: resources and patch files. */
export function kustomizationFiles(dir: string): string[] {
  const k = loadKustomization(dir);
  const files = [relative(ROOT, join(ROOT, dir, 'kustomization.yaml'))];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    files.push(...(statSync(join(ROOT, p)).isDirectory() ? kustomizationFiles(p) : [p]));
  }
  for (const patch of k.patches ?? []) if (patch.path) files.push(join(dir, patch.path));
  return files;
}

function loadKustomization(dir: string): Kustomization {
  const file = join(dir, 'kustomization.yaml');
  const k = parseYaml(read(file), file);
  if (!isRecord(k)) throw new KustomizeError(`${file}: not a mapping`);
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new KustomizeError(`${file}: unsupported fields ${unknown.join(', ')} (teach deploy/test/support/kustomize.ts first)`);
  return k as Kustomization;
}

/** Renders the kustomization in `dir` (relative to the workspace root). */
export function renderKustomization(dir: string): K8sObject[] {
  const k = loadKustomization(dir);
  let objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    objects.push(...(statSync(join(ROOT, p)).isDirectory() ? renderKustomization(p) : loadObjects(p)));
  }
  for (const patch of k.patches ?? []) objects = applyPatch(objects, patch, dir);
  if (k.namespace) for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  for (const rule of k.images ?? []) for (const o of objects) retag(o, rule);
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new KustomizeError(`${dir}: ${id} appears twice`);
    seen.add(id);
  }
  return objects;
}

export const objectId = (o: K8sObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function loadObjects(file: string): K8sObject[] {
  return parseYamlDocuments(read(file), file).map((doc, i) => {
    if (
      !isRecord(doc) ||
      typeof doc['apiVersion'] !== 'string' ||
      typeof doc['kind'] !== 'string' ||
      !isRecord(doc['metadata']) ||
      typeof doc['metadata']['name'] !== 'string'
    ) {
      throw new KustomizeError(`${file}: document ${i + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
    }
    return doc as K8sObject;
  });
}

// ---------------------------------------------------------------------------------------------
// Patches.

function matches(o: K8sObject, t: Target): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const re = (pattern: string) => new RegExp(`^(?:${pattern})$`);
  return (
    (t.group === undefined || t.group === group) &&
    (t.version === undefined || t.version === version) &&
    (t.kind === undefined || t.kind === o.kind) &&
    (t.name === undefined || re(t.name).test(o.metadata.name)) &&
    (t.namespace === undefined || t.namespace === o.metadata.namespace)
  );
}

function applyPatch(objects: K8sObject[], patch: Patch, dir: string): K8sObject[] {
  const where = patch.path ? join(dir, patch.path) : `${dir}/kustomization.yaml (inline patch)`;
  const text = patch.path ? read(join(dir, patch.path)) : patch.patch;
  if (text === undefined) throw new KustomizeError(`${where}: a patch needs path or patch`);
  const body = parseYaml(text, where);
  let targets: K8sObject[];
  if (patch.target) {
    targets = objects.filter((o) => matches(o, patch.target!));
  } else {
    if (!isRecord(body) || !isRecord(body['metadata']))
      throw new KustomizeError(`${where}: a patch without target must be a strategic merge patch of one object`);
    const t = body as unknown as K8sObject;
    targets = objects.filter((o) => o.apiVersion === t.apiVersion && o.kind === t.kind && o.metadata.name === t.metadata.name);
  }
  if (targets.length === 0) throw new KustomizeError(`${where}: matches no resource`);
  return objects.map((o) => {
    if (!targets.includes(o)) return o;
    if (Array.isArray(body)) return json6902(o, body, where);
    if (!isRecord(body)) throw new KustomizeError(`${where}: not a patch`);
    const { metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...rest } = body;
    const metadata = isRecord(_metadata) ? { ..._metadata, name: o.metadata.name } : undefined;
    return strategicMerge(o, metadata ? { ...rest, metadata } : rest, [], where) as K8sObject;
  });
}

/** Strategic merge: maps merge, `null` deletes, lists of objects merge by their Kubernetes merge key. */
function strategicMerge(base: unknown, patch: unknown, path: string[], where: string): unknown {
  if (isRecord(patch) && ('$patch' in patch || Object.keys(patch).some((k) => k.startsWith('$')))) {
    throw new KustomizeError(`${where}: $-directives are not supported`);
  }
  if (isRecord(base) && isRecord(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in base ? strategicMerge(base[key], value, [...path, key], where) : value;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const key = mergeKey(path);
    if (!key) return patch;
    const out = base.map((item) => {
      const replacement = patch.find((p) => isRecord(p) && isRecord(item) && p[key] === item[key]);
      return replacement === undefined ? item : strategicMerge(item, replacement, path, where);
    });
    for (const p of patch) if (!base.some((item) => isRecord(item) && isRecord(p) && item[key] === p[key])) out.push(p);
    return out;
  }
  return patch;
}

/** patchMergeKey of the lists Parley's manifests contain; any other list is replaced whole. */
function mergeKey(path: string[]): string | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === 'containers' || last === 'initContainers' || last === 'env' || last === 'volumes' || last === 'imagePullSecrets') return 'name';
  if (last === 'volumeMounts') return 'mountPath';
  if (last === 'ports') return parent === 'spec' ? 'port' : 'containerPort';
  return undefined;
}

function json6902(o: K8sObject, ops: unknown[], where: string): K8sObject {
  const doc = structuredClone(o) as unknown as Record<string, unknown>;
  for (const op of ops) {
    if (!isRecord(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string')
      throw new KustomizeError(`${where}: not a JSON 6902 operation: ${JSON.stringify(op)}`);
    const segments = op['path']
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop()!;
    let parent: unknown = doc;
    for (const s of segments) {
      parent = Array.isArray(parent) ? parent[Number(s)] : isRecord(parent) ? parent[s] : undefined;
      if (parent === undefined) throw new KustomizeError(`${where}: ${op['path']} does not exist in ${objectId(o)}`);
    }
    const container = parent as Record<string, unknown> | unknown[];
    const has = Array.isArray(container) ? Number(last) < container.length : last in container;
    switch (op['op']) {
      case 'add':
        if (Array.isArray(container)) container.splice(last === '-' ? container.length : Number(last), 0, op['value']);
        else container[last] = op['value'];
        break;
      case 'replace':
        if (!has) throw new KustomizeError(`${where}: replace of missing ${op['path']} in ${objectId(o)}`);
        (container as Record<string, unknown>)[last] = op['value'];
        break;
      case 'remove':
        if (!has) throw new KustomizeError(`${where}: remove of missing ${op['path']} in ${objectId(o)}`);
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete container[last];
        break;
      default:
        throw new KustomizeError(`${where}: op ${String(op['op'])} is not supported`);
    }
  }
  return doc as unknown as K8sObject;
}

// ---------------------------------------------------------------------------------------------
// Images.

/** Pod specs of workload objects. */
export function podSpecs(o: K8sObject): Array<Record<string, unknown>> {
  const spec = o['spec'];
  if (!isRecord(spec)) return [];
  if (o.kind === 'Pod') return [spec];
  if (o.kind === 'CronJob') {
    const jt = spec['jobTemplate'];
    const tpl = isRecord(jt) && isRecord(jt['spec']) ? jt['spec']['template'] : undefined;
    return isRecord(tpl) && isRecord(tpl['spec']) ? [tpl['spec']] : [];
  }
  const tpl = spec['template'];
  return isRecord(tpl) && isRecord(tpl['spec']) ? [tpl['spec']] : [];
}

export function containersOf(podSpec: Record<string, unknown>): Array<Record<string, unknown>> {
  return ['initContainers', 'containers'].flatMap((f) => (Array.isArray(podSpec[f]) ? (podSpec[f] as Array<Record<string, unknown>>) : []));
}

function retag(o: K8sObject, rule: ImageRule): void {
  for (const podSpec of podSpecs(o)) {
    for (const c of containersOf(podSpec)) {
      if (typeof c['image'] !== 'string') continue;
      const image = splitImage(c['image']);
      if (image.name !== rule.name) continue;
      const name = rule.newName ?? image.name;
      if (rule.digest) c['image'] = `${name}@${rule.digest}`;
      else c['image'] = `${name}${(rule.newTag ?? image.tag) ? `:${rule.newTag ?? image.tag}` : ''}${!rule.newTag && image.digest ? `@${image.digest}` : ''}`;
    }
  }
}
