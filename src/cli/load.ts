// Reading a model file from disk: the CLI's one Node-only file loader. Parsing, validation, data
// loading and splitting are the engine's (src/engine/model), so the CLI reports exactly the
// editor's diagnostics.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ModelFile } from '../engine/types';
import type { TrainingData } from '../engine/trainer';
import { formatDiagnostic, loadModel } from '../engine/model';
import { findDatasetsDir, nodeFileReader } from '../engine/data/nodeFiles';
import { InputError, UsageError } from './errors';

export interface ModelOnDisk {
  model: ModelFile;
  data: TrainingData;
  warnings: string[];
}

export function loadModelFile(path: string): ModelOnDisk {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? String(error);
    throw new UsageError(`cannot read model file ${path}: ${why}`);
  }
  const datasets = findDatasetsDir(dirname(path)) ?? findDatasetsDir(__dirname);
  const loaded = loadModel(text, {
    files: nodeFileReader(dirname(path)),
    builtins: datasets ? nodeFileReader(datasets) : undefined,
  });
  const format = (severity: 'error' | 'warning') =>
    loaded.diagnostics.filter((d) => d.severity === severity).map((d) => formatDiagnostic(d, path));
  if (!loaded.model || !loaded.data) throw new InputError(format('error').join('\n'));
  return { model: loaded.model, data: loaded.data, warnings: format('warning') };
}
