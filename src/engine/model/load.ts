// loadModel: the one call the CLI and the extension make. Model text → validated ModelFile, its
// dataset (inline, generated, CSV or built-in), the train/validation/test split and the input
// scaling fitted on the training rows, or diagnostics saying where and what is wrong.
// The result's `data` is what the Trainer takes: it trains on `split.train` only and reaches
// `split.test` solely through an explicit evaluation request.
import { BUILTIN_DATASETS } from '../data/builtins';
import { CsvError, MissingColumnError, parseCsvDataset } from '../data/csv';
import type { DataFileLookup, DataFileReader } from '../data/files';
import { DEFAULT_SAMPLES, generateDataset, generatorShape } from '../data/generators';
import { type Normalization, applyNormalization, fitNormalization } from '../data/normalize';
import { type SplitIndices, classLabels, splitIndices } from '../data/split';
import { SampleStream } from '../data/stream';
import { planBatches } from '../batching';
import { Rng } from '../rng';
import type { Dataset, Diagnostic, ModelFile } from '../types';
import { JACOBIAN_ENTRY_LIMIT } from '../optimizers/levenbergMarquardt';
import { PARAMETER_LIMITS } from '../optimizers/fullBatch';
import { type JsonDocument, type PathSegment, formatPath } from './jsonText';
import { parameterCount } from './semantics';
import { type ParsedModel, parseModelFile } from './parse';
import { targetRowProblem } from './targets';
import { closest, excerpt, quoteList } from './words';
import { MAX_CSV_BYTES, MAX_DATASET_VALUES, MAX_PASS_VALUES, describeBytes } from '../limits';
import { estimateStepCost, overStepLimit, stepCostMessage } from './stepCost';

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
  /**
   * Online training ("online": true): the fresh samples of every step. `dataset` is then a
   * reference sample of `data.samples` draws from the same generator with a seed of its own, all
   * of it the validation split (nothing is trained on it), measured at every epoch end; an epoch
   * is ⌈samples / batch size⌉ steps.
   */
  stream?: SampleStream;
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
  return loadParsed(parseModelFile(text), options);
}

/**
 * loadModel for the extension host: a data file that has to be read (not cached, inside the size
 * limit) is read first through the reader's readTextAsync, so the host's event loop keeps running
 * while it is read; the rest (parsing it, checks, the split) is loadModel's.
 */
export async function loadModelAsync(text: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const parsed = parseModelFile(text);
  const source = parsed.model ? dataFileOf(parsed.model, options) : undefined;
  if (!source?.reader?.readTextAsync) return loadParsed(parsed, options);
  let found: LocatedCsv;
  try {
    found = locateCsv(source);
  } catch (e) {
    if (e instanceof LoadProblem) return loadParsed(parsed, options); // reported there, at its place
    throw e;
  }
  if (found.key !== undefined && parsedCsv.has(found.key)) return loadParsed(parsed, options);
  let preRead: PreRead;
  try {
    preRead = { version: found.version, text: await source.reader.readTextAsync(source.file, MAX_CSV_BYTES) };
  } catch (e) {
    preRead = { version: found.version, error: e as Error };
  }
  return loadParsed(parsed, options, preRead);
}

/** A data file's text read before loading, for the file version it was read at (or why it could not be read). */
interface PreRead {
  version: string | undefined;
  text?: string; // undefined without error: more than the limit
  error?: Error;
}

