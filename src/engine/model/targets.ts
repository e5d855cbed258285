// What a target row must look like for each loss. Shared by the checks of inline data and of
// loaded datasets, so both say the same thing.
import type { LossName } from '../types';

/** Why a target row does not suit the loss, or undefined. */
export function targetRowProblem(loss: LossName, row: ArrayLike<number>): string | undefined {
  if (loss === 'cross-entropy') {
    let sum = 0;
    for (let k = 0; k < row.length; k++) {
      if (row[k] < 0) return `has a negative target ${row[k]}; cross-entropy targets are one-hot rows such as [0, 1, 0]`;
      sum += row[k];
    }
    if (Math.abs(sum - 1) > 1e-9) {
      return `sums to ${+sum.toFixed(9)}; cross-entropy targets are one-hot rows such as [0, 1, 0] (or class probabilities summing to 1)`;
    }
  } else if (loss === 'binary-cross-entropy') {
    for (let k = 0; k < row.length; k++) {
      if (!(row[k] >= 0 && row[k] <= 1)) return `has target ${row[k]}; binary cross-entropy targets are 0 or 1 (or probabilities in [0, 1])`;
    }
  }
  return undefined;
}
