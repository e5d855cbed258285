// The one place the data layer touches Node's file system: readers for workspace files (relative
// to the model file, confined to a root folder) and for the built-in datasets in `datasets/`.
import { closeSync, existsSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
    async readTextAsync(path, maxBytes) {
      const found = realFile(path);
      if (!('real' in found)) throw new Error(`it is ${found.reason === 'missing' ? 'gone' : 'no longer a file inside the workspace'}`);
      return readFileBoundedAsync(found.real, maxBytes);
    },
    describe: full,
  };
}

/** A file's UTF-8 text, or undefined once more than `maxBytes` bytes have been read. */
export function readFileBounded(file: string, maxBytes: number): string | undefined {
  const fd = openSync(file, 'r');
  try {
    if (!fstatSync(fd).isFile()) throw new Error('it is not a regular file');
    const text = new BoundedText(maxBytes);
    while (text.add(readSync(fd, text.nextChunk(), 0, CHUNK_BYTES, null)));
    return text.result();
  } finally {
    closeSync(fd);
  }
}

/**
 * As readFileBounded, each chunk read on libuv's thread pool: the extension host's event loop
 * runs between chunks, so a slow or huge source never freezes it, and the byte limit still holds.
 */
export async function readFileBoundedAsync(file: string, maxBytes: number): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    if (!(await handle.stat()).isFile()) throw new Error('it is not a regular file');
    const text = new BoundedText(maxBytes);
    while (text.add((await handle.read(text.nextChunk(), 0, CHUNK_BYTES, null)).bytesRead));
    return text.result();
  } finally {
    await handle.close();
  }
}

/** The chunks of one bounded read: whole chunks (some /proc files refuse reads of odd sizes), stopped past the limit. */
class BoundedText {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  private chunk = Buffer.alloc(0);
  private over = false;

  constructor(private readonly maxBytes: number) {}

  /** The buffer the next read fills. */
  nextChunk(): Buffer {
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    return this.chunk;
  }

  /** Takes the last read's `n` bytes; whether to read on (false at the end or past the limit). */
  add(n: number): boolean {
    if (n === 0) return false;
    this.chunks.push(this.chunk.subarray(0, n));
    this.total += n;
    this.over = this.total > this.maxBytes;
    return !this.over;
  }

  /** The text, or undefined when more than the limit was read. */
  result(): string | undefined {
    return this.over ? undefined : Buffer.concat(this.chunks, this.total).toString('utf8');
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
