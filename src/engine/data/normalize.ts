// Input scaling fitted on the training rows only: statistics of validation or test rows must
// not shape what the model trains on. Conventions of sklearn's scalers: population standard
// deviation (ddof = 0), and a constant column is only shifted (its scale stays 1).
import type { Dataset } from '../types';

export type NormalizeKind = 'standard' | 'minmax';

/** x' = (x − offset) / scale, per input column. */
export interface Normalization {
  kind: NormalizeKind;
  offset: number[];
  scale: number[];
}

export function fitNormalization(dataset: Dataset, kind: NormalizeKind, rows: readonly number[]): Normalization {
  const { x, inputs } = dataset;
  const offset: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < inputs; j++) {
    if (kind === 'standard') {
      let mean = 0;
      for (const r of rows) mean += x[r * inputs + j];
      mean /= rows.length;
      let variance = 0;
      for (const r of rows) variance += (x[r * inputs + j] - mean) ** 2;
      const std = Math.sqrt(variance / rows.length);
      offset.push(mean);
      scale.push(std > 0 ? std : 1);
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const r of rows) {
        min = Math.min(min, x[r * inputs + j]);
        max = Math.max(max, x[r * inputs + j]);
      }
      offset.push(min);
      scale.push(max > min ? max - min : 1);
    }
  }
  return { kind, offset, scale };
}

/** A copy of the dataset with every row's inputs scaled. */
export function applyNormalization(dataset: Dataset, n: Normalization): Dataset {
  const x = new Float64Array(dataset.x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % dataset.inputs;
    x[i] = (dataset.x[i] - n.offset[j]) / n.scale[j];
  }
  return { ...dataset, x };
}
