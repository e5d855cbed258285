// The gradient-noise experiment (the lecture's "미니 배치 크기": the sample mean of n draws has
// standard deviation σ/√n). At fixed weights, the full-batch gradient g is the mean of the
// per-sample gradients gᵢ, and a mini-batch gradient g_B is the mean over the batch, so
//   σ² = (1/N) Σᵢ ‖gᵢ − g‖²              (the population's spread, summed over parameters)
//   E‖g_B − g‖² = σ²/n                    (n samples drawn independently, with replacement)
//   E‖g_B − g‖² = σ²/n · (N − n)/(N − 1)  (n distinct samples, without replacement)
// The trainer draws without replacement: each epoch is a shuffled order cut into consecutive
// runs of n (batching.ts), so its prediction carries the finite-population factor.
//
// Only the data part of J is measured: the regularization gradient depends on the weights alone,
// is the same for every batch and cancels in g_B − g.
import type { TrainingData } from '../model/load';
import type { LossSpec } from '../losses';
import { type Network, lossAndGradients, parameterCount } from '../network';
import { gatherRows } from '../evaluation';
import { batchAt, epochOrder, planBatches } from '../batching';
import { Rng } from '../rng';
import { flatten, norm } from '../secondOrder/vectors';
import { perSampleGradients } from './perSampleGradients';

/**
 * How mini-batches are drawn: `epochs` as the trainer does (a fresh shuffle per epoch, batches of
 * consecutive positions, so without replacement; only full batches of n are used), or
 * `replacement`: n independent uniform picks, the textbook model behind σ/√n.
 */
export type Sampling = 'epochs' | 'replacement';

export interface GradientNoiseOptions {
  sizes: readonly number[];
  /** Mini-batches drawn per size. */
  draws: number;
  seed: number;
  sampling?: Sampling; // default 'epochs'
}

export interface GradientNoiseResult {
  sizes: number[];
  /** Measured sqrt(mean over draws of ‖g_B − g‖²), per size. */
  std: number[];
  /** σ/√n, times populationCorrection. */
  predicted: number[];
  /** sqrt((N − n)/(N − 1)) without replacement, 1 with replacement. */
  populationCorrection: number[];
  sigma: number;
  sampling: Sampling;
  withReplacement: boolean;
  /** N: training samples the batches are drawn from. */
  samples: number;
  parameters: number;
  draws: number;
  /** ‖g‖, the full-batch data gradient's norm, to compare the noise with. */
  gradientNorm: number;
  /** Least-squares slope of log std against log n (sizes with std > 0). */
  slope: number;
  /** The same slope for std / populationCorrection, which follows σ/√n: −0.5 in theory. */
  correctedSlope: number;
}

/** The full-batch data gradient g (flat, parameters() order) and σ = sqrt((1/N) Σᵢ ‖gᵢ − g‖²). */
export interface GradientSpread {
  gradient: Float64Array;
  sigma: number;
  samples: number;
  /** N × P per-sample gradients in training-split order, when small enough to keep. */
  table?: Float64Array;
}

/**
 * Per-sample gradients are kept as one N × P table when it has at most this many numbers (64 MiB);
 * mini-batch gradients are then row means of the table instead of new forward/backward passes.
 */
export const PER_SAMPLE_TABLE_LIMIT = 1 << 23;

/** ∂J_data/∂θ on dataset rows `rows` (indices into the dataset), flattened; regularization left out. */
function batchGradient(net: Network, lossSpec: LossSpec, data: TrainingData, rows: readonly number[]): Float64Array {
  const { x, y } = gatherRows(data.dataset, rows);
  return flatten(lossAndGradients(net, { loss: lossSpec.loss }, x, y, rows.length).grads);
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum;
}

