// The Data view's numbers, computed on the host by the engine (the webview only draws them):
// 2-D inputs as points marked by split with the model's output over a grid of the input plane,
// 1-D inputs with one output as points and the model's curve, any other input as a table of the
// batch. The network given is the one on screen; the batch is the step on screen's.
import type { Dataset, LossName } from '../engine/types';
import type { SplitIndices } from '../engine/data/split';
import { type Network, predict } from '../engine/network';
import { isClassification } from '../engine/evaluation';
import type { DataView, DecisionGrid } from '../protocol/messages';

/** Cells per side of the decision grid (40 × 40 model evaluations per step). */
export const GRID_CELLS = 40;
/** Points on the regression curve. */
export const CURVE_POINTS = 100;
/** Beyond this many samples, the points are a regular subsample (plus the batch), to keep each post small. */
export const MAX_POINTS = 2000;
/** Input columns of the batch table (wider inputs, such as images, show their first ones). */
export const MAX_TABLE_INPUTS = 16;
/** The grid and curve reach this fraction of the data's range beyond it on each side. */
const MARGIN = 0.1;

export const SPLIT_MARK = { train: 0, validation: 1, test: 2 } as const;

export interface DataViewInput {
  network: Network;
  loss: LossName;
  dataset: Dataset;
  split: SplitIndices;
  /** Dataset rows of the batch on screen, in batch order. */
  batch: number[];
}

export function buildDataView(input: DataViewInput): DataView {
  const { dataset } = input;
  if (dataset.inputs === 2) return pointsView(input);
  if (dataset.inputs === 1 && dataset.outputs === 1) return curveView(input);
  return tableView(input);
}

/** 0 = train, 1 = validation, 2 = test for every sample of the dataset. */
export function splitMarks(samples: number, split: SplitIndices): Uint8Array {
  const marks = new Uint8Array(samples);
  for (const part of ['validation', 'test'] as const) for (const row of split[part]) marks[row] = SPLIT_MARK[part];
  return marks;
}

/**
 * The class of each sample for classification (the hot unit of a one-hot target, or t ≥ ½ for a
 * single sigmoid output), else its first target value.
 */
export function sampleLabel(dataset: Dataset, loss: LossName, row: number): number {
  const { y, outputs } = dataset;
  const offset = row * outputs;
  if (!isClassification(loss)) return y[offset];
  if (outputs === 1) return y[offset] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < outputs; k++) if (y[offset + k] > y[offset + best]) best = k;
  return best;
}

/** The dataset rows to draw: all of them, or every k-th plus the batch when there are too many. */
function shownRows(samples: number, batch: number[]): number[] | undefined {
  if (samples <= MAX_POINTS) return undefined;
  const stride = Math.ceil(samples / MAX_POINTS);
  const rows = new Set<number>(batch);
  for (let row = 0; row < samples; row += stride) rows.add(row);
  return [...rows].sort((a, b) => a - b);
}

/** [lo, hi] of column `column` over all samples, widened by MARGIN (by 1 when the data is one value). */
function paddedRange(values: Float64Array, stride: number, column: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = column; i < values.length; i += stride) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo - 1, hi + 1] : [-1, 1];
  const pad = (hi - lo) * MARGIN;
  return [lo - pad, hi + pad];
}

/** Centre of cell `i` of `n` equal cells spanning [lo, hi]. */
export function cellCentre(lo: number, hi: number, n: number, i: number): number {
  return lo + ((i + 0.5) * (hi - lo)) / n;
}

function pointsView(input: DataViewInput): DataView {
  const { dataset, loss, batch } = input;
  const shown = shownRows(dataset.samples, batch);
  const count = shown?.length ?? dataset.samples;
  const rowAt = (i: number) => (shown ? shown[i] : i);
  const marks = splitMarks(dataset.samples, input.split);
  const x = new Float64Array(count * 2);
  const split = new Uint8Array(count);
  const label = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const row = rowAt(i);
    x[2 * i] = dataset.x[2 * row];
    x[2 * i + 1] = dataset.x[2 * row + 1];
    split[i] = marks[row];
    label[i] = sampleLabel(dataset, loss, row);
  }
  const view: Extract<DataView, { kind: 'points' }> = { kind: 'points', x, split, label, batch };
  if (shown) view.index = Uint32Array.from(shown);
  const grid = decisionGrid(input);
  if (grid) view.grid = grid;
  return view;
}

