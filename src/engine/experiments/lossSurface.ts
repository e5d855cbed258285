// J on a grid over a 2-D slice of parameter space (forward passes only): the lecture's loss
// surface and 3-D view, under the optimizers' paths.
import type { LossSpec } from '../losses';
import { type Network, batchLoss, cloneNetwork, parameters } from '../network';
import { assign } from '../secondOrder/vectors';
import { type Slice, pointOnSlice } from './slice';

/** loss[j][i] is J at (alphas[i], betas[j]); `min`/`max` over the finite values. */
export interface LossGrid {
  alphas: number[];
  betas: number[];
  loss: number[][];
  min: number;
  max: number;
}

/** `count` evenly spaced values from `from` to `to`. */
export function axis(from: number, to: number, count: number): number[] {
  if (count === 1) return [(from + to) / 2];
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

/**
 * An axis range covering `values` and 0 (the start), widened by `margin` of its width on each
 * side; ±1 when everything is 0.
 */
export function rangeAround(values: readonly number[], margin = 0.25): [number, number] {
  let low = 0;
  let high = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const width = high - low;
  if (width === 0) return [-1, 1];
  return [low - margin * width, high + margin * width];
}

/** J (data + regularization, as trained) on x/y at every grid node of the slice. */
export function lossOnSlice(
  net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number,
  slice: Slice, alphas: readonly number[], betas: readonly number[],
): LossGrid {
  const probe = cloneNetwork(net);
  const live = parameters(probe);
  const theta = new Float64Array(slice.origin.length);
  let min = Infinity;
  let max = -Infinity;
  const loss = betas.map((beta) =>
    alphas.map((alpha) => {
      assign(live, pointOnSlice(slice, alpha, beta, theta));
      const j = batchLoss(probe, lossSpec, x, y, rows);
      if (Number.isFinite(j)) {
        min = Math.min(min, j);
        max = Math.max(max, j);
      }
      return j;
    }),
  );
  return { alphas: [...alphas], betas: [...betas], loss, min, max };
}
