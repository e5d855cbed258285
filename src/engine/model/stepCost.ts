// One step's CPU time, estimated from what the model file states before anything trains, so that
// a file whose step would take longer than MAX_STEP_CPU_SECONDS is refused when it is loaded (in
// the editor as you type, by the CLI and by the debug adapter) at the field to change.
// The costs below were measured on the project's 2-core build machine (Node 20, float64
// engine), taking the slowest shape seen for each, so the estimate errs on the long side; the
// iteration counts are the most a step can use (line searches at their evaluation budget).
import { MAX_STEP_CPU_SECONDS } from '../limits';
import { MAX_TRIALS as LM_MAX_TRIALS } from '../optimizers/levenbergMarquardt';
import { TORCH_WOLFE } from '../optimizers/lineSearch';
import { OPTIMIZER_DEFAULTS } from '../optimizers/defaults';
import type { ModelFile } from '../types';
import type { PathSegment } from './jsonText';
import { parameterCount } from './semantics';

/**
 * One sample's forward and backward pass: a fixed cost (per-layer calls, activations) plus one
 * per number it touches (weights, inputs, z and a), which falls as layers widen (the WebAssembly
 * kernel). Measured: 1.2 µs per sample on 2-2-1; 16 ns per number on 2-32-32-1 (the slowest
 * shape), 3 ns on 2-64-64-1, 2 ns on 64-128-128-10, 1.3 ns on 784-128-10. Priced: 16 ns for a
 * sample's first 5,000 numbers and 3 ns for the rest. The epoch-end measurement (a forward pass
 * only) is priced as a whole pass.
 */
const SAMPLE_NS = 1500;
const NARROW_NUMBERS = 5000;
const NARROW_NUMBER_NS = 16;
const WIDE_NUMBER_NS = 3;
/** Building one recorded number of the step (values, gradients, updates) and writing it as JSON: 20,000 whole-batch samples of 2-3-3-3-1 record 1.2M numbers in 1.1–1.4 s; priced at the slowest, 1.2 µs. */
const RECORD_NS = 1200;
/** One multiply-add of dense linear algebra (Gram matrix, Cholesky, Lanczos): Levenberg–Marquardt's 2,000 × 1,801 Gram matrix, 6.5e9 of them, took 7.5 s. */
const FLOP_NS = 1.2;
/** Lanczos iterations of Newton's extreme-eigenvalue estimate (secondOrder/linalg.ts), each a P×P product. */
const LANCZOS_ITERATIONS = 120;
/** Newton's Cholesky factorizations per iteration when H must be damped: one that fails, one that succeeds. */
const NEWTON_FACTORIZATIONS = 2;

export interface StepCostPart {
  what: string;
  seconds: number;
}

export interface StepCost {
  seconds: number;
  /** The largest parts first. */
  parts: StepCostPart[];
  /** Numbers one step records: the batch's per-layer values, six copies of the parameters, L-BFGS's history. */
  recordedValues: number;
  /** The field to change and what to do, for the largest part. */
  at: PathSegment[];
  advice: string;
}

