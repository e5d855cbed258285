// Train / validation / test splits (DESIGN.md §5). The rows are shuffled with the seed and cut by
// the ratios; for classification each class is cut separately (stratified), so every part keeps
// the class shares of the whole within one sample. Each part lists dataset rows in ascending
// order, so with "shuffle": false the training set is visited in file order.
import type { Rng } from '../rng';
import type { Dataset, ModelFile } from '../types';

export interface SplitIndices {
  train: number[];
  validation: number[];
  /** Held out: the trainer evaluates it only on explicit request and never trains on it. */
  test: number[];
}

export type SplitRatios = NonNullable<ModelFile['split']>;

/** Class of each row for one-hot rows or a single 0/1 column; undefined for regression targets. */
export function classLabels(dataset: Dataset): { labels: Int32Array; classes: number } | undefined {
  const { y, samples, outputs } = dataset;
  const labels = new Int32Array(samples);
  if (outputs === 1) {
    for (let i = 0; i < samples; i++) {
      if (y[i] !== 0 && y[i] !== 1) return undefined;
      labels[i] = y[i];
    }
    return { labels, classes: 2 };
  }
  for (let i = 0; i < samples; i++) {
    let hot = -1;
    for (let k = 0; k < outputs; k++) {
      const v = y[i * outputs + k];
      if (v === 1 && hot < 0) hot = k;
      else if (v !== 0) return undefined;
    }
    if (hot < 0) return undefined;
    labels[i] = hot;
  }
  return { labels, classes: outputs };
}

/** Sizes of the parts: validation and test rounded to the nearest sample, training the rest. */
export function partSizes(samples: number, ratios: SplitRatios): [train: number, validation: number, test: number] {
  const validation = Math.round(samples * (ratios.validation ?? 0));
  const test = Math.round(samples * (ratios.test ?? 0));
  return [samples - validation - test, validation, test];
}

/**
 * Splits the rows of `dataset`. With all the data in training (the default) the rows stay in file
 * order and `rng` is not used. `stratify` applies only to classification targets.
 */
export function splitIndices(dataset: Dataset, ratios: SplitRatios | undefined, rng: Rng, stratify: boolean): SplitIndices {
  const n = dataset.samples;
  const all = Array.from({ length: n }, (_, i) => i);
  if (!ratios || ((ratios.validation ?? 0) === 0 && (ratios.test ?? 0) === 0)) return { train: all, validation: [], test: [] };
  const sizes = partSizes(n, ratios);
  const classes = stratify ? classLabels(dataset) : undefined;
  const parts: number[][] = [[], [], []];
  if (!classes) {
    rng.shuffle(all);
    let start = 0;
    sizes.forEach((size, p) => {
      parts[p] = all.slice(start, start + size);
      start += size;
    });
  } else {
    const members: number[][] = Array.from({ length: classes.classes }, () => []);
    classes.labels.forEach((label, i) => members[label].push(i));
    const counts = apportion(members.map((m) => m.length), sizes);
    members.forEach((rows, c) => {
      rng.shuffle(rows);
      let start = 0;
      counts[c].forEach((count, p) => {
        parts[p].push(...rows.slice(start, start + count));
        start += count;
      });
    });
  }
  const [train, validation, test] = parts.map((p) => p.sort((a, b) => a - b));
  return { train, validation, test };
}

/**
 * Counts per class and part with the given row sums (class sizes) and column sums (part sizes),
 * each the floor or the ceiling of its share classSize·partSize/n, so within one sample of exact.
 * Floors first; the leftover samples of each class (fewer than the number of parts) then go to
 * the parts with the most room left, largest fractional share first: Ryser's greedy construction
 * of a 0/1 matrix with given margins, which completes because the fractional shares show one exists.
 */
export function apportion(classSizes: number[], partSizes: number[]): number[][] {
  const n = classSizes.reduce((a, b) => a + b, 0);
  const share = (c: number, p: number) => (n === 0 ? 0 : (classSizes[c] * partSizes[p]) / n);
  const counts = classSizes.map((_, c) => partSizes.map((_, p) => Math.floor(share(c, p))));
  const room = partSizes.map((size, p) => size - counts.reduce((sum, row) => sum + row[p], 0));
  const leftover = classSizes.map((size, c) => size - counts[c].reduce((a, b) => a + b, 0));
  const order = classSizes.map((_, c) => c).sort((a, b) => leftover[b] - leftover[a] || a - b);
  for (const c of order) {
    const fraction = (p: number) => share(c, p) - counts[c][p];
    const targets = partSizes
      .map((_, p) => p)
      .sort((a, b) => room[b] - room[a] || fraction(b) - fraction(a) || a - b)
      .slice(0, leftover[c]);
    for (const p of targets) {
      counts[c][p]++;
      room[p]--;
    }
  }
  return counts;
}
