import { DockerfileParser, type Flag, type From, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { imageProblem } from './images';

export interface Step {
  keyword: string;
  /** Arguments without flags, as written. */
  args: string;
  flags: Record<string, string>;
  line: number;
}
export interface Stage {
  name?: string;
  /** The FROM image with build ARGs resolved to their defaults. */
  image: string;
  steps: Step[];
}

const flagsOf = (i: Instruction): Record<string, string> => {
  const withFlags = i as Instruction & { getFlags?: () => Flag[] };
  return Object.fromEntries((withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? '']));
};

/** The Dockerfile's stages; `diagnostics` are dockerfile-utils' syntax and semantic errors. */
export function parseDockerfile(text: string): { stages: Stage[]; diagnostics: string[] } {
  const diagnostics = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map(dockerfile.getInitialARGs().map((a) => [a.getProperty()?.getName() ?? '', a.getProperty()?.getValue() ?? '']));
  const resolve = (s: string) => s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => args.get(name) ?? m);
  const stages: Stage[] = [];
  for (const i of dockerfile.getInstructions()) {
    const keyword = i.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      const from = i as From;
      stages.push({ name: from.getBuildStage() ?? undefined, image: resolve(from.getImage() ?? ''), steps: [] });
      continue;
    }
    const step = { keyword, args: i.getArgumentsContent() ?? '', flags: flagsOf(i), line: i.getRange().start.line + 1 };
    stages[stages.length - 1]?.steps.push(step);
  }
  return { stages, diagnostics };
}

/** `.dockerignore` as Docker reads it: the last matching pattern wins; `!` re-includes. */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const body = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('');
      return { negate, re: new RegExp(`^${body}(?:/.*)?$`) };
    });
  return (path) => rules.reduce((excluded, r) => (r.re.test(path) ? !r.negate : excluded), false);
}

export interface DockerfileContext {
  apps: string[];
  ignored: (path: string) => boolean;
  exists: (path: string) => boolean;
  /** Files under a directory of the repository. */
  filesUnder: (path: string) => string[];
  entrypoint: (path: string) => string | undefined;
  /** package.json engines.node major. */
  nodeMajor: number;
}

const runs = (stage: Stage | undefined, re: RegExp) => stage?.steps.some((s) => s.keyword === 'RUN' && re.test(s.args)) ?? false;
const last = <T>(items: T[]) => items[items.length - 1];

