// loadModel: the one call the CLI and the extension make. Model text → validated ModelFile, its
// dataset (inline, generated, CSV or built-in), the train/validation/test split and the input
// scaling fitted on the training rows, or diagnostics saying where and what is wrong.
// The result's `data` is what the Trainer takes: it trains on `split.train` only and reaches
// `split.test` solely through an explicit evaluation request.
import { BUILTIN_DATASETS } from '../data/builtins';
import { CsvError, MAX_CSV_BYTES, MissingColumnError, parseCsvDataset } from '../data/csv';
import type { DataFileReader } from '../data/files';
import { generateDataset, generatorShape } from '../data/generators';
import { type Normalization, applyNormalization, fitNormalization } from '../data/normalize';
import { type SplitIndices, classLabels, splitIndices } from '../data/split';
import { Rng } from '../rng';
import type { Dataset, Diagnostic, ModelFile } from '../types';
import { JsonDocument, type PathSegment } from './jsonText';
import { parseModelFile } from './parse';
import { targetRowProblem } from './targets';
import { closest, quoteList } from './words';

export const DEFAULT_SEED = 0;
/** The split draws from its own stream, so changing it never changes the initial weights. */
const SPLIT_STREAM = 0x53504c54;

export interface LoadOptions {
  /** Reads workspace files (CSV), paths relative to the model file. */
  files?: DataFileReader;
  /** Reads the built-in datasets folder (`datasets/`). */
  builtins?: DataFileReader;
}

export interface TrainingData {
  dataset: Dataset; // inputs already scaled when the file asks for "normalize"
  split: SplitIndices;
}

export interface LoadedModel {
  model?: ModelFile;
  data?: TrainingData; // present when there is no error
  normalization?: Normalization;
  diagnostics: Diagnostic[];
}

/** A problem found while loading data, to be placed in the model file's text. */
class LoadProblem extends Error {
  constructor(
    readonly segments: PathSegment[],
    message: string,
    readonly label?: string, // e.g. "data/x.csv:12:3", used as the diagnostic's path
  ) {
    super(message);
  }
}

export function loadModel(text: string, options: LoadOptions = {}): LoadedModel {
  const parsed = parseModelFile(text);
  if (!parsed.model) return parsed;
  const model = parsed.model;
  const doc = JsonDocument.parse(text);
  const diagnostics = [...parsed.diagnostics];
  try {
    const raw = readDataset(model, options);
    checkDatasetFits(model, raw);
    const split = splitFor(model, raw, diagnostics, doc);
    const normalizeKind = 'normalize' in model.data ? model.data.normalize : undefined;
    if (!normalizeKind) return { model, data: { dataset: raw, split }, diagnostics };
    const normalization = fitNormalization(raw, normalizeKind, split.train);
    return { model, data: { dataset: applyNormalization(raw, normalization), split }, normalization, diagnostics };
  } catch (e) {
    if (!(e instanceof LoadProblem)) throw e;
    const d = doc.diagnostic(e.segments, e.message);
    return { model, diagnostics: [...diagnostics, e.label ? { ...d, path: e.label } : d] };
  }
}

function outputUnits(model: ModelFile): number {
  return model.layers[model.layers.length - 1].units;
}

function readDataset(model: ModelFile, options: LoadOptions): Dataset {
  const data = model.data;
  if ('x' in data) {
    return { x: Float64Array.from(data.x.flat()), y: Float64Array.from(data.y.flat()), samples: data.x.length, inputs: model.inputs, outputs: outputUnits(model) };
  }
  if ('generator' in data) {
    checkGeneratorFits(model, data);
    return generateDataset(data, data.seed ?? model.seed ?? DEFAULT_SEED, model.inputs, outputUnits(model));
  }
  const categorical = 'builtin' in data || model.loss === 'cross-entropy';
  if ('csv' in data) {
    const targets = typeof data.target === 'string' ? [data.target] : data.target;
    return readCsv(options.files, data.csv, ['data', 'csv'], targets, categorical ? 'categorical' : 'auto');
  }
  const builtin = BUILTIN_DATASETS[data.builtin];
  return readCsv(options.builtins, builtin.file, ['data', 'builtin'], [builtin.target], 'categorical');
}

