// Reading a model file from disk: the CLI's one Node-only file loader. Parsing and validation
// are the engine's (src/engine/model), so the CLI reports exactly the editor's diagnostics.
import { readFileSync } from 'node:fs';
import type { ModelFile } from '../engine/types';
import { parseModelFile } from '../engine/model/parse';
import { formatDiagnostic } from '../engine/model/format';
import { type TrainingData, inlineTrainingData } from '../engine/trainer';
import { InputError, UsageError } from './errors';

export interface LoadedModel {
  model: ModelFile;
  data: TrainingData;
  warnings: string[];
}

export function loadModel(path: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? String(error);
    throw new UsageError(`cannot read model file ${path}: ${why}`);
  }
  const parsed = parseModelFile(text);
  const warnings = parsed.diagnostics.filter((d) => d.severity === 'warning').map((d) => formatDiagnostic(d, path));
  if (!parsed.model) {
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, path));
    throw new InputError(errors.join('\n'));
  }
  return { model: parsed.model, data: inlineTrainingData(parsed.model), warnings };
}