/** Every rule the Dockerfile must meet; [] when it does. */
export function dockerfileProblems(text: string, ctx: DockerfileContext): string[] {
  const { stages, diagnostics } = parseDockerfile(text);
  const problems = diagnostics.map((d) => `dockerfile-utils: ${d}`);
  if (stages.length < 2) return [...problems, `multi-stage build expected, found ${stages.length} stage(s)`];
  const names = stages.map((s) => s.name).filter(Boolean);
  for (const stage of stages) {
    if (names.includes(stage.image)) continue; // FROM an earlier stage
    const bad = imageProblem(stage.image);
    if (bad) problems.push(`FROM ${bad}`);
    const node = /^node:(\d+)\./.exec(stage.image);
    if (stage.image.startsWith('node:') && !(node && Number(node[1]) >= ctx.nodeMajor))
      problems.push(`FROM ${stage.image}: Node ${ctx.nodeMajor} or newer (package.json engines)`);
  }

  const build = stages.find((s) => s.name === 'build');
  const runtime = last(stages)!;
  if (!build) problems.push('no stage named "build"');
  if (!runs(build, /\bnpm ci\b/)) problems.push('build: no npm ci');
  if (!runs(build, /PRISMA_SCHEMA_ENGINE_BINARY=\/bin\/false\b.*\bprisma generate\b/))
    problems.push('build: prisma generate with PRISMA_SCHEMA_ENGINE_BINARY=/bin/false missing');
  if (!runs(build, /\bnx run-many\b.*-t build\b/)) problems.push('build: nx run-many -t build missing');

  // Production dependencies: installed without dev dependencies, in the runtime or a stage it copies from.
  const copies = runtime.steps.filter((s) => s.keyword === 'COPY');
  const copiedFrom = new Set(copies.map((c) => c.flags['from']).filter(Boolean));
  const depsStage = stages.find((s) => (s === runtime || copiedFrom.has(s.name ?? '')) && runs(s, /\bnpm ci\b[^&]*--omit=dev/));
  if (!depsStage) problems.push('runtime: node_modules must come from `npm ci --omit=dev`');
  else if (depsStage !== runtime && !copies.some((c) => c.flags['from'] === depsStage.name && /node_modules/.test(c.args)))
    problems.push(`runtime: does not copy node_modules from ${depsStage.name}`);
  if (!copies.some((c) => c.flags['from'] === 'build' && /dist\/apps/.test(c.args))) problems.push('runtime: does not copy dist/apps from the build stage');
  // Gateways serve the SDK's script bundle (/sdk/) and the console (/console/, in dist/apps/console) from
  // the workspace layout next to their own build: dist/libs/sdk must sit beside dist/apps.
  const copiesTo = (from: string, to: string) => copies.some((c) => c.flags['from'] === 'build' && c.args.split(/\s+/).join(' ') === `/src/${from} ./${to}`);
  if (!copiesTo('dist/apps', 'dist/apps')) problems.push('runtime: dist/apps must be copied to ./dist/apps (the gateway finds the console beside it)');
  if (!copiesTo('dist/libs/sdk', 'dist/libs/sdk'))
    problems.push('runtime: dist/libs/sdk must be copied to ./dist/libs/sdk (the SDK bundle every gateway serves at /sdk/)');
  for (const needed of ['prisma', 'tools/migrate', 'prisma.config.ts']) {
    if (!copies.some((c) => !c.flags['from'] && c.args.split(/\s+/).slice(0, -1).includes(needed)))
      problems.push(`runtime: ${needed} is not copied (the migration job needs it)`);
  }
  // Context files copied must exist and survive .dockerignore.
  for (const stage of stages) {
    for (const c of stage.steps.filter((s) => (s.keyword === 'COPY' || s.keyword === 'ADD') && !s.flags['from'])) {
      for (const source of c.args.split(/\s+/).slice(0, -1)) {
        if (source === '.') continue;
        if (!ctx.exists(source)) problems.push(`line ${c.line}: COPY ${source}: no such file in the repository`);
        else if (ctx.filesUnder(source).every((f) => ctx.ignored(f))) problems.push(`line ${c.line}: COPY ${source}: excluded by .dockerignore`);
      }
    }
  }

  const users = runtime.steps.filter((s) => s.keyword === 'USER');
  const user = last(users)?.args.trim();
  if (!user) problems.push('runtime: no USER (would run as root)');
  else if (!/^\d+(:\d+)?$/.test(user)) problems.push(`runtime: USER ${user} should be numeric (Kubernetes runAsNonRoot can only verify a numeric uid)`);
  else if (/^0(:|$)/.test(user)) problems.push('runtime: USER is root');

  const env = new Map(
    runtime.steps
      .filter((s) => s.keyword === 'ENV')
      .flatMap((s) => [...s.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')] as const)),
  );
  if (env.get('HOST') !== '0.0.0.0') problems.push('runtime: ENV HOST=0.0.0.0 missing (the apps default to 127.0.0.1)');
  const port = env.get('PORT');
  const exposed = runtime.steps.filter((s) => s.keyword === 'EXPOSE').flatMap((s) => s.args.split(/\s+/).map((p) => p.split('/')[0]));
  if (!port || !exposed.includes(port)) problems.push(`runtime: EXPOSE must include ENV PORT (${String(port)})`);
  const health = last(runtime.steps.filter((s) => s.keyword === 'HEALTHCHECK'));
  if (!health || /^NONE\b/i.test(health.args)) problems.push('runtime: no HEALTHCHECK');
  else if (!health.args.includes('/health/live')) problems.push('runtime: HEALTHCHECK must probe /health/live');

  const entrypoint = last(runtime.steps.filter((s) => s.keyword === 'ENTRYPOINT'));
  const script = /"?(\/app\/[^"\s]+\.sh)"?/.exec(entrypoint?.args ?? '')?.[1];
  const content = script ? ctx.entrypoint(script.replace(/^\/app\//, '')) : undefined;
  if (!content) problems.push('runtime: ENTRYPOINT must be a script under /app that the repository holds');
  else {
    for (const app of [...ctx.apps, 'migrate']) if (!new RegExp(`(^|[\\s|])${app}([\\s|)])`).test(content)) problems.push(`entrypoint: does not start ${app}`);
    if (!/exec node\b/.test(content)) problems.push('entrypoint: must exec node (signals reach the app)');
  }
  return problems;
}
