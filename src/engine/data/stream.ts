// Online training (the lecture's "훈련 데이터가 점진적으로 계속 늘어나는 경우", data that keeps
// arriving): a seeded generator yields fresh samples for every step and there is no fixed
// training set. Step k's batch is the generator's dataset of `samplesPerStep` samples drawn with
// its own seed, stepSeed(seed, k): a pure function of (seed, k), so stepping back, replaying and
// re-reading a past step's rows need no saved generator state, and two runs see the same stream.
// Stream sample n (0-based, StepTrace.batch in online mode) is row n mod samplesPerStep of step
// ⌊n / samplesPerStep⌋ + 1.
import type { Dataset, GeneratorName } from '../types';
import { type Allocate, freshArray } from '../arena';
import { gatherRows } from '../evaluation';
import type { SplitIndices } from './split';
import { type GeneratorSpec, generateDataset } from './generators';

/** Generators whose samples are independent draws; spiral places its points along the arms by index. */
export const STREAMING_GENERATORS: readonly GeneratorName[] = ['xor', 'circles', 'two-gaussians', 'moons', 'linear', 'sine'];

/** Keeps the stream's seeds apart from the weights' and the reference sample's. */
const STREAM_SALT = 0x4f4e4c4e; // "ONLN"

/** murmur3's 32-bit finalizer: neighbouring inputs give unrelated outputs. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The generator seed of step `step` (1-based) of the stream seeded `seed`. */
export function stepSeed(seed: number, step: number): number {
  return mix32((mix32((seed ^ STREAM_SALT) >>> 0) + step) >>> 0);
}

export class SampleStream {
  constructor(
    readonly spec: GeneratorSpec,
    readonly seed: number,
    readonly samplesPerStep: number,
    private readonly inputs: number,
    private readonly outputs: number,
  ) {}

  /** The fresh samples of step `step` (1-based). */
  samplesOfStep(step: number): Dataset {
    return generateDataset({ ...this.spec, samples: this.samplesPerStep }, stepSeed(this.seed, step), this.inputs, this.outputs);
  }

  /** Stream sample numbers of step `step`'s batch. */
  batchOfStep(step: number): number[] {
    return Array.from({ length: this.samplesPerStep }, (_, j) => (step - 1) * this.samplesPerStep + j);
  }

  /** x and y of stream samples given by number, in that order. */
  rows(samples: readonly number[], allocate: Allocate = freshArray): { x: Float64Array; y: Float64Array } {
    const x = allocate(samples.length * this.inputs);
    const y = allocate(samples.length * this.outputs);
    let drawn: { step: number; data: Dataset } | undefined;
    samples.forEach((n, r) => {
      const step = Math.floor(n / this.samplesPerStep) + 1;
      if (drawn?.step !== step) drawn = { step, data: this.samplesOfStep(step) };
      const j = n % this.samplesPerStep;
      x.set(drawn.data.x.subarray(j * this.inputs, (j + 1) * this.inputs), r * this.inputs);
      y.set(drawn.data.y.subarray(j * this.outputs, (j + 1) * this.outputs), r * this.outputs);
    });
    return { x, y };
  }
}

/**
 * x and y of a step's batch (StepTrace.batch): positions in the training split, or in online
 * mode stream sample numbers. The one place that knows which.
 */
export function batchRows(
  data: { dataset: Dataset; split: SplitIndices; stream?: SampleStream }, batch: readonly number[], allocate?: Allocate,
): { x: Float64Array; y: Float64Array } {
  if (data.stream) return data.stream.rows(batch, allocate);
  return gatherRows(data.dataset, batch.map((position) => data.split.train[position]), allocate);
}

/** Why `what` (which needs a fixed training set) cannot take an online model. */
export function onlineRefusal(what: string): string {
  return `${what} needs a fixed training set, and this model trains online ("data.online": true): every step draws fresh samples; remove "online" to use ${what}`;
}