/** g over the whole training split, and σ from every training sample's own gradient. */
export function gradientSpread(
  net: Network, lossSpec: LossSpec, data: TrainingData, tableLimit = PER_SAMPLE_TABLE_LIMIT,
): GradientSpread {
  const train = data.split.train;
  const width = parameterCount(net);
  const gradient = batchGradient(net, lossSpec, data, train);
  const chunk = Math.max(1, Math.floor(tableLimit / width));
  const table = train.length <= chunk ? new Float64Array(train.length * width) : undefined;
  let sum = 0;
  for (let start = 0; start < train.length; start += chunk) {
    const rows = train.slice(start, start + chunk);
    const { x, y } = gatherRows(data.dataset, rows);
    const perSample = perSampleGradients(net, lossSpec.loss, x, y, rows.length);
    for (let r = 0; r < rows.length; r++) sum += squaredDistance(perSample.subarray(r * width, (r + 1) * width), gradient);
    table?.set(perSample, start * width);
  }
  return { gradient, sigma: Math.sqrt(sum / train.length), samples: train.length, table };
}

/** The mean of the table's rows at `positions`: the mini-batch gradient. */
function meanOfRows(table: Float64Array, width: number, positions: readonly number[]): Float64Array {
  const mean = new Float64Array(width);
  for (const p of positions) {
    const row = p * width;
    for (let j = 0; j < width; j++) mean[j] += table[row + j];
  }
  for (let j = 0; j < width; j++) mean[j] /= positions.length;
  return mean;
}

/** sqrt((N − n)/(N − 1)): how much drawing n of N without replacement shrinks the spread of the mean. */
export function populationCorrection(samples: number, size: number): number {
  return samples > 1 ? Math.sqrt((samples - size) / (samples - 1)) : 0;
}

/** Least-squares slope of log y against log x over the points with x, y > 0 (NaN with fewer than two). */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  const points = xs
    .map((x, i) => [Math.log(x), Math.log(ys[i])])
    .filter(([lx, ly]) => Number.isFinite(lx) && Number.isFinite(ly));
  if (points.length < 2) return NaN;
  const mx = points.reduce((s, [lx]) => s + lx, 0) / points.length;
  const my = points.reduce((s, [, ly]) => s + ly, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [lx, ly] of points) {
    sxy += (lx - mx) * (ly - my);
    sxx += (lx - mx) ** 2;
  }
  return sxy / sxx;
}

/**
 * `draws` mini-batches of n training positions. With 'epochs' a new shuffled order starts
 * whenever the current one has no full batch left, as the trainer starts a new epoch.
 */
function* drawBatches(samples: number, size: number, draws: number, sampling: Sampling, rng: Rng): Generator<number[]> {
  if (sampling === 'replacement') {
    for (let d = 0; d < draws; d++) yield Array.from({ length: size }, () => rng.int(samples));
    return;
  }
  const plan = planBatches({ mode: 'mini-batch', size, shuffle: true }, samples);
  const fullBatches = Math.floor(samples / size);
  let order = epochOrder(plan, rng);
  let k = 0;
  for (let d = 0; d < draws; d++) {
    if (k === fullBatches) {
      order = epochOrder(plan, rng);
      k = 0;
    }
    yield batchAt(plan, order, k++);
  }
}

/** Measured sqrt(E‖g_B − g‖²) for one size. */
function measuredDeviation(
  net: Network, lossSpec: LossSpec, data: TrainingData, spread: GradientSpread,
  size: number, draws: number, sampling: Sampling, rng: Rng,
): number {
  const train = data.split.train;
  let sum = 0;
  for (const batch of drawBatches(train.length, size, draws, sampling, rng)) {
    const gB = spread.table
      ? meanOfRows(spread.table, spread.gradient.length, batch)
      : batchGradient(net, lossSpec, data, batch.map((position) => train[position]));
    sum += squaredDistance(gB, spread.gradient);
  }
  return Math.sqrt(sum / draws);
}