export interface StepShape {
  /** Samples in one step's batch (the whole training set for the full-batch optimizers). */
  rows: number;
  /** Training samples (the full-batch optimizers' objective). */
  train: number;
  /** Samples measured at an epoch's end (training and validation splits). */
  evaluated: number;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** The estimate for `model` on data of `shape`. */
export function estimateStepCost(model: ModelFile, shape: StepShape): StepCost {
  const { rows, train, evaluated } = shape;
  const P = parameterCount(model);
  let perRow = 0; // numbers recorded per sample: input, z, a, upstream, delta and f′(z) (softmax: a units × units Jacobian)
  let activations = model.inputs;
  model.layers.forEach((layer, l) => {
    const fanIn = l === 0 ? model.inputs : model.layers[l - 1].units;
    perRow += fanIn + layer.units * (layer.activation === 'softmax' ? layer.units + 4 : 5);
    activations += 2 * layer.units;
  });
  const numbers = P + activations;
  const sampleSeconds = (SAMPLE_NS + NARROW_NUMBER_NS * Math.min(numbers, NARROW_NUMBERS) + WIDE_NUMBER_NS * Math.max(0, numbers - NARROW_NUMBERS)) * 1e-9;
  const o = model.optimizer;
  const history = o.type === 'lbfgs' ? 2 * (o.historySize ?? OPTIMIZER_DEFAULTS.lbfgs.historySize) * P : 0;
  const recordedValues = rows * perRow + 6 * P + history;

  const parts: (StepCostPart & { at: PathSegment[]; advice: string })[] = [];
  const batch = model.batch;
  const smallerBatch: { at: PathSegment[]; advice: string } =
    o.type in FULL_BATCH_ITERATIONS
      ? { at: dataSizeField(model), advice: `"${o.type}" takes the whole training set in every step: use fewer samples or smaller layers` }
      : rows > 1 && batch
        ? { at: ['batch', batch.mode === 'mini-batch' ? 'size' : 'mode'], advice: 'use smaller mini-batches ("batch": { "mode": "mini-batch", "size": 32 }) or smaller layers' }
        : rows > 1
          ? { at: dataSizeField(model), advice: 'train on mini-batches ("batch": { "mode": "mini-batch", "size": 32 }), or use fewer samples or smaller layers' }
          : { at: ['layers', widestLayer(model), 'units'], advice: 'use smaller layers' };
  parts.push({
    what: `the step's pass over ${count(rows)} sample${rows === 1 ? '' : 's'} and its record of ${count(recordedValues)} numbers`,
    seconds: rows * sampleSeconds + recordedValues * RECORD_NS * 1e-9,
    ...smallerBatch,
  });
  parts.push({
    what: `measuring the ${count(evaluated)} training and validation samples at the epoch's end`,
    seconds: evaluated * sampleSeconds,
    at: dataSizeField(model),
    advice: 'use fewer samples or smaller layers',
  });
  const iterations = FULL_BATCH_ITERATIONS[o.type as keyof typeof FULL_BATCH_ITERATIONS];
  if (iterations) {
    const optimizer = iterations(model, P, train, sampleSeconds);
    const at: PathSegment[] = o.maxIter !== undefined && o.maxIter > 1 ? ['optimizer', 'maxIter'] : ['optimizer', 'type'];
    parts.push({ ...optimizer, at, advice: `lower "maxIter", use fewer training samples or a smaller network, or a first-order optimizer such as "adam"` });
  }
  parts.sort((a, b) => b.seconds - a.seconds);
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  return { seconds, parts: parts.map(({ what, seconds: s }) => ({ what, seconds: s })), recordedValues, at: parts[0].at, advice: parts[0].advice };
}

/** Whether a step estimated at `cost` is refused. */
export function overStepLimit(cost: StepCost): boolean {
  return cost.seconds > MAX_STEP_CPU_SECONDS;
}

/** The message for a refused step, after the field's path: the estimate, its parts, the limit and what to change. */
export function stepCostMessage(cost: StepCost): string {
  const parts = cost.parts.filter((p) => p.seconds >= 0.05 || p === cost.parts[0]).map((p) => `${p.what} (${seconds(p.seconds)})`);
  return `one step is estimated at ${seconds(cost.seconds)} of CPU, more than the limit of ${MAX_STEP_CPU_SECONDS} s: ${parts.join(', ')}; ${cost.advice}.`;
}

function seconds(s: number): string {
  return s >= 100 ? `${count(s)} s` : `${s.toPrecision(2)} s`;
}

type OptimizerWork = (model: ModelFile, P: number, train: number, sampleSeconds: number) => StepCostPart;

/** The full-training-set optimizers' inner work per step, at the most iterations and evaluations it may use. */
const FULL_BATCH_ITERATIONS = {
  'conjugate-gradient': (model, _P, train, sampleSeconds) => {
    const o = model.optimizer;
    const maxIter = o.maxIter ?? OPTIMIZER_DEFAULTS['conjugate-gradient'].maxIter;
    const perIteration = 1 + ((o.lineSearch ?? OPTIMIZER_DEFAULTS['conjugate-gradient'].lineSearch) === 'none' ? 1 : TORCH_WOLFE.maxEvaluations);
    return {
      what: `${count(maxIter)} iteration${maxIter === 1 ? '' : 's'} × up to ${perIteration} evaluations of the ${count(train)} training samples`,
      seconds: maxIter * perIteration * train * sampleSeconds,
    };
  },
  lbfgs: (model, _P, train, sampleSeconds) => {
    const o = model.optimizer;
    const maxIter = o.maxIter ?? OPTIMIZER_DEFAULTS.lbfgs.maxIter;
    const maxEval = (o.maxEval as number | undefined) ?? Math.floor((maxIter * 5) / 4);
    // A line search may start just under maxEval and use its whole budget.
    const lineSearch = (o.lineSearch ?? OPTIMIZER_DEFAULTS.lbfgs.lineSearch) === 'none' ? 1 : TORCH_WOLFE.maxEvaluations;
    const evaluations = Math.min(maxEval + lineSearch, 1 + maxIter * lineSearch);
    return { what: `up to ${count(evaluations)} evaluations ("maxEval" ${count(maxEval)}) of the ${count(train)} training samples`, seconds: evaluations * train * sampleSeconds };
  },
  newton: (model, P, train, sampleSeconds) => {
    const o = model.optimizer;
    const maxIter = o.maxIter ?? OPTIMIZER_DEFAULTS.newton.maxIter;
    // The gradient and P Hessian-vector passes over the training set, then Lanczos and Cholesky on P×P.
    const perIteration = (1 + P) * train * sampleSeconds + (LANCZOS_ITERATIONS * P * P + (NEWTON_FACTORIZATIONS * P ** 3) / 3) * FLOP_NS * 1e-9;
    return { what: `${count(maxIter)} iteration${maxIter === 1 ? '' : 's'} of an exact ${count(P)} × ${count(P)} Hessian over the ${count(train)} training samples and its factorization`, seconds: maxIter * perIteration };
  },
  'levenberg-marquardt': (model, P, train, sampleSeconds) => {
    const o = model.optimizer;
    const maxIter = o.maxIter ?? OPTIMIZER_DEFAULTS['levenberg-marquardt'].maxIter;
    const R = train * model.layers[model.layers.length - 1].units;
    const n = Math.min(R, P);
    // The residual Jacobian (a backward pass per residual), its R×P·n Gram product, and up to
    // MAX_TRIALS damped factorizations, each followed by an evaluation.
    const perIteration = R * sampleSeconds + (R * P * n + (LM_MAX_TRIALS * n ** 3) / 3) * FLOP_NS * 1e-9 + LM_MAX_TRIALS * train * sampleSeconds;
    return { what: `${count(maxIter)} iteration${maxIter === 1 ? '' : 's'} of a ${count(R)} × ${count(P)} Jacobian, its ${count(n)} × ${count(n)} system and up to ${LM_MAX_TRIALS} factorizations`, seconds: maxIter * perIteration };
  },
} satisfies Record<string, OptimizerWork>;

/** The field that sets how many samples there are. */
function dataSizeField(model: ModelFile): PathSegment[] {
  const data = model.data;
  if ('generator' in data) return data.samples === undefined ? ['data', 'generator'] : ['data', 'samples'];
  if ('csv' in data) return ['data', 'csv'];
  if ('builtin' in data) return ['data', 'builtin'];
  return ['data', 'x'];
}

function widestLayer(model: ModelFile): number {
  return model.layers.reduce((w, layer, l) => (layer.units > model.layers[w].units ? l : w), 0);
}
