// A StepRecord travels to the webview as ONE Float64Array plus an offset table (DESIGN.md §1):
// the host copies each tensor (or its summary) into the array once, and the webview reads them
// back as subarray views, without copying.
//
// Tensors are named after the record's fields: "layers[0].z", "layers[1].gradWeights", ...;
// an optimizer state tensor is "optimizer/<parameter>/<state>", e.g.
// "optimizer/layers[0].weights/m". Two kinds:
//  - batch tensors (input, z, a, localGrad, upstream, delta), shape [rows, ...rest]:
//    `mean`, `min` and `max` over the samples (shape rest) are always sent; the whole tensor
//    (`full`) when asked for or when it holds at most SUMMARY.fullLimit numbers, otherwise
//    `head`, the first SUMMARY.headSamples samples (shape [k, ...rest]). Which entries of the
//    mean sent are 0 up to rounding the host decides (it has the samples) and sends as a list of
//    indices (`roundedZeros`), not the samples' largest magnitudes, which are not shown.
//  - parameter tensors (weights, bias, their gradients, updates and after-values, optimizer
//    state), shape [units, inputs] or [units]: `full` when asked for or at most
//    SUMMARY.fullLimit numbers, otherwise `mean`, `min` and `max` over the last axis
//    (per unit; shape [units], or [1] for a vector).
// Both kinds also have `extremes` (see `extremes`): of each sample and of the batch mean (shape
// [rows + 1, 4], the mean last), or of the whole parameter (shape [1, 4]), for a view that shows
// only the smallest and largest entry of a column too wide to draw.
// The webview asks for a full tensor with requestTensor; the host answers from tensorOf().
// Per step only what the views read is sent: the webview's decoded record notes every part the
// views read, with the index ranges they read of it (TensorView.read: one sample's slice, the page
// of units drawn, the cells of a table), and every tensor they look up; the webview posts that
// list (a `show` message), and the host encodes the next records with those parts and ranges only
// (`Shown`; a slot's `ranges` says which indices of its part it holds); every tensor stays in the
// table with its shape, so a view that opens a new tensor finds it and asks for its parts. The
// table and the layers' shapes go only when they changed (HistoryCursor.unchangedLayout): the
// names, shapes and offsets stay the same from step to step while the views read the same parts.
import type { LayerRecord, StepRecord } from '../engine/types';
import { LAYER_FIELDS, parseTensorName, tensorName } from '../engine/layerFields';

export const SUMMARY = { fullLimit: 4096, headSamples: 4 } as const;

export type Detail = 'summary' | 'full';
export type TensorKind = 'batch' | 'parameter';
export type Part = 'full' | 'mean' | 'min' | 'max' | 'head' | 'extremes';
export const PARTS: readonly Part[] = ['full', 'mean', 'min', 'max', 'head', 'extremes'];

/**
 * How far from 0 a mean of `count` numbers, none larger than `largest` in magnitude, can land by
 * rounding alone: float64 addition of `count` terms is off by at most about count·ε·largest
 * (ε = 2⁻⁵²). A mean within this bound of 0 is 0 up to rounding (README, "Numbers on screen").
 */
export function roundingBound(count: number, largest: number): number {
  return count * Number.EPSILON * largest;
}

/**
 * The smallest and the largest of values[from, to) and where they are: [index of the smallest (from
 * `from`), smallest, index of the largest, largest], the first of equal ones, scanning in order (a
 * NaN first stays); [-1, NaN, -1, NaN] when there are none.
 */
export function extremes(values: ArrayLike<number>, from = 0, to = values.length): [number, number, number, number] {
  let [lo, hi] = [-1, -1];
  for (let u = from; u < to; u++) {
    if (lo < 0 || values[u] < values[lo]) lo = u;
    if (hi < 0 || values[u] > values[hi]) hi = u;
  }
  return [lo < 0 ? -1 : lo - from, lo < 0 ? NaN : values[lo], hi < 0 ? -1 : hi - from, hi < 0 ? NaN : values[hi]];
}

/** `extremes` of each of `rows` rows of `inner` values, then (if given) of `last`, one after the other. */
function rowExtremes(data: Float64Array, rows: number, inner: number, last?: Float64Array): { shape: number[]; data: Float64Array } {
  const out = new Float64Array((rows + (last ? 1 : 0)) * 4);
  for (let r = 0; r < rows; r++) out.set(extremes(data, r * inner, (r + 1) * inner), r * 4);
  if (last) out.set(extremes(last), rows * 4);
  return { shape: [rows + (last ? 1 : 0), 4], data: out };
}