function loadParsed(parsed: ParsedModel, options: LoadOptions, preRead?: PreRead): LoadedModel {
  if (!parsed.model) return { diagnostics: parsed.diagnostics };
  const model = parsed.model;
  const doc = parsed.doc!;
  const diagnostics = [...parsed.diagnostics];
  try {
    if ('generator' in model.data && model.data.online) return { model, data: onlineData(model, model.data), diagnostics };
    const raw = readDataset(model, options, preRead);
    checkDatasetFits(model, raw);
    const split = splitFor(model, raw, diagnostics, doc);
    checkWorkFits(model, raw, split);
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

/** A CSV the model's data names (its own or a built-in dataset's), and how to read its targets. */
interface CsvSource {
  reader: DataFileReader | undefined;
  file: string;
  at: PathSegment[];
  targets: string[];
  targetKind: 'categorical' | 'auto';
}

function dataFileOf(model: ModelFile, options: LoadOptions): CsvSource | undefined {
  const data = model.data;
  if ('x' in data || 'generator' in data) return undefined;
  const categorical = 'builtin' in data || model.loss === 'cross-entropy';
  if ('csv' in data) {
    const targets = typeof data.target === 'string' ? [data.target] : data.target;
    return { reader: options.files, file: data.csv, at: ['data', 'csv'], targets, targetKind: categorical ? 'categorical' : 'auto' };
  }
  const builtin = BUILTIN_DATASETS[data.builtin];
  return { reader: options.builtins, file: builtin.file, at: ['data', 'builtin'], targets: [builtin.target], targetKind: 'categorical' };
}

function readDataset(model: ModelFile, options: LoadOptions, preRead?: PreRead): Dataset {
  const data = model.data;
  if ('x' in data) {
    return { x: Float64Array.from(data.x.flat()), y: Float64Array.from(data.y.flat()), samples: data.x.length, inputs: model.inputs, outputs: outputUnits(model) };
  }
  if ('generator' in data) {
    checkGeneratorFits(model, data);
    return generateDataset(data, data.seed ?? model.seed ?? DEFAULT_SEED, model.inputs, outputUnits(model));
  }
  return readCsv(dataFileOf(model, options)!, preRead);
}

/** Parsed CSV datasets by file version and options, so an edit that does not touch the data does not parse it again. */
const parsedCsv = new Map<string, Dataset>();
const PARSED_CSV_KEPT = 4;

/** A data file found readable, not yet read. */
interface LocatedCsv {
  reader: DataFileReader;
  where: string; // "data.csv"
  shown: string; // the path for messages
  version: string | undefined;
  key: string | undefined; // in parsedCsv
}

/** Where a data path leads, refused (by name, unread) when it is outside, not a file or over the size it reports. */
function locateCsv({ reader, file, at, targets, targetKind }: CsvSource): LocatedCsv {
  const where = `data.${at[1]}`;
  if (!reader) throw new LoadProblem(at, `${where}: this host cannot read data files; use inline "x"/"y" or a "generator"`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(file)) throw new LoadProblem(at, `${where}: the path ${excerpt(file, 120)} contains control characters; write a plain relative path such as "data/train.csv"`);
  const full = reader.describe?.(file);
  const shown = full && full !== file ? `${excerpt(file, 120)} (${excerpt(full, 200)})` : excerpt(file, 120);
  const found = reader.locate(file);
  if (!found.ok) throw new LoadProblem(at, `${where}: ${REFUSALS[found.reason](shown, reader.root === undefined ? '' : ` (${excerpt(reader.root, 200)})`)}`);
  if (found.size !== undefined && found.size > MAX_CSV_BYTES) {
    throw new LoadProblem(at, `${where}: ${shown} is ${describeBytes(found.size)}; data files up to ${describeBytes(MAX_CSV_BYTES)} are loaded (the whole file is parsed in the editor's process). Use a sample of the rows.`);
  }
  const key = found.version === undefined ? undefined : [found.version, targetKind, ...targets].join('\u0000');
  return { reader, where, shown, version: found.version, key };
}

function readCsv(source: CsvSource, preRead?: PreRead): Dataset {
  const { file, at, targets, targetKind } = source;
  const { reader, where, shown, version, key } = locateCsv(source);
  const cached = key === undefined ? undefined : parsedCsv.get(key);
  if (cached) {
    parsedCsv.delete(key!); // most recently used last
    parsedCsv.set(key!, cached);
    return cached;
  }
  let text: string | undefined;
  try {
    // Read before, off the event loop (loadModelAsync), when the file has not changed since.
    if (preRead && version !== undefined && preRead.version === version) {
      if (preRead.error) throw preRead.error;
      text = preRead.text;
    } else {
      text = reader.readText(file, MAX_CSV_BYTES);
    }
  } catch (e) {
    throw new LoadProblem(at, `${where}: cannot read ${shown}: ${excerpt((e as Error).message, 200)}`);
  }
  if (text === undefined) {
    throw new LoadProblem(at, `${where}: ${shown} holds more than ${describeBytes(MAX_CSV_BYTES)}, the limit for data files (the whole file is parsed in the editor's process). Use a sample of the rows.`);
  }
  let dataset: Dataset;
  try {
    dataset = parseCsvDataset(text, { file, targets, targetKind });
  } catch (e) {
    if (e instanceof CsvError) throw new LoadProblem(at, `${where}: ${e.message}`, `${e.file}:${e.line}:${e.column}`);
    if (e instanceof MissingColumnError) {
      const guess = closest(e.column, e.header);
      throw new LoadProblem(['data', 'target'], `data.target: ${e.message}${guess ? `; did you mean ${excerpt(guess)}?` : ''}`);
    }
    throw e;
  }
  if (key !== undefined) {
    parsedCsv.set(key, dataset);
    if (parsedCsv.size > PARSED_CSV_KEPT) parsedCsv.delete(parsedCsv.keys().next().value!);
  }
  return dataset;
}

/** Why a data path was refused, said after the path; the refused file is never read. */
const REFUSALS: Record<Extract<DataFileLookup, { ok: false }>['reason'], (shown: string, root: string) => string> = {
  missing: (shown) => `file ${shown} not found; paths are relative to the model file's folder`,
  outside: (shown, root) => `${shown} is outside the folder data files are read from${root}; a data path must lead (after following links) to a file inside the model's workspace folder`,
  'not-a-file': (shown) => `${shown} is not a regular file (a folder, device, pipe or socket); a data path must name a CSV file inside the model's workspace folder`,
};

type GeneratorData = Extract<ModelFile['data'], { generator: unknown }>;

function checkGeneratorFits(model: ModelFile, data: GeneratorData): void {
  const shape = generatorShape(data);
  const name = `the "${data.generator}" generator`;
  const samples = data.samples ?? DEFAULT_SAMPLES;
  const values = samples * (model.inputs + outputUnits(model));
  if (values > MAX_DATASET_VALUES) {
    throw new LoadProblem(['data', 'samples'], `data.samples: ${samples.toLocaleString('en-US')} samples of ${model.inputs} inputs and ${outputUnits(model)} outputs are ${values.toLocaleString('en-US')} numbers, more than the limit of ${MAX_DATASET_VALUES.toLocaleString('en-US')} for a dataset; generate at most ${Math.floor(MAX_DATASET_VALUES / (model.inputs + outputUnits(model))).toLocaleString('en-US')} samples.`);
  }
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

/** The reference sample draws from its own stream, so it never repeats a training step's samples. */
const REFERENCE_STREAM = 0x52454653;

function onlineData(model: ModelFile, data: GeneratorData): TrainingData {
  checkGeneratorFits(model, data);
  const seed = data.seed ?? model.seed ?? DEFAULT_SEED;
  const reference = generateDataset(data, (seed ^ REFERENCE_STREAM) >>> 0, model.inputs, outputUnits(model));
  checkDatasetFits(model, reference);
  const split: SplitIndices = { train: [], validation: Array.from({ length: reference.samples }, (_, i) => i), test: [] };
  checkWorkFits(model, reference, split, reference.samples);
  const samplesPerStep = planBatches(model.batch, reference.samples).size;
  return { dataset: reference, split, stream: new SampleStream(data, seed, samplesPerStep, model.inputs, outputUnits(model)) };
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

/**
 * What one step and one pass over a split will cost, known once the data and split are: the
 * step's CPU time (its record, the epoch-end measurement, the full-batch optimizers' inner
 * iterations), the forward pass of the per-epoch evaluation and of the full-batch optimizers,
 * and Levenberg–Marquardt's residual Jacobian (`train`: the samples of an epoch). Refused here,
 * with the field to change, rather than running for minutes or failing to allocate in a step.
 */
function checkWorkFits(model: ModelFile, dataset: Dataset, split: SplitIndices, train = split.train.length): void {
  const largestSplit = Math.max(train, split.validation.length, split.test.length);
  const fullBatch = model.optimizer.type in PARAMETER_LIMITS;
  const batch = model.batch;
  const rows = fullBatch || !batch || batch.mode === 'batch' ? train : batch.mode === 'stochastic' ? 1 : Math.min(batch.size ?? train, train);
  const passPerRow = model.layers.reduce((sum, layer) => sum + 2 * layer.units, model.inputs);
  const parameters = parameterCount(model);
  if (model.optimizer.type === 'levenberg-marquardt') {
    const entries = train * outputUnits(model) * parameters;
    if (entries > JACOBIAN_ENTRY_LIMIT) {
      throw new LoadProblem(['optimizer', 'type'], `optimizer.type: "levenberg-marquardt" needs a Jacobian of ${(train * outputUnits(model)).toLocaleString('en-US')} residuals (training samples × outputs) × ${parameters.toLocaleString('en-US')} parameters = ${entries.toLocaleString('en-US')} entries, more than its limit of ${JACOBIAN_ENTRY_LIMIT.toLocaleString('en-US')}; use fewer training samples or a smaller network.`);
    }
  }
  const widest = model.layers.reduce((w, layer, l) => (layer.units > model.layers[w].units ? l : w), 0);
  const passValues = largestSplit * passPerRow;
  if (passValues > MAX_PASS_VALUES) {
    throw new LoadProblem(['layers', widest, 'units'], `layers[${widest}].units: one forward pass over the ${largestSplit.toLocaleString('en-US')} samples of a split (the per-epoch evaluation) would hold ${passValues.toLocaleString('en-US')} numbers, more than the limit of ${MAX_PASS_VALUES.toLocaleString('en-US')}; use fewer samples or smaller layers.`);
  }
  const cost = estimateStepCost(model, { rows, train, evaluated: train + split.validation.length });
  if (overStepLimit(cost)) throw new LoadProblem(cost.at, `${formatPath(cost.at)}: ${stepCostMessage(cost)}`);
}

function describeSource(model: ModelFile): string {
  const data = model.data;
  if ('generator' in data) return `the "${data.generator}" generator`;
  if ('csv' in data) return excerpt(data.csv, 120);
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
