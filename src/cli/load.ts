// Reading a model file from disk: the CLI's one Node-only file loader. Parsing, validation, data
// loading and splitting are the engine's (src/engine/model), so the CLI reports exactly the
// editor's diagnostics: every problem found, up to the engine's cap.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ModelFile } from '../engine/types';
import type { TrainingData } from '../engine/trainer';
import { formatDiagnostic, loadModel } from '../engine/model';
import { findDatasetsDir, nodeFileReader, readFileBounded } from '../engine/data/nodeFiles';
import { MAX_MODEL_FILE_BYTES, describeBytes } from '../engine/limits';
import { InputError, UsageError } from './errors';

export interface ModelOnDisk {
  model: ModelFile;
  data: TrainingData;
  warnings: string[];
}

/** Loads `path`; its CSV paths must resolve inside `dataRoot` (default: the model file's folder). */
export function loadModelFile(path: string, dataRoot?: string | boolean): ModelOnDisk {
  let text: string | undefined;
  try {
    text = readFileBounded(path, MAX_MODEL_FILE_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? (error as Error).message;
    throw new UsageError(`cannot read model file ${path}: ${why}`);
  }
  if (text === undefined) throw new InputError(`${path}:1:1: error: the file holds more than ${describeBytes(MAX_MODEL_FILE_BYTES)}; model files up to ${describeBytes(MAX_MODEL_FILE_BYTES)} are read. Put large data in a "csv" file next to it.`);
  const folder = dirname(path);
  const root = resolve(typeof dataRoot === 'string' ? dataRoot : folder);
  if (typeof dataRoot === 'string' && !isDirectory(root)) throw new UsageError(`--data-root ${JSON.stringify(dataRoot)} is not a folder`);
  const datasets = findDatasetsDir(folder) ?? findDatasetsDir(__dirname);
  const loaded = loadModel(text, {
    files: nodeFileReader(folder, root),
    builtins: datasets ? nodeFileReader(datasets) : undefined,
  });
  const format = (severity: 'error' | 'warning') =>
    loaded.diagnostics.filter((d) => d.severity === severity).map((d) => formatDiagnostic(d, path));
  if (!loaded.model || !loaded.data) throw new InputError(format('error').join('\n'));
  return { model: loaded.model, data: loaded.data, warnings: format('warning') };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