/** Indices [from, to) of a part's flat (row-major) array. */
export type IndexRange = [number, number];

export interface Slot {
  offset: number;
  /** How many numbers the slot holds: the part's size, or the total of its ranges. */
  length: number;
  /** Of the whole part. */
  shape: number[];
  /** The indices of the part the slot holds, increasing and apart; absent: all of them. */
  ranges?: IndexRange[];
}

export interface TensorLayout extends Partial<Record<Part, Slot>> {
  shape: number[]; // of the whole tensor
  kind: TensorKind;
}

/** A layer's shape; its tensors are in the record's table. */
export type EncodedLayer = Pick<LayerRecord, 'index' | 'units' | 'inputs' | 'activation' | 'rows'>;

/**
 * The record's step and losses as the engine keeps them; its tensors are in `table` and `data`. Its
 * batch and epoch stay with the host (the data view and the position carry what the views show of them).
 */
export interface EncodedRecord extends Omit<StepRecord, 'layers' | 'optimizer' | 'batch' | 'epoch'> {
  /** Absent in a step message, with `table`: the same as the record before it (the webview keeps them). */
  layers?: EncodedLayer[];
  /**
   * The optimizer report's scalars, absent when it has none (its tensors are in the table, its type
   * is the model's); the report is absent mid-step.
   */
  optimizer?: { scalars?: Record<string, unknown> };
  /** Absent in a step message, with `layers`: the same as the record before it. */
  table?: RecordTable;
  data: Float64Array;
  /**
   * Batch tensor name → the indices of its `mean`, among those sent, that are 0 up to rounding
   * (not 0, and within roundingBound of the samples' largest magnitude); absent: none.
   */
  roundedZeros?: Record<string, number[]>;
}

/** A record as a step message carries it: without its step, which is the message's `position.step`. */
export type StepMessageRecord = Omit<EncodedRecord, 'step'>;

export type RecordTable = Record<string, TensorLayout>;

/** What a record's numbers are laid out by: the layers' shapes and the offset table. */
export interface RecordLayout {
  layers: EncodedLayer[];
  table: RecordTable;
}

export interface NamedTensor {
  name: string;
  kind: TensorKind;
  shape: number[];
  data: Float64Array;
}

function isFloatArray(value: unknown): value is Float64Array | Float32Array {
  return value instanceof Float64Array || value instanceof Float32Array;
}

