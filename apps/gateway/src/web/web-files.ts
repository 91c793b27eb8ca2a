import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** One file served from memory: its bytes, type and strong validator. */
export interface WebFile {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files larger than this are not served (a build directory holds nothing near it). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Files one directory may hold. */
const MAX_FILES = 2_000;

export function webFile(body: Buffer, name: string): WebFile {
  return {
    body,
    type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

/**
 * The regular files under `dir` (recursively; no dotfiles, no symlinked escapes), keyed by their
 * path relative to it with `/` separators, read once into memory. A request is answered by an
 * exact lookup in this map, so no request path ever reaches the file system (no traversal, no
 * listing). An absent directory gives an empty map.
 */
export function readWebDir(dir: string | undefined): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  if (!dir || !existsSync(dir)) return files;
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || files.size >= MAX_FILES) continue;
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && statSync(full).size <= MAX_FILE_BYTES) {
        files.set(relative(dir, full).split(sep).join('/'), webFile(readFileSync(full), entry.name));
      }
    }
  };
  walk(dir);
  return files;
}
