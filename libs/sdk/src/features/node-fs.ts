/**
 * `node:fs` for file paths and file downloads, loaded on first use only. The specifier is not a
 * string literal on purpose: bundlers (tsup's IIFE, an app's webpack / Vite) then leave the import
 * alone instead of trying to resolve a Node built-in for the browser.
 */
type NodeFs = typeof import('node:fs');

const FS_MODULE = 'node:fs';
let loading: Promise<NodeFs> | undefined;

/** Rejects outside Node (no `node:fs`). */
export function nodeFs(): Promise<NodeFs> {
  if (!loading) {
    loading = import(/* webpackIgnore: true */ /* @vite-ignore */ FS_MODULE).then((mod: NodeFs & { default?: NodeFs }) => mod.default ?? mod);
    loading.catch(() => (loading = undefined)); // a later call may try again
  }
  return loading;
}

/** The last segment of a file path ('/' or '\\' separated). */
export function baseName(filePath: string): string {
  const parts = filePath.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}