function readCsv(reader: DataFileReader | undefined, file: string, at: PathSegment[], targets: string[], targetKind: 'categorical' | 'auto'): Dataset {
  const where = `data.${at[1]}`;
  if (!reader) throw new LoadProblem(at, `${where}: this host cannot read data files; use inline "x"/"y" or a "generator"`);
  const shown = reader.describe ? `"${file}" (${reader.describe(file)})` : `"${file}"`;
  const size = reader.size(file);
  if (size === undefined) {
    throw new LoadProblem(at, `${where}: file ${shown} not found; paths are relative to the model file's folder`);
  }
  if (size > MAX_CSV_BYTES) {
    throw new LoadProblem(at, `${where}: ${shown} is ${megabytes(size)}; data files up to ${megabytes(MAX_CSV_BYTES)} are loaded (the whole file is parsed in the editor's process). Use a sample of the rows.`);
  }
  let text: string;
  try {
    text = reader.readText(file);
  } catch (e) {
    throw new LoadProblem(at, `${where}: cannot read ${shown}: ${(e as Error).message}`);
  }
  try {
    return parseCsvDataset(text, { file, targets, targetKind });
  } catch (e) {
    if (e instanceof CsvError) throw new LoadProblem(at, `${where}: ${e.message}`, `${e.file}:${e.line}:${e.column}`);
    if (e instanceof MissingColumnError) {
      const guess = closest(e.column, e.header);
      throw new LoadProblem(['data', 'target'], `data.target: ${e.message}${guess ? `; did you mean "${guess}"?` : ''}`);
    }
    throw e;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function checkGeneratorFits(model: ModelFile, data: Extract<ModelFile['data'], { generator: unknown }>): void {
  const shape = generatorShape(data);
  const name = `the "${data.generator}" generator`;
  if (shape.inputs !== undefined && model.inputs !== shape.inputs) {
    throw new LoadProblem(['inputs'], `inputs: ${name} makes ${shape.inputs} input${shape.inputs === 1 ? '' : 's'}, but "inputs" is ${model.inputs}; set "inputs": ${shape.inputs}.`);
  }
  if (data.classes !== undefined && data.generator !== 'spiral') {
    throw new LoadProblem(['data', 'classes'], `data.classes: only "spiral" takes a number of classes; ${name} makes ${shape.classes === 1 ? 'regression targets' : `${shape.classes} classes`}. Remove "classes".`);
  }
  if (shape.kind === 'regression' && (model.loss === 'cross-entropy' || model.loss === 'binary-cross-entropy')) {
    throw new LoadProblem(['loss'], `loss: ${name} makes numeric (regression) targets; use "mse" or "mae" instead of "${model.loss}".`);
  }
}

function checkDatasetFits(model: ModelFile, dataset: Dataset): void {
  if ('x' in model.data) return; // inline rows were checked one by one with their own paths
  const source = describeSource(model);
  const last = model.layers.length - 1;
  if (dataset.inputs !== model.inputs) {
    throw new LoadProblem(['inputs'], `inputs: ${source} has ${dataset.inputs} input column${dataset.inputs === 1 ? '' : 's'}, but "inputs" is ${model.inputs}; set "inputs": ${dataset.inputs}.`);
  }
  if (dataset.outputs !== outputUnits(model)) {
    const what = dataset.outputNames && classLabels(dataset) && dataset.outputs > 1 ? ` (one-hot classes ${quoteList(dataset.outputNames.slice(0, 10), 'and')}${dataset.outputs > 10 ? ', ...' : ''})` : '';
    const alternative = dataset.outputs === 2 && classLabels(dataset) ? ' (or use a generator/loss pair that gives one 0/1 column)' : '';
    throw new LoadProblem(['layers', last, 'units'], `layers[${last}].units: ${source} has ${dataset.outputs} target column${dataset.outputs === 1 ? '' : 's'}${what}, but the output layer has ${outputUnits(model)} unit${outputUnits(model) === 1 ? '' : 's'}; set layers[${last}].units to ${dataset.outputs}${alternative}.`);
  }
  for (let i = 0; i < dataset.samples; i++) {
    const problem = targetRowProblem(model.loss, dataset.y.subarray(i * dataset.outputs, (i + 1) * dataset.outputs));
    if (problem) throw new LoadProblem(['loss'], `loss: the target of sample ${i + 1} of ${source} ${problem}.`);
  }
}

function describeSource(model: ModelFile): string {
  const data = model.data;
  if ('generator' in data) return `the "${data.generator}" generator`;
  if ('csv' in data) return `"${data.csv}"`;
  if ('builtin' in data) return `the built-in "${data.builtin}" dataset`;
  return 'data.x/data.y';
}

function splitFor(model: ModelFile, dataset: Dataset, diagnostics: Diagnostic[], doc: JsonDocument): SplitIndices {
  const ratios = model.split;
  const classification = classLabels(dataset) !== undefined;
  if (ratios?.stratify === true && !classification) {
    throw new LoadProblem(['split', 'stratify'], 'split.stratify: stratifying needs class targets (one-hot rows or a 0/1 column), but these targets are numeric; remove "stratify".');
  }
  const rng = new Rng(((model.seed ?? DEFAULT_SEED) ^ SPLIT_STREAM) >>> 0);
  const split = splitIndices(dataset, ratios, rng, ratios?.stratify ?? true);
  if (split.train.length === 0) {
    throw new LoadProblem(['split', 'train'], `split.train: ${dataset.samples} samples leave none for training at these ratios; give "train" a larger share.`);
  }
  for (const part of ['validation', 'test'] as const) {
    if ((ratios?.[part] ?? 0) > 0 && split[part].length === 0) {
      diagnostics.push(doc.diagnostic(['split', part], `split.${part}: ${ratios![part]} of ${dataset.samples} samples rounds to 0; this part will be empty.`, { severity: 'warning' }));
    }
  }
  return split;
}
