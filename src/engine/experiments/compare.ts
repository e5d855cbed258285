// Trajectories: several training runs of one model file from the same initial weights (each its
// own Trainer and optimizer), their loss curves, their paths projected onto a 2-D slice of
// parameter space, and J on a grid over that slice. What the inspector and the lessons draw for
// the lecture's loss surface, 3-D view and gradient-descent trajectory figures.
import type { ModelFile, OptimizerName, OptimizerSpec } from '../types';
import type { TrainingData } from '../model/load';
import { Trainer } from '../trainer';
import { NonFiniteError } from '../nonFinite';
import { OptimizerConfigError } from '../optimizers';
import { batchLoss, parameterCount, parameters } from '../network';
import { gatherRows } from '../evaluation';
import { flatten } from '../secondOrder/vectors';
import { type Normalization, type Slice, type SliceRequest, createSlice, project } from './slice';
import { type LossGrid, axis, lossOnSlice, rangeAround } from './lossSurface';

/** One run: the model file with this optimizer block and this batching. */
export interface CompareRun {
  label: string;
  optimizer: OptimizerSpec;
  batch: NonNullable<ModelFile['batch']>;
}

export interface CompareOptions {
  runs: CompareRun[];
  epochs: number;
  slice: SliceRequest;
  /** Grid nodes per axis (default 41). */
  grid?: number;
}

export interface RunResult {
  label: string;
  optimizer: OptimizerSpec;
  /** The batching actually used (full-batch optimizers always see the whole training split). */
  batch: { mode: string; size: number; shuffle: boolean; batchesPerEpoch: number };
  /** Steps completed (epochs × batchesPerEpoch unless stopped). */
  steps: number;
  /** J on each step's batch with the weights that step started from (StepTrace.loss), step 1 first. */
  stepLoss: number[];
  /** J on the whole training split: at the start, then after each completed epoch. */
  epochLoss: number[];
  /** Slice coordinates (α, β): the start (always [0, 0]), then after each step. */
  path: Array<[number, number]>;
  /** Distance of each path point from the slice plane (0 when the run stays on it). */
  offSlice: number[];
  /** Index into `path` of each epoch's end. */
  epochEnds: number[];
  /** Why the run ended early (NaN/±Infinity), if it did. */
  stopped?: string;
}

/**
 * The `compare` command's JSON (`--json`) and what the webview explorers draw. Paths and the grid
 * use the same coordinates: θ(α, β) = θ₀ + α·d₁ + β·d₂ with θ₀ the shared initial weights.
 * Non-finite losses are NaN/±Infinity here and null in JSON.
 */
export interface CompareResult {
  model: string;
  epochs: number;
  trainingSamples: number;
  parameterCount: number;
  slice: {
    kind: 'parameters' | 'random';
    /** What α and β are: two parameter names, or "direction 1"/"direction 2". */
    labels: [string, string];
    /** For two parameters: their values at the start (α = β = 0). */
    start?: [number, number];
    seed?: number;
    normalization?: Normalization;
    zeroFilters?: number;
  };
  runs: RunResult[];
  /** J (data + regularization) on the whole training split over the slice; other parameters held at θ₀. */
  grid: LossGrid;
}

function startTrainer(model: ModelFile, data: TrainingData, run: CompareRun): Trainer {
  try {
    return new Trainer({ ...model, optimizer: run.optimizer, batch: run.batch }, data, { trace: false, evaluateEpochs: false });
  } catch (error) {
    if (error instanceof OptimizerConfigError) throw new RangeError(`run "${run.label}": ${error.message}`);
    throw error;
  }
}

/** Trains one run for `epochs` epochs; `trainLoss` is J on the whole training split, as the grid computes it. */
function runOne(
  model: ModelFile, data: TrainingData, run: CompareRun, epochs: number, slice: Slice, trainLoss: (t: Trainer) => number,
): RunResult {
  const trainer = startTrainer(model, data, run);
  const { plan } = trainer;
  const live = parameters(trainer.network);
  const here = () => project(slice, flatten(live));
  const start = here();
  const result: RunResult = {
    label: run.label,
    optimizer: run.optimizer,
    batch: { mode: plan.mode, size: plan.size, shuffle: plan.shuffle, batchesPerEpoch: plan.batchesPerEpoch },
    steps: 0,
    stepLoss: [],
    epochLoss: [trainLoss(trainer)],
    path: [start.point],
    offSlice: [start.offSlice],
    epochEnds: [],
  };
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let k = 0; k < plan.batchesPerEpoch; k++) {
        const record = trainer.step();
        result.steps++;
        result.stepLoss.push(record.loss!);
        const p = here();
        result.path.push(p.point);
        result.offSlice.push(p.offSlice);
      }
      result.epochEnds.push(result.path.length - 1);
      result.epochLoss.push(trainLoss(trainer));
    }
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    result.stopped = error.message;
  }
  return result;
}