/** Throws a RangeError naming the bad size or count. */
export function checkNoiseOptions(options: GradientNoiseOptions, samples: number): void {
  if (options.sizes.length === 0) throw new RangeError('give at least one mini-batch size');
  for (const n of options.sizes) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`mini-batch sizes are whole numbers ≥ 1, got ${n}`);
    if (n > samples) throw new RangeError(`mini-batch size ${n} is larger than the training split (${samples} samples)`);
  }
  if (!Number.isInteger(options.draws) || options.draws < 1) {
    throw new RangeError(`the number of draws must be a whole number ≥ 1, got ${options.draws}`);
  }
}

/** The experiment at the network's current weights. */
export function gradientNoise(
  net: Network, lossSpec: LossSpec, data: TrainingData, options: GradientNoiseOptions,
  spread: GradientSpread = gradientSpread(net, lossSpec, data),
): GradientNoiseResult {
  const samples = data.split.train.length;
  checkNoiseOptions(options, samples);
  const sampling = options.sampling ?? 'epochs';
  const rng = new Rng(options.seed);
  const sizes = [...options.sizes];
  const std = sizes.map((n) => measuredDeviation(net, lossSpec, data, spread, n, options.draws, sampling, rng));
  const correction = sizes.map((n) => (sampling === 'epochs' ? populationCorrection(samples, n) : 1));
  const predicted = sizes.map((n, i) => (spread.sigma / Math.sqrt(n)) * correction[i]);
  return {
    sizes,
    std,
    predicted,
    populationCorrection: correction,
    sigma: spread.sigma,
    sampling,
    withReplacement: sampling === 'replacement',
    samples,
    parameters: spread.gradient.length,
    draws: options.draws,
    gradientNorm: norm(spread.gradient),
    slope: logLogSlope(sizes, std),
    correctedSlope: logLogSlope(sizes, std.map((s, i) => s / correction[i])),
  };
}

/**
 * The lecture's table: mini-batches of 100 and 10,000 (by default). The larger costs
 * large/small times the per-sample gradients and, drawn independently, has √(large/small) times
 * less spread. The trainer's batches (without replacement) shrink further by the population
 * factor, noticeably once n is a sizeable share of N; both are measured.
 */
export interface LectureBatchTable {
  sizes: [number, number];
  samples: number;
  sigma: number;
  draws: number;
  /** Per-sample gradients computed per step: n. */
  computation: [number, number];
  computationRatio: number;
  /** Independent draws: the lecture's σ/√n. */
  withReplacement: { std: [number, number]; predicted: [number, number]; ratio: number; predictedRatio: number };
  /** The trainer's draws: σ/√n · sqrt((N − n)/(N − 1)). */
  withoutReplacement: {
    std: [number, number];
    predicted: [number, number];
    populationCorrection: [number, number];
    ratio: number;
    predictedRatio: number;
  };
}

export function lectureBatchTable(
  net: Network, lossSpec: LossSpec, data: TrainingData,
  options: { sizes?: [number, number]; draws: number; seed: number },
): LectureBatchTable {
  const sizes = options.sizes ?? [100, 10000];
  const spread = gradientSpread(net, lossSpec, data);
  const run = (sampling: Sampling) =>
    gradientNoise(net, lossSpec, data, { sizes, draws: options.draws, seed: options.seed, sampling }, spread);
  const pair = (values: number[]): [number, number] => [values[0], values[1]];
  const independent = run('replacement');
  const trainer = run('epochs');
  return {
    sizes,
    samples: spread.samples,
    sigma: spread.sigma,
    draws: options.draws,
    computation: sizes,
    computationRatio: sizes[1] / sizes[0],
    withReplacement: {
      std: pair(independent.std),
      predicted: pair(independent.predicted),
      ratio: independent.std[1] / independent.std[0],
      predictedRatio: independent.predicted[1] / independent.predicted[0],
    },
    withoutReplacement: {
      std: pair(trainer.std),
      predicted: pair(trainer.predicted),
      populationCorrection: pair(trainer.populationCorrection),
      ratio: trainer.std[1] / trainer.std[0],
      predictedRatio: trainer.predicted[1] / trainer.predicted[0],
    },
  };
}
