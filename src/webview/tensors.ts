// Reading tensors of the record on screen: the whole tensor (sent whole, or fetched on request),
// one sample's slice of a batch tensor, or the host's batch mean, or only the index ranges a view
// draws of them (the host then sends only those). Slices are views, not copies.
import type { State } from './store';
import type { IndexRange } from '../protocol/traceCodec';
import { type LayerFieldName, layerField, tracePath } from '../engine/layerFields';

/**
 * A whole tensor (sent whole, or fetched on request), or with `ranges` only those flat index ranges
 * of it (the answer is indexed as the whole tensor; entries outside the ranges may be NaN).
 */
export function full(state: State, name: string, ranges?: readonly IndexRange[]): Float64Array | undefined {
  return state.record?.tensor(name)?.read('full', ranges) ?? state.fullTensors.get(name);
}

/**
 * Sample `sample` of a batch tensor (or the batch mean for 'mean'), as a flat view of the
 * per-sample shape; undefined when that part was not sent (ask for the full tensor). With
 * `ranges` (indices of the sample's slice), only those are read.
 */
export function sampleOf(state: State, name: string, sample: number | 'mean', ranges?: readonly IndexRange[]): Float64Array | undefined {
  const view = state.record?.tensor(name);
  if (!view) return undefined;
  if (sample === 'mean') return view.read('mean', ranges);
  const size = view.shape.slice(1).reduce((p, n) => p * n, 1);
  const slice: readonly IndexRange[] = (ranges ?? [[0, size]]).map(([from, to]) => [sample * size + from, sample * size + Math.min(to, size)]);
  const whole = full(state, name, slice);
  if (whole) return whole.subarray(sample * size, (sample + 1) * size);
  // A tensor that goes whole has no head: the sample's slice comes with the next record.
  if (view.partShapes.full) return undefined;
  const headRows = view.partShapes.head?.[0] ?? 0;
  return sample < headRows ? view.read('head', slice)?.subarray(sample * size, (sample + 1) * size) : undefined;
}

/**
 * The smallest and the largest entry of sample `sample` of a batch tensor (or of its batch mean),
 * or of a whole parameter, with their indices, as the host found them (traceCodec `extremes`);
 * undefined when not sent, and the index -1 when there are none.
 */
export function extremesOf(state: State, name: string, sample: number | 'mean'): { lowest: number; low: number; highest: number; high: number } | undefined {
  const view = state.record?.tensor(name);
  if (!view) return undefined;
  const row = view.kind === 'parameter' ? 0 : sample === 'mean' ? view.shape[0] : sample;
  const values = view.read('extremes', [[4 * row, 4 * row + 4]]);
  return values && 4 * row + 4 <= values.length ? { lowest: values[4 * row], low: values[4 * row + 1], highest: values[4 * row + 2], high: values[4 * row + 3] } : undefined;
}

/** The index ranges of the cells a table of rows × cols shows when it shows `shownRows` × `shownCols` from the top left. */
export function cellRanges(rows: number, cols: number, shownRows: number, shownCols: number): IndexRange[] {
  if (shownRows >= rows && shownCols >= cols) return [[0, rows * cols]];
  if (shownCols >= cols) return [[0, Math.min(rows, shownRows) * cols]];
  return Array.from({ length: Math.min(rows, shownRows) }, (_, r): IndexRange => [r * cols, r * cols + Math.min(cols, shownCols)]);
}

/** The largest finite |value|, over all of `values` or over the index ranges drawn of them. */
export function maxAbs(values: ArrayLike<number> | undefined, ranges: readonly IndexRange[] = [[0, values?.length ?? 0]]): number {
  let m = 0;
  if (values) {
    for (const [from, to] of ranges) {
      for (let i = from; i < Math.min(to, values.length); i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
    }
  }
  return m;
}

/**
 * The data-quantity of one number of a layer field on screen (README, "Reading the screen"): the
 * StepTrace path, with the sample first for a per-sample field (`layers[0].z[1][2]`), or for the
 * batch mean `mean(layers[0].z)[2]`, the mean over the batch's samples. `indices` index one
 * sample's slice (or the parameter).
 */
export function quantityName(layer: number, field: LayerFieldName, sample: number | 'mean', ...indices: number[]): string {
  if (layerField(field)!.kind === 'parameter') return tracePath(layer, field, ...indices);
  if (sample !== 'mean') return tracePath(layer, field, sample, ...indices);
  return `mean(${tracePath(layer, field)})${indices.map((i) => `[${i}]`).join('')}`;
}
