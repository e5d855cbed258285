// The one place the data layer touches Node's file system: readers for workspace files (relative
// to the model file, confined to a root folder) and for the built-in datasets in `datasets/`.
import { closeSync, existsSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { DataFileLookup, DataFileReader } from './files';

/** Bytes read per call: a bounded read never holds more than the limit and one chunk in memory. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads paths relative to `baseDir` (a model file's folder) that resolve, after following
 * symbolic links, to regular files inside `rootDir` (the workspace folder; by default `baseDir`).
 */
export function nodeFileReader(baseDir: string, rootDir = baseDir): DataFileReader {
  const full = (path: string) => resolve(baseDir, path);
  /** The real path of an accepted file, or why it is refused. */
  const realFile = (path: string): { real: string } | Extract<DataFileLookup, { ok: false }> => {
    let real: string;
    let root: string;
    try {
      real = realpathSync(full(path));
      root = realpathSync(rootDir);
    } catch {
      return { ok: false, reason: 'missing' };
    }
    const inside = relative(root, real);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { ok: false, reason: 'outside' };
    try {
      if (!statSync(real).isFile()) return { ok: false, reason: 'not-a-file' };
    } catch {
      return { ok: false, reason: 'missing' };
    }
    return { real };
  };
  return {
    root: rootDir,
    locate(path) {
      const found = realFile(path);
      if (!('real' in found)) return found;
      const stat = statSync(found.real);
      return { ok: true, size: stat.size, version: `${found.real}\u0000${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}` };
    },
    readText(path, maxBytes) {
      const found = realFile(path);
      if (!('real' in found)) throw new Error(`it is ${found.reason === 'missing' ? 'gone' : 'no longer a file inside the workspace'}`);
      return readFileBounded(found.real, maxBytes);
    },
    describe: full,
  };
}

/** A file's UTF-8 text, or undefined once more than `maxBytes` bytes have been read. */
export function readFileBounded(file: string, maxBytes: number): string | undefined {
  const fd = openSync(file, 'r');
  try {
    if (!fstatSync(fd).isFile()) throw new Error('it is not a regular file');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Whole chunks: some /proc files refuse reads of odd sizes.
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return undefined;
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The nearest `datasets/` folder holding the built-in datasets, looking upward from `start`. */
export function findDatasetsDir(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'datasets');
    if (existsSync(join(candidate, 'iris.csv'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