/**
 * The model's output at the centre of every cell of a GRID_CELLS² grid over the data's range:
 * the class (arg-max) of a softmax classifier, p(class 1) of a single sigmoid output, the value
 * of a single regression output. Other output layers (several sigmoids, several values) get none.
 */
export function decisionGrid(input: DataViewInput): DecisionGrid | undefined {
  const { dataset, loss, network } = input;
  const outputs = dataset.outputs;
  const classes = isClassification(loss);
  const kind: DecisionGrid['kind'] | undefined = classes ? (outputs === 1 ? 'probability' : loss === 'cross-entropy' ? 'class' : undefined) : outputs === 1 ? 'value' : undefined;
  if (!kind) return undefined;
  const [xMin, xMax] = paddedRange(dataset.x, 2, 0);
  const [yMin, yMax] = paddedRange(dataset.x, 2, 1);
  const nx = GRID_CELLS;
  const ny = GRID_CELLS;
  const points = new Float64Array(nx * ny * 2);
  for (let r = 0; r < ny; r++) {
    for (let c = 0; c < nx; c++) {
      points[2 * (r * nx + c)] = cellCentre(xMin, xMax, nx, c);
      points[2 * (r * nx + c) + 1] = cellCentre(yMin, yMax, ny, r);
    }
  }
  const output = predict(network, points, nx * ny);
  const values = new Float64Array(nx * ny);
  for (let cell = 0; cell < nx * ny; cell++) {
    if (kind !== 'class') values[cell] = output[cell * outputs];
    else {
      let best = 0;
      for (let k = 1; k < outputs; k++) if (output[cell * outputs + k] > output[cell * outputs + best]) best = k;
      values[cell] = best;
    }
  }
  return { xMin, xMax, yMin, yMax, nx, ny, kind, values };
}

function curveView(input: DataViewInput): DataView {
  const { dataset, batch, network } = input;
  const shown = shownRows(dataset.samples, batch);
  const count = shown?.length ?? dataset.samples;
  const marks = splitMarks(dataset.samples, input.split);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const split = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const row = shown ? shown[i] : i;
    x[i] = dataset.x[row];
    y[i] = dataset.y[row];
    split[i] = marks[row];
  }
  const [lo, hi] = paddedRange(dataset.x, 1, 0);
  const curveX = Float64Array.from({ length: CURVE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (CURVE_POINTS - 1));
  const curveY = Float64Array.from(predict(network, curveX, CURVE_POINTS));
  const view: Extract<DataView, { kind: 'curve' }> = { kind: 'curve', x, y, split, batch, curve: { x: curveX, y: curveY } };
  if (shown) view.index = Uint32Array.from(shown);
  return view;
}

/** The batch's rows: its first MAX_TABLE_INPUTS inputs, then the target (t: class index, or the target values). */
function tableView(input: DataViewInput): DataView {
  const { dataset, loss, batch } = input;
  const inputColumns = Math.min(dataset.inputs, MAX_TABLE_INPUTS);
  const classes = isClassification(loss) && (dataset.outputs === 1 || loss === 'cross-entropy');
  const targetColumns = classes ? 1 : dataset.outputs;
  const names = Array.from({ length: inputColumns }, (_, i) => dataset.inputNames?.[i] ?? `x${i + 1}`);
  const targets = classes || targetColumns === 1 ? ['t'] : Array.from({ length: targetColumns }, (_, k) => `t${k + 1}`);
  const width = inputColumns + targetColumns;
  const values = new Float64Array(batch.length * width);
  batch.forEach((row, r) => {
    for (let i = 0; i < inputColumns; i++) values[r * width + i] = dataset.x[row * dataset.inputs + i];
    if (classes) values[r * width + inputColumns] = sampleLabel(dataset, loss, row);
    else for (let k = 0; k < targetColumns; k++) values[r * width + inputColumns + k] = dataset.y[row * dataset.outputs + k];
  });
  return { kind: 'table', columns: [...names, ...targets], inputColumns, rows: batch.length, values, batch };
}
