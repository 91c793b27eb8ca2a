import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { type K8sObject, objectId } from './kustomize';
import { ROOT } from './repo';

/**
 * Kubernetes objects checked against the npm package kubernetes-models (generated from the
 * Kubernetes OpenAPI spec, ~1.34), twice:
 *  - its JSON-schema validators (types, required fields, enums, formats), and
 *  - its TypeScript declarations, with excess-property checks: the schemas accept unknown fields
 *    (as the API server does), but a misspelled field (`livenesProbe`) is a bug, and kubectl
 *    rejects it too (strict field validation).
 */
const modelModule = (o: K8sObject) => `kubernetes-models/${o.apiVersion}/${o.kind}`;
const modelExists = (o: K8sObject) =>
  /^[A-Za-z0-9./]+$/.test(o.apiVersion) && /^[A-Za-z]+$/.test(o.kind) && existsSync(join(ROOT, 'node_modules', `${modelModule(o)}.d.ts`));

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

export async function schemaProblems(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    if (!modelExists(o)) {
      problems.push(`${objectId(o)}: no schema for ${o.apiVersion} ${o.kind} in kubernetes-models`);
      continue;
    }
    const module = (await import(modelModule(o))) as Record<string, ModelClass>;
    const Class = module[o.kind];
    if (!Class) throw new Error(`${modelModule(o)} exports no ${o.kind}`);
    try {
      new Class(o).validate();
    } catch (err) {
      problems.push(`${objectId(o)}: ${(err as Error).message.replace(/\s+/g, ' ')}`);
    }
  }
  return problems;
}

/** Parsed declaration files, shared by every check in this process (parsing dominates the cost). */
const declarations = new Map<string, ts.SourceFile | undefined>();

export function typeProblems(objects: K8sObject[]): string[] {
  const known = objects.filter(modelExists);
  const file = join(ROOT, 'deploy/test/__k8s_objects__.ts');
  let source = known.map((o, i) => `import type { I${o.kind} as T${i} } from '${modelModule(o)}';\n`).join('');
  // Where each object's declaration starts, to name the object a diagnostic points into.
  const starts: number[] = [];
  known.forEach((o, i) => {
    starts.push(source.length);
    source += `export const o${i}: T${i} = ${JSON.stringify(o, null, 2)};\n`;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2023.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    ignoreDeprecations: '6.0',
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    if (name === file) return ts.createSourceFile(name, source, lang, true);
    if (!declarations.has(name)) declarations.set(name, getSourceFile(name, lang, ...rest));
    return declarations.get(name);
  };
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== file || d.start === undefined) return `types: ${text}`;
    const index = starts.findLastIndex((s) => s <= d.start!);
    const where = index >= 0 ? objectId(known[index]!) : 'imports';
    return `${where}: ${text}`;
  });
}
