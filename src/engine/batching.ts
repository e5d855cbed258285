// How one epoch of the training split is cut into batches (DESIGN.md §5).
// An epoch visits every training sample once: its order is the split's order, or a fresh
// permutation from the session's generator when shuffling, and batch k is the k-th run of
// `size` consecutive positions in that order; the last batch keeps whatever is left.
//
// Shuffling defaults to off, as in PyTorch's DataLoader(shuffle=False): a learner stepping
// through a model file sees the samples in the order they are written, and a file that wants
// shuffling says "shuffle": true.
import type { ModelFile } from './types';
import type { Rng } from './rng';

export type BatchMode = 'batch' | 'mini-batch' | 'stochastic';

export interface BatchPlan {
  mode: BatchMode;
  /** Samples per batch (the last batch of an epoch may be shorter). */
  size: number;
  shuffle: boolean;
  /** Training samples per epoch. */
  samples: number;
  /** Batches per epoch: ⌈samples / size⌉. */
  batchesPerEpoch: number;
}

export const SHUFFLE_DEFAULT = false;

/**
 * The plan for a training split of `samples` samples. Full-batch optimizers (Newton, L-BFGS, ...)
 * always see the whole split, whatever the file asks for.
 */
export function planBatches(spec: ModelFile['batch'], samples: number, fullBatch = false): BatchPlan {
  const mode: BatchMode = fullBatch ? 'batch' : (spec?.mode ?? 'batch');
  const requested = mode === 'batch' ? samples : mode === 'stochastic' ? 1 : (spec?.size ?? samples);
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`batch size must be a whole number of at least 1, got ${requested}`);
  }
  const size = Math.min(requested, Math.max(samples, 1));
  return {
    mode,
    size,
    shuffle: spec?.shuffle ?? SHUFFLE_DEFAULT,
    samples,
    batchesPerEpoch: Math.ceil(samples / size),
  };
}

/** Positions 0..samples−1 of the training split in the order this epoch visits them. */
export function epochOrder(plan: BatchPlan, rng: Rng): number[] {
  const order = Array.from({ length: plan.samples }, (_, i) => i);
  if (plan.shuffle) rng.shuffle(order);
  return order;
}

/** Batch k (0-based) of an epoch: the k-th run of `size` consecutive entries of `order`. */
export function batchAt(plan: BatchPlan, order: readonly number[], k: number): number[] {
  return order.slice(k * plan.size, Math.min((k + 1) * plan.size, order.length));
}
