// The one place the data layer touches Node's file system: readers for workspace files
// (relative to the model file) and for the built-in datasets shipped in `datasets/`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DataFileReader } from './files';

/** Reads paths relative to `baseDir` (a model file's folder). */
export function nodeFileReader(baseDir: string): DataFileReader {
  const full = (path: string) => resolve(baseDir, path);
  return {
    size(path) {
      try {
        const stat = statSync(full(path));
        return stat.isFile() ? stat.size : undefined;
      } catch {
        return undefined;
      }
    },
    readText: (path) => readFileSync(full(path), 'utf8'),
    describe: full,
  };
}

/** The nearest `datasets/` folder holding the built-in datasets, looking upward from `start`. */
export function findDatasetsDir(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'datasets');
    if (existsSync(join(candidate, 'iris.csv'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
