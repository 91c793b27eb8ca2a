#!/usr/bin/env node
// npm run sdk:pack: builds @parley/rtm-sdk (nx run sdk:build → dist/libs/sdk) and packs it into
// dist/parley-rtm-sdk-<version>.tgz, ready for `npm install <that file>` in any project or for
// `npm publish <that file>`. The version is libs/sdk/package.json's (AgoraRTM.VERSION follows it:
// the build injects it: libs/sdk/tsup.config.ts; libs/sdk/test/dist.spec.ts checks it). The package's
// `repository` is libs/sdk/package.json's; PARLEY_REPOSITORY_URL (a fork's git URL) replaces it.
//   --skip-build   pack dist/libs/sdk as it is
//   --json         print {file, name, version, size, files} instead of the path
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgDir = path.join(root, 'dist/libs/sdk');
const outDir = path.join(root, 'dist');
const args = new Set(process.argv.slice(2));

const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });

if (!args.has('--skip-build')) {
  run('npx', ['nx', 'run', 'sdk:build', '--output-style=static'], {
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const manifestPath = path.join(pkgDir, 'package.json');
if (!fs.existsSync(manifestPath)) {
  console.error(`sdk:pack: ${path.relative(root, manifestPath)} is missing; run without --skip-build`);
  process.exit(1);
}

const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const repositoryUrl = process.env.PARLEY_REPOSITORY_URL;
if (repositoryUrl) {
  manifest.repository = { type: 'git', url: repositoryUrl, directory: 'libs/sdk' };
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

const [packed] = JSON.parse(run('npm', ['pack', pkgDir, '--pack-destination', outDir, '--json', '--silent']));
const file = path.join(outDir, `parley-rtm-sdk-${manifest.version}.tgz`);
if (path.join(outDir, packed.filename) !== file) fs.renameSync(path.join(outDir, packed.filename), file);

if (args.has('--json')) {
  console.log(JSON.stringify({ file, name: packed.name, version: packed.version, size: packed.size, files: packed.files.map((f) => f.path) }));
} else {
  console.log(
    `${path.relative(process.cwd(), file) || file}  (${packed.name}@${packed.version}, ${(packed.size / 1024).toFixed(0)} KB, ${packed.files.length} files)`,
  );
  console.log(`install it in your app: npm install ${file}`);
}
