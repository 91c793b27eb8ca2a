import { dirname, join, normalize } from 'node:path';
import type { Compose } from './support/compose';
import { renderKustomization } from './support/kustomize';
import { exists, parseYaml, read } from './support/repo';

describe('docs/operations.md', () => {
  const doc = read('docs/operations.md');

  it('links only to files that exist', () => {
    const targets = [...doc.matchAll(/\]\((?!https?:|#)([^)#]+)(#[^)]*)?\)/g)].map((m) => normalize(join(dirname('docs/operations.md'), m[1]!)));
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((t) => !exists(t))).toEqual([]);
  });

  it('names only repository paths that exist', () => {
    const paths = [...doc.matchAll(/`((?:deploy|tools|apps|libs|prisma|docs)\/[^`\s]*)`/g)].map((m) => m[1]!.replace(/\/$/, ''));
    expect(paths.filter((p) => !exists(p))).toEqual([]);
  });

  it('names only Kubernetes objects the production overlay creates', () => {
    const objects = renderKustomization('deploy/k8s/overlays/production');
    const names = new Set(objects.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`));
    const referenced = [...doc.matchAll(/\b(job|deployment|deploy)\/(parley-[a-z-]+)/g)].map((m) => `${m[1] === 'deploy' ? 'deployment' : m[1]}/${m[2]}`);
    expect(referenced.length).toBeGreaterThan(3);
    expect(referenced.filter((r) => !names.has(r))).toEqual([]);
    for (const name of ['parley-common', 'parley-gateway', 'parley-media']) expect(names).toContain(`configmap/${name}`);
  });

  it('runs docker compose commands against services that exist', () => {
    const compose = parseYaml(read('docker-compose.yml'), 'docker-compose.yml') as Compose;
    const used = [...doc.matchAll(/docker compose (?:logs -f|run --rm(?: --no-deps)?|exec -T) ([a-z-]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(3);
    expect(used.filter((s) => compose.services[s] === undefined)).toEqual([]);
  });
});