export function compareRuns(model: ModelFile, data: TrainingData, options: CompareOptions): CompareResult {
  if (options.runs.length === 0) throw new RangeError('give at least one run to compare');
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new RangeError(`epochs must be a whole number ≥ 1, got ${options.epochs}`);
  const gridSize = options.grid ?? 41;
  if (!Number.isInteger(gridSize) || gridSize < 2) throw new RangeError(`the grid needs a whole number ≥ 2 of nodes per axis, got ${gridSize}`);

  // The first run's trainer at step 0 holds the initial weights every run starts from.
  const reference = new Trainer(model, data, { trace: false, evaluateEpochs: false });
  const slice = createSlice(reference.network, options.slice);
  const train = data.split.train;
  const { x, y } = gatherRows(data.dataset, train);
  const trainLoss = (t: Trainer) => batchLoss(t.network, t.lossSpec, x, y, train.length);

  const runs = options.runs.map((run) => runOne(model, data, run, options.epochs, slice, trainLoss));
  const alphas = axis(...rangeAround(runs.flatMap((r) => r.path.map((p) => p[0]))), gridSize);
  const betas = axis(...rangeAround(runs.flatMap((r) => r.path.map((p) => p[1]))), gridSize);
  const grid = lossOnSlice(reference.network, reference.lossSpec, x, y, train.length, slice, alphas, betas);

  return {
    model: model.name ?? 'model',
    epochs: options.epochs,
    trainingSamples: train.length,
    parameterCount: parameterCount(reference.network),
    slice: {
      kind: slice.kind,
      labels: slice.labels,
      start: slice.parameters?.map((p) => slice.origin[p.index]) as [number, number] | undefined,
      seed: slice.seed,
      normalization: slice.normalization,
      zeroFilters: slice.zeroFilters,
    },
    runs,
    grid,
  };
}

// ---- the run lists of the command line

const FIRST_ORDER: ReadonlySet<OptimizerName> = new Set(['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw']);
const OPTIMIZER_NAMES: readonly OptimizerName[] = [
  'sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'newton', 'lbfgs', 'conjugate-gradient', 'levenberg-marquardt',
];

/** Aliases for common settings of sgd. */
export const OPTIMIZER_ALIASES: Readonly<Record<string, Partial<OptimizerSpec>>> = {
  gd: {},
  momentum: { momentum: 0.9 },
  nesterov: { momentum: 0.9, nesterov: true },
};

/**
 * "batch,mini-batch:16,stochastic": the model's optimizer with each batching; shuffling as the
 * model file says.
 */
export function parseBatchRuns(text: string, model: ModelFile): CompareRun[] {
  const shuffle = model.batch?.shuffle;
  return entries(text).map((entry) => {
    const [mode, size, ...rest] = entry.split(':').map((s) => s.trim());
    if (rest.length > 0) throw new RangeError(`run "${entry}": write batch, mini-batch:N or stochastic`);
    let batch: CompareRun['batch'];
    if (mode === 'batch' || mode === 'stochastic') {
      if (size !== undefined) throw new RangeError(`run "${entry}": ${mode} takes no size`);
      batch = { mode };
    } else if (mode === 'mini-batch') {
      const n = Number(size);
      if (size === undefined || !/^\d+$/.test(size) || n < 1) throw new RangeError(`run "${entry}": write mini-batch:N with a whole number N ≥ 1, e.g. mini-batch:16`);
      batch = { mode, size: n };
    } else {
      throw new RangeError(`run "${entry}": unknown training unit "${mode}"; use batch, mini-batch:N or stochastic`);
    }
    return { label: entry, optimizer: { ...model.optimizer }, batch: shuffle === undefined ? batch : { ...batch, shuffle } };
  });
}

/**
 * "sgd,momentum,adam:learningRate=0.01,lbfgs": each optimizer with the model's batching. The
 * model file's own type keeps its whole optimizer block; another first-order type gets torch's
 * defaults except the file's learningRate; the full-batch methods get their defaults. Aliases:
 * gd = sgd, momentum = sgd with momentum 0.9, nesterov = sgd with Nesterov momentum 0.9.
 * `:key=value` overrides (numbers, true/false, betas as 0.9/0.999, other text as is).
 */
export function parseOptimizerRuns(text: string, model: ModelFile): CompareRun[] {
  const batch = model.batch ?? { mode: 'batch' as const };
  return entries(text).map((entry) => {
    const [name, ...settings] = entry.split(':').map((s) => s.trim());
    const alias = OPTIMIZER_ALIASES[name];
    const type = (alias ? 'sgd' : name) as OptimizerName;
    if (!OPTIMIZER_NAMES.includes(type)) {
      const known = [...OPTIMIZER_NAMES, ...Object.keys(OPTIMIZER_ALIASES)].join(', ');
      throw new RangeError(`optimizer "${entry}": unknown name "${name}"; use one of ${known}`);
    }
    const spec: OptimizerSpec = { ...baseSpec(type, model), ...alias };
    for (const setting of settings) {
      const match = /^([A-Za-z]+)=(.+)$/.exec(setting);
      if (!match) throw new RangeError(`optimizer "${entry}": write settings as key=value, e.g. adam:learningRate=0.01, got "${setting}"`);
      spec[match[1]] = settingValue(match[2].trim());
    }
    return { label: entry, optimizer: spec, batch };
  });
}

function baseSpec(type: OptimizerName, model: ModelFile): OptimizerSpec {
  if (type === model.optimizer.type) return { ...model.optimizer };
  const learningRate = model.optimizer.learningRate;
  return FIRST_ORDER.has(type) && learningRate !== undefined ? { type, learningRate } : { type };
}

function settingValue(text: string): OptimizerSpec[string] {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^[^/]+\/[^/]+$/.test(text)) return text.split('/').map(Number) as [number, number];
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

function entries(text: string): string[] {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (list.length === 0) throw new RangeError('the list of runs is empty');
  return list;
}