/** Splits an optimizer report into its tensors (named, shaped) and the plain rest. */
function splitOptimizerState(
  state: Record<string, unknown>, layers: readonly LayerRecord[],
): { tensors: NamedTensor[]; scalars: Record<string, unknown> } {
  const tensors: NamedTensor[] = [];
  const strip = (value: unknown, path: string[]): unknown => {
    if (isFloatArray(value)) {
      const owner = parseTensorName(path[0]);
      const layer = owner ? layers[owner.layer] : undefined;
      const shape = layer && owner?.field === 'weights' && layer.units * layer.inputs === value.length
        ? [layer.units, layer.inputs]
        : [value.length];
      tensors.push({ name: ['optimizer', ...path].join('/'), kind: 'parameter', shape, data: Float64Array.from(value) });
      return undefined;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const kept = strip(item, [...path, key]);
        if (kept !== undefined) out[key] = kept;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    return value;
  };
  const scalars = (strip(state, []) ?? {}) as Record<string, unknown>;
  return { tensors, scalars };
}

/** Every tensor a record holds now (fields not yet computed during Step Into are left out). */
export function recordTensors(record: StepRecord): NamedTensor[] {
  const tensors: NamedTensor[] = [];
  for (const layer of record.layers) {
    for (const field of LAYER_FIELDS) {
      const data = layer[field.name];
      if (data) tensors.push({ name: tensorName(layer.index, field.name), kind: field.kind, shape: field.shape(layer), data });
    }
  }
  if (record.optimizer) tensors.push(...splitOptimizerState(record.optimizer.state, record.layers).tensors);
  return tensors;
}

/** One whole tensor of a record by its table name, for answering requestTensor. */
export function tensorOf(record: StepRecord, name: string): NamedTensor | undefined {
  return recordTensors(record).find((t) => t.name === name);
}

const product = (shape: readonly number[]): number => shape.reduce((p, n) => p * n, 1);

/**
 * Mean/min/max of a row-major [outer, inner] tensor over one axis: over the first (`samples`: one
 * figure per column, the batch mean of each entry) or over the last (`rows`: one figure per unit).
 */
function summaryStats(data: Float64Array, outer: number, inner: number, over: 'samples' | 'rows') {
  const size = over === 'samples' ? inner : outer;
  const mean = new Float64Array(size);
  const min = new Float64Array(size).fill(Infinity);
  const max = new Float64Array(size).fill(-Infinity);
  for (let r = 0; r < outer; r++) {
    for (let j = 0; j < inner; j++) {
      const v = data[r * inner + j];
      const k = over === 'samples' ? j : r;
      mean[k] += v;
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  const count = over === 'samples' ? outer : inner;
  for (let k = 0; k < size; k++) mean[k] /= count;
  return { mean, min, max };
}

/** The parts of one tensor that go on the wire at this detail (see the header); `extremes` only `withExtremes`. */
function partsOf(tensor: NamedTensor, detail: Detail, withExtremes: boolean): Partial<Record<Part, { shape: number[]; data: Float64Array }>> {
  const { kind, shape, data } = tensor;
  const whole = detail === 'full' || data.length <= SUMMARY.fullLimit;
  if (kind === 'batch') {
    const [rows, ...rest] = shape;
    const stats = summaryStats(data, rows, product(rest), 'samples');
    const parts: Partial<Record<Part, { shape: number[]; data: Float64Array }>> = {
      mean: { shape: rest, data: stats.mean },
      min: { shape: rest, data: stats.min },
      max: { shape: rest, data: stats.max },
    };
    if (whole) parts.full = { shape, data };
    else {
      const k = Math.min(rows, SUMMARY.headSamples);
      parts.head = { shape: [k, ...rest], data: data.subarray(0, k * product(rest)) };
    }
    if (withExtremes) parts.extremes = rowExtremes(data, rows, product(rest), stats.mean);
    return parts;
  }
  const extremesPart = withExtremes ? { extremes: rowExtremes(data, 1, data.length) } : {};
  if (whole) return { full: { shape, data }, ...extremesPart };
  const outer = shape.length > 1 ? shape[0] : 1;
  const stats = summaryStats(data, outer, data.length / outer, 'rows');
  return { mean: { shape: [outer], data: stats.mean }, min: { shape: [outer], data: stats.min }, max: { shape: [outer], data: stats.max }, ...extremesPart };
}

/** What a view read of a part: all of it, or these index ranges. */
export type PartRead = 'whole' | readonly IndexRange[];

/**
 * The parts of each tensor the webview's views read (ShowMessage): tensor name → part → what of
 * it. A tensor listed with no parts was looked up while it was not in the record yet (mid-step):
 * all of its parts go whole. A tensor not listed goes as its shape alone.
 */
export type Shown = ReadonlyMap<string, ReadonlyMap<Part, PartRead>>;

/** `ranges` within [0, size), sorted, with overlapping and touching ones merged; empty ones dropped. */
export function normalizeRanges(ranges: readonly (readonly [number, number])[], size: number): IndexRange[] {
  const clipped = ranges
    .map(([from, to]): IndexRange => [Math.max(0, from), Math.min(size, to)])
    .filter(([from, to]) => from < to)
    .sort((a, b) => a[0] - b[0]);
  const merged: IndexRange[] = [];
  for (const [from, to] of clipped) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

const rangesLength = (ranges: readonly IndexRange[]) => ranges.reduce((n, [from, to]) => n + to - from, 0);

/** The indices in `ranges` of a batch tensor's mean (over `samples`) that are 0 up to rounding. */
function roundedZerosOf(samples: number, stats: { mean: Float64Array; min: Float64Array; max: Float64Array }, ranges: readonly IndexRange[]): number[] {
  const zeros: number[] = [];
  for (const [from, to] of ranges) {
    for (let k = from; k < to; k++) {
      const largest = Math.max(Math.abs(stats.min[k]), Math.abs(stats.max[k]));
      if (stats.mean[k] !== 0 && Math.abs(stats.mean[k]) <= roundingBound(samples, largest)) zeros.push(k);
    }
  }
  return zeros;
}

/**
 * Packs a record (complete or mid-step) into one Float64Array and its offset table; with `shown`,
 * only the parts the webview reads (the rest of the table holds shapes only).
 */
export function encodeRecord(record: StepRecord, detail: Detail = 'summary', shown?: Shown): EncodedRecord & RecordLayout {
  const pending: { layout: TensorLayout; parts: ReturnType<typeof partsOf> }[] = [];
  const table: RecordTable = {};
  const roundedZeros: Record<string, number[]> = {};
  let total = 0;
  for (const tensor of recordTensors(record)) {
    const read = shown?.get(tensor.name);
    /** What of `part` goes: all of it, these ranges of it, or (undefined) none of it. */
    const wanted = (part: Part): PartRead | undefined => (!shown || read?.size === 0 ? 'whole' : read?.get(part));
    const parts = shown && !read ? {} : partsOf(tensor, detail, wanted('extremes') !== undefined);
    const layout: TensorLayout = { shape: tensor.shape, kind: tensor.kind };
    for (const part of PARTS) {
      const p = parts[part];
      const what = wanted(part);
      if (!p || what === undefined) continue;
      const ranges = what === 'whole' ? undefined : normalizeRanges(what, p.data.length);
      const whole = !ranges || (ranges.length === 1 && ranges[0][0] === 0 && ranges[0][1] === p.data.length);
      const length = whole ? p.data.length : rangesLength(ranges);
      layout[part] = whole ? { offset: total, length, shape: p.shape } : { offset: total, length, shape: p.shape, ranges };
      total += length;
    }
    const { mean, min, max } = parts;
    if (tensor.kind === 'batch' && layout.mean && mean && min && max) {
      const zeros = roundedZerosOf(tensor.shape[0], { mean: mean.data, min: min.data, max: max.data }, layout.mean.ranges ?? [[0, mean.data.length]]);
      if (zeros.length > 0) roundedZeros[tensor.name] = zeros;
    }
    table[tensor.name] = layout;
    pending.push({ layout, parts });
  }
  const data = new Float64Array(total);
  for (const { layout, parts } of pending) {
    for (const part of PARTS) {
      const slot = layout[part];
      if (!slot) continue;
      const values = parts[part]!.data;
      if (!slot.ranges) data.set(values, slot.offset);
      else {
        let at = slot.offset;
        for (const [from, to] of slot.ranges) {
          data.set(values.subarray(from, to), at);
          at += to - from;
        }
      }
    }
  }
  const encoded: EncodedRecord & RecordLayout = {
    step: record.step,
    layers: record.layers.map(({ index, units, inputs, activation, rows }) => ({ index, units, inputs, activation, rows })),
    table,
    data,
  };
  if (record.loss !== undefined) encoded.loss = record.loss;
  if (record.dataLoss !== undefined) encoded.dataLoss = record.dataLoss;
  if (record.regLoss !== undefined) encoded.regLoss = record.regLoss;
  if (record.lossAfter !== undefined) encoded.lossAfter = record.lossAfter;
  if (Object.keys(roundedZeros).length > 0) encoded.roundedZeros = roundedZeros;
  if (record.optimizer) {
    const { scalars } = splitOptimizerState(record.optimizer.state, record.layers);
    encoded.optimizer = Object.keys(scalars).length > 0 ? { scalars } : {};
  }
  return encoded;
}

// ---- the webview side

/**
 * A tensor as the webview sees it: views into the record's one Float64Array. Each part property
 * (`full`, `mean`, …) reads the whole part: undefined unless the record holds all of it.
 */
export interface TensorView extends Partial<Record<Part, Float64Array>> {
  name: string;
  shape: number[];
  kind: TensorKind;
  /** Shapes of the parts present (head's first axis says how many samples it holds). */
  partShapes: Partial<Record<Part, number[]>>;
  /**
   * Reads `ranges` of a part (flat indices of the whole part; absent: all of it) and notes them
   * for the host's `show` list. The answer is indexed as the whole part and holds at least those
   * ranges (other entries may be NaN); undefined when the record lacks any of them.
   */
  read(part: Part, ranges?: readonly IndexRange[]): Float64Array | undefined;
  /** True when entry `index` of the batch mean is 0 up to rounding (the host's decision, EncodedRecord.roundedZeros). */
  roundedZero(index: number): boolean;
}

/** What the views have read of a record: tensor → part → all of it or the ranges read (not merged). */
export type Reads = Map<string, Map<Part, 'whole' | IndexRange[]>>;

export interface DecodedRecord extends Omit<EncodedRecord, 'layers' | 'table' | 'data'>, RecordLayout {
  names: string[];
  tensor(name: string): TensorView | undefined;
  /** What the views have read of this record so far, for the host's `show` list. */
  reads: Reads;
}

/** Ranges noted of one part before they are merged (a render reads the same ranges again each time). */
const MERGE_ABOVE = 4096;

/** True when `held` (normalized) covers every index of `asked` within [0, size). */
function covers(held: readonly IndexRange[], asked: readonly IndexRange[], size: number): boolean {
  return normalizeRanges(asked, size).every(([from, to]) => held.some(([a, b]) => a <= from && to <= b));
}

/** Checks a slot's ranges against its part's size and its length; returns the problem, if any. */
function rangesProblem(ranges: unknown, size: number, length: number): string | undefined {
  if (!Array.isArray(ranges)) return 'ranges must be a list of [from, to] pairs';
  let end = 0;
  for (const range of ranges) {
    const [from, to] = Array.isArray(range) && range.length === 2 ? range : [NaN, NaN];
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < end || to <= from || to > size) {
      return `ranges must be increasing, apart and within [0, ${size}): ${JSON.stringify(range)}`;
    }
    end = to;
  }
  return rangesLength(ranges as IndexRange[]) === length ? undefined : `ranges hold ${rangesLength(ranges as IndexRange[])} numbers, not ${length}`;
}

/** A record's roundedZeros once checked against its table (each a batch tensor, whole indices of its mean); throws naming the problem. */
function checkedRoundedZeros(zeros: unknown, table: RecordTable): Record<string, number[]> {
  if (zeros === undefined) return {};
  if (zeros === null || typeof zeros !== 'object' || Array.isArray(zeros)) throw new Error('record.roundedZeros: expected an object');
  for (const [name, indices] of Object.entries(zeros)) {
    const layout = table[name];
    if (layout?.kind !== 'batch') throw new Error(`record.roundedZeros["${name}"]: not a batch tensor of the record`);
    const size = product(layout.shape.slice(1));
    if (!Array.isArray(indices) || !indices.every((i) => Number.isInteger(i) && i >= 0 && i < size)) {
      throw new Error(`record.roundedZeros["${name}"]: expected indices of its mean, within [0, ${size})`);
    }
  }
  return zeros as Record<string, number[]>;
}

/** decodeRecord of a step message's record, whose step is the message's position's (StepMessageRecord). */
export function decodeStepRecord(message: { record: StepMessageRecord; position: { step: number } }, previous?: RecordLayout): DecodedRecord {
  return decodeRecord({ ...message.record, step: message.position.step }, previous);
}

/**
 * Reads an encoded record without copying (a part sent as ranges is spread out to its whole
 * indices on first read); a record without its layout (layers and table) is read
 * with `previous`, the layout of the record before it. Throws an Error naming the tensor and the
 * problem when the table does not fit the array (a malformed or truncated message).
 */
export function decodeRecord(encoded: EncodedRecord, previous?: RecordLayout): DecodedRecord {
  const { data } = encoded;
  if ((encoded.table === undefined) !== (encoded.layers === undefined)) throw new Error('record: layers and table come together or not at all');
  const { layers, table } = encoded.table ? { layers: encoded.layers!, table: encoded.table } : previous ?? {};
  if (!(data instanceof Float64Array)) throw new Error('record.data: expected a Float64Array');
  if (table === undefined || layers === undefined) throw new Error('record.table: absent, and there is no earlier record to take it from');
  if (table === null || typeof table !== 'object') throw new Error('record.table: expected an object');
  const zerosOf = checkedRoundedZeros(encoded.roundedZeros, table);
  const views = new Map<string, TensorView>();
  const reads: Reads = new Map();
  const readsOf = (name: string) => reads.get(name) ?? reads.set(name, new Map()).get(name)!;
  const note = (name: string, part: Part, ranges: readonly IndexRange[] | undefined) => {
    const parts = readsOf(name);
    const noted = parts.get(part);
    if (noted === 'whole') return;
    if (!ranges) parts.set(part, 'whole');
    else if (!noted) parts.set(part, [...ranges]);
    else {
      noted.push(...ranges);
      if (noted.length > MERGE_ABOVE) parts.set(part, normalizeRanges(noted, Infinity));
    }
  };
  for (const [name, layout] of Object.entries(table)) {
    if (!layout || !Array.isArray(layout.shape) || (layout.kind !== 'batch' && layout.kind !== 'parameter')) {
      throw new Error(`record.table["${name}"]: expected { shape, kind }`);
    }
    /** Each part's numbers: the slot's subarray, and (for a slot of ranges) spread to whole indices once read. */
    const held: Partial<Record<Part, { slot: Slot; values: Float64Array; spread?: Float64Array }>> = {};
    const read = (part: Part, ranges?: readonly IndexRange[]): Float64Array | undefined => {
      note(name, part, ranges);
      const h = held[part];
      if (!h) return undefined;
      const { slot, values } = h;
      if (!slot.ranges) return values;
      const size = product(slot.shape);
      if (!ranges || !covers(slot.ranges, ranges, size)) return undefined;
      if (!h.spread) {
        h.spread = new Float64Array(size).fill(NaN);
        let at = 0;
        for (const [from, to] of slot.ranges) {
          h.spread.set(values.subarray(at, at + to - from), from);
          at += to - from;
        }
      }
      return h.spread;
    };
    const zeros = new Set(zerosOf[name]);
    const view = { name, shape: layout.shape, kind: layout.kind, partShapes: {}, read, roundedZero: (index: number) => zeros.has(index) } as TensorView;
    for (const part of PARTS) {
      const slot = layout[part];
      // Reading a part, present or not, notes that a view shows all of it.
      Object.defineProperty(view, part, { enumerable: true, get: () => read(part) });
      if (slot === undefined) continue;
      const where = `record.table["${name}"].${part}`;
      if (!Number.isInteger(slot.offset) || !Number.isInteger(slot.length) || slot.offset < 0 || slot.length < 0) {
        throw new Error(`${where}: offset and length must be whole numbers ≥ 0`);
      }
      if (slot.offset + slot.length > data.length) {
        throw new Error(`${where}: [${slot.offset}, ${slot.offset + slot.length}) runs past the data (${data.length} numbers)`);
      }
      if (!Array.isArray(slot.shape) || !slot.shape.every((n) => Number.isInteger(n) && n >= 0)) {
        throw new Error(`${where}: shape [${slot.shape}] is not a list of sizes`);
      }
      if (slot.ranges === undefined ? product(slot.shape) !== slot.length : false) {
        throw new Error(`${where}: shape [${slot.shape}] does not hold ${slot.length} numbers`);
      }
      const problem = slot.ranges === undefined ? undefined : rangesProblem(slot.ranges, product(slot.shape), slot.length);
      if (problem) throw new Error(`${where}: ${problem}`);
      held[part] = { slot, values: data.subarray(slot.offset, slot.offset + slot.length) };
      view.partShapes[part] = slot.shape;
    }
    views.set(name, view);
  }
  const { table: _table, data: _data, ...rest } = encoded;
  return {
    ...rest, layers, table, names: [...views.keys()], reads,
    tensor: (name) => {
      const view = views.get(name);
      // A tensor not computed yet (mid-step) is noted too, so its parts come once it is.
      if (!view) readsOf(name);
      return view;
    },
  };
}

/** The `show` list of what the views read (ShowMessage.tensors), ranges merged. */
export function shownList(reads: Reads): ShownTensor[] {
  return [...reads].map(([name, parts]) => {
    const entry: ShownTensor = { name, parts: [...parts.keys()] };
    for (const [part, what] of parts) {
      if (what !== 'whole') (entry.ranges ??= {})[part] = normalizeRanges(what, Infinity);
    }
    return entry;
  });
}

/** One tensor of a `show` list: the parts the views read, and of those read in part, the ranges. */
export interface ShownTensor {
  name: string;
  parts: Part[];
  /** Absent for a part read whole. */
  ranges?: Partial<Record<Part, IndexRange[]>>;
}

/** The host's reading of a `show` list. */
export function shownOf(tensors: readonly ShownTensor[]): Shown {
  return new Map(tensors.map(({ name, parts, ranges }) => [name, new Map(parts.map((part): [Part, PartRead] => [part, ranges?.[part] ?? 'whole']))]));
}

/**
 * Bytes a message costs on the wire, in two parts: its typed arrays (`numbers`, the tensors and
 * series) and the JSON of everything else (`json`: the names, positions and scalars around them).
 */
export function messageByteParts(message: unknown): { numbers: number; json: number } {
  let numbers = 0;
  const json = JSON.stringify(message, (_key, value) => {
    if (ArrayBuffer.isView(value)) {
      numbers += value.byteLength;
      return undefined;
    }
    return value;
  });
  return { numbers, json: json ? new TextEncoder().encode(json).length : 0 };
}

/** Bytes a message costs on the wire: its typed arrays plus the JSON of everything else. */
export function messageBytes(message: unknown): number {
  const { numbers, json } = messageByteParts(message);
  return numbers + json;
}
