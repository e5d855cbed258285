// Reading trace files (docs/trace-format.md, version 1) into the engine's StepRecords, so a
// recorded run opens in the inspector like a live one: JSON Lines (the CLI's `run --json`, Export
// Trace, the PyTorch recorder) and the binary form (`*.bptrace`, per step a JSON header and raw
// little-endian float blocks). A bad line or frame ends the reading with a message naming it;
// the good steps before it are kept. No vscode, no Node: the extension and the tests call it.
import type { ActivationName, LayerRecord, StepRecord } from '../engine/types';
import type { ParameterGradient } from './messages';

export const TRACE_FORMAT = 'backprop-stepper-trace';
/** The newest format version this reader understands. */
export const TRACE_VERSION = 1;
/** The binary form's first 8 bytes: "BPTRACE\n". */
export const BINARY_MAGIC = 'BPTRACE\n';
/** File name endings of trace files: the JSON Lines and the binary form. */
export const TRACE_EXTENSIONS = ['.jsonl', '.bptrace'] as const;

/** True for a path or URI that names a trace file by its ending. */
export function isTraceFileName(name: string): boolean {
  return TRACE_EXTENSIONS.some((ending) => name.toLowerCase().endsWith(ending));
}

export interface TraceHeader {
  format: string;
  version: number;
  producer?: { name?: string; version?: string; torch?: string };
  dtype?: string;
  every?: number;
  /** Data-parallel recordings: this file's rank and how many ranks there were. */
  rank?: number;
  worldSize?: number;
}

/** Where the first problem is: a 1-based line of JSON Lines, or a 1-based step frame (0 = header) and its byte offset. */
export interface TraceProblem {
  line?: number;
  frame?: number;
  byteOffset?: number;
  /** "run.trace.jsonl:7: layers[1].z: expected 4 rows of 3 numbers" */
  message: string;
}

/** A layer the inspector does not show (an opaque module of the recorder): which one and where. */
export interface OmittedLayer {
  step: number;
  module?: string;
  type?: string;
}

export interface TraceContents {
  header?: TraceHeader;
  records: StepRecord[];
  /** Opaque layers left out of the records (the inspector shows dense layers only). */
  omitted: OmittedLayer[];
  /**
   * Data-parallel recordings: per record (same index), per layer, this rank's own gradient before
   * the all-reduce; undefined when the file has none.
   */
  localGradients?: (ParameterGradient[] | undefined)[];
  /** The optimizer's settings as the recorder found them (its first parameter group), when the trace has them. */
  hyperparameters?: Record<string, number | boolean | string | number[]>;
  /** The first problem; the records are the good steps before it. */
  problem?: TraceProblem;
}

/** A problem inside one record, with the path of the field (e.g. "layers[1].z"). */
export class FieldError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** A tensor of the binary form, resolved from its {"$tensor": ...} reference. */
export class BlockTensor {
  constructor(
    readonly shape: number[],
    readonly data: Float64Array,
  ) {}
}

/** Reads either form; which one is told by the first bytes, not the file name. */
export function readTrace(bytes: Uint8Array, name: string): TraceContents {
  const magic = new TextDecoder().decode(bytes.subarray(0, BINARY_MAGIC.length));
  return magic === BINARY_MAGIC ? readBinaryTrace(bytes, name) : readJsonLinesTrace(new TextDecoder().decode(bytes), name);
}

export function readJsonLinesTrace(text: string, name: string): TraceContents {
  const contents: TraceContents = { records: [], omitted: [] };
  const lines = text.split('\n');
  // A final "\n" ends the last line; what follows it is not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  const fail = (index: number, message: string) => {
    contents.problem = { line: index + 1, message: `${name}:${index + 1}: ${message}` };
    return contents;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const last = i === lines.length - 1 && !text.endsWith('\n');
      return fail(i, last ? 'the line is cut off (the file ends inside it: was it still being written?)' : `not valid JSON (${(error as Error).message})`);
    }
    try {
      const outcome = takeRecord(value, i === 0, contents);
      if (outcome) return fail(i, outcome);
    } catch (error) {
      if (error instanceof FieldError) return fail(i, error.message);
      throw error;
    }
  }
  if (contents.records.length === 0 && !contents.problem) return fail(Math.max(lines.length - 1, 0), 'no training steps in this file');
  return contents;
}

export function readBinaryTrace(bytes: Uint8Array, name: string): TraceContents {
  const contents: TraceContents = { records: [], omitted: [] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = BINARY_MAGIC.length;
  const fail = (frame: number, at: number, message: string) => {
    contents.problem = { frame, byteOffset: at, message: `${name}: ${frame === 0 ? 'header frame' : `step frame ${frame}`} (byte ${at}): ${message}` };
    return contents;
  };
  for (let frame = 0; offset < bytes.length; frame++) {
    const start = offset;
    if (offset + 16 > bytes.length) return fail(frame, start, 'the file ends inside the frame\'s 16-byte length prefix (truncated)');
    const jsonLength = view.getUint32(offset, true);
    const dataLength = Number(view.getBigUint64(offset + 8, true));
    const dataStart = offset + 16 + jsonLength;
    const end = dataStart + dataLength;
    if (end > bytes.length) return fail(frame, start, `the frame needs ${16 + jsonLength + dataLength} bytes but the file has ${bytes.length - start} left (truncated)`);
    if (dataStart % 8 !== 0 || dataLength % 8 !== 0) return fail(frame, start, 'the data block is not aligned to 8 bytes (JSON padding or data length is wrong)');
    let value: unknown;
    try {
      const json = new TextDecoder().decode(bytes.subarray(offset + 16, dataStart));
      value = JSON.parse(json, (_key, item: unknown) => resolveTensor(item, bytes, dataStart, dataLength));
    } catch (error) {
      return fail(frame, start, error instanceof FieldError ? error.message : `not valid JSON (${(error as Error).message})`);
    }
    if (frame === 0 && !isHeader(value)) return fail(0, start, `frame 0 must be the file header {"format": "${TRACE_FORMAT}", "version": ...}`);
    try {
      const outcome = takeRecord(value, frame === 0, contents);
      if (outcome) return fail(frame, start, outcome);
    } catch (error) {
      if (error instanceof FieldError) return fail(frame, start, error.message);
      throw error;
    }
    offset = end;
  }
  if (contents.records.length === 0 && !contents.problem) return fail(0, offset, 'no training steps in this file');
  return contents;
}

/** {"$tensor": {offset, shape, dtype}} → its numbers from the frame's data block. */
export function resolveTensor(item: unknown, bytes: Uint8Array, dataStart: number, dataLength: number): unknown {
  if (item === null || typeof item !== 'object' || !('$tensor' in item)) return item;
  const ref = (item as { $tensor: unknown }).$tensor as { offset?: unknown; shape?: unknown; dtype?: unknown } | null;
  const { offset, shape, dtype } = ref ?? {};
  if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 8 !== 0) throw new FieldError('$tensor', `offset must be a multiple of 8, got ${JSON.stringify(offset)}`);
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) throw new FieldError('$tensor', `shape must be a list of sizes, got ${JSON.stringify(shape)}`);
  if (dtype !== 'float64' && dtype !== 'float32') throw new FieldError('$tensor', `dtype must be "float64" or "float32", got ${JSON.stringify(dtype)}`);
  const count = (shape as number[]).reduce((p, n) => p * n, 1);
  const width = dtype === 'float64' ? 8 : 4;
  if ((offset as number) + count * width > dataLength) {
    throw new FieldError('$tensor', `[${offset}, ${(offset as number) + count * width}) runs past the frame's ${dataLength}-byte data block`);
  }
  const at = bytes.byteOffset + dataStart + (offset as number);
  // Copies: the records outlive the file's buffer, and a float32 block becomes float64 anyway.
  const raw = bytes.buffer.slice(at, at + count * width);
  const data = dtype === 'float64' ? new Float64Array(raw) : Float64Array.from(new Float32Array(raw));
  return new BlockTensor(shape as number[], data);
}

function isHeader(value: unknown): value is TraceHeader {
  return value !== null && typeof value === 'object' && (value as { format?: unknown }).format === TRACE_FORMAT;
}

/**
 * Takes one line's or frame's value into `contents`: the header (first only), an operation line
 * of `run --grain op --json` (skipped: the step's own line follows), or a step. Returns a problem
 * message, or undefined when the value was taken.
 */
function takeRecord(value: unknown, first: boolean, contents: TraceContents): string | undefined {
  if (isHeader(value)) {
    if (!first) return 'a file header is only allowed as the first record';
    const version = (value as { version?: unknown }).version;
    if (!Number.isInteger(version) || (version as number) < 1) return `the header's version must be a whole number ≥ 1, got ${JSON.stringify(version)}`;
    if ((version as number) > TRACE_VERSION) return `trace format version ${version} is newer than this reader (${TRACE_VERSION}); update Backprop Stepper`;
    const { rank, worldSize } = value as { rank?: unknown; worldSize?: unknown };
    if (worldSize !== undefined && (!Number.isInteger(worldSize) || (worldSize as number) < 1)) return `the header's worldSize must be a whole number ≥ 1, got ${preview(worldSize)}`;
    if (rank !== undefined && (!Number.isInteger(rank) || (rank as number) < 0 || (rank as number) >= ((worldSize as number | undefined) ?? Infinity))) {
      return `the header's rank must be a whole number from 0 to worldSize − 1, got ${preview(rank)}`;
    }
    contents.header = value;
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object (a StepTrace)';
  if ('phase' in value && 'values' in value) return undefined;
  const record = toRecord(value as Record<string, unknown>, contents.omitted);
  contents.hyperparameters ??= hyperparametersOf(value as Record<string, unknown>);
  const previous = contents.records[contents.records.length - 1];
  if (previous && record.step <= previous.step) return `step ${record.step} comes after step ${previous.step}; steps must increase`;
  const local = localGradientsOf(value as Record<string, unknown>, record);
  if (local) (contents.localGradients ??= [])[contents.records.length] = local;
  contents.records.push(record);
  return undefined;
}

/**
 * A data-parallel step's local gradients (each dense layer's localGradWeights and localGradBias,
 * shaped like its W and b), or undefined when the step has none. All or none of the layers have them.
 */
function localGradientsOf(raw: Record<string, unknown>, record: StepRecord): ParameterGradient[] | undefined {
  const dense = (raw.layers as Record<string, unknown>[]).filter((layer) => layer.kind !== 'opaque');
  const recorded = dense.map((layer) => layer.localGradWeights !== undefined && layer.localGradWeights !== null);
  if (!recorded.some(Boolean)) return undefined;
  return dense.map((layer, i) => {
    const at = `layers[${(raw.layers as unknown[]).indexOf(layer)}]`;
    const { units, inputs } = record.layers[i];
    if (!recorded[i]) throw new FieldError(`${at}.localGradWeights`, 'missing: another layer of this step has its local gradient, so every layer needs one');
    return {
      weights: matrix(layer.localGradWeights, units, inputs, `${at}.localGradWeights`),
      bias: layer.localGradBias === null || layer.localGradBias === undefined ? new Float64Array(units) : vector(layer.localGradBias, units, `${at}.localGradBias`),
    };
  });
}

const ACTIVATIONS: readonly ActivationName[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky-relu', 'softmax'];

/** A validated StepTrace (or recorder step) → the StepRecord the inspector shows. */
export function toRecord(raw: Record<string, unknown>, omitted: OmittedLayer[]): StepRecord {
  const step = wholeNumber(raw.step, 'step', 1);
  const epoch = wholeNumber(raw.epoch, 'epoch', 1);
  if (!Array.isArray(raw.batch)) throw new FieldError('batch', 'expected a list of sample positions');
  const batch = raw.batch.map((b, i) => wholeNumber(b, `batch[${i}]`, 0));
  if (!Array.isArray(raw.layers)) throw new FieldError('layers', 'expected a list of layers');
  const layers: LayerRecord[] = [];
  raw.layers.forEach((layer, i) => {
    const path = `layers[${i}]`;
    if (layer === null || typeof layer !== 'object') throw new FieldError(path, 'expected a layer object');
    const fields = layer as Record<string, unknown>;
    if (fields.kind === 'opaque') {
      omitted.push({ step, module: optionalText(fields.module), type: optionalText(fields.type) });
      return;
    }
    layers.push(toLayer(fields, path, layers.length, layers[layers.length - 1]));
  });
  if (layers.length === 0) throw new FieldError('layers', 'no dense (nn.Linear) layer in this step; the inspector shows networks of dense layers');
  const record: StepRecord = { step, epoch, batch, layers };
  for (const key of ['loss', 'dataLoss', 'regLoss', 'lossAfter'] as const) {
    if (raw[key] !== undefined && raw[key] !== null) record[key] = scalar(raw[key], key);
  }
  if (record.loss === undefined) throw new FieldError('loss', 'expected a number');
  const optimizer = raw.optimizer as { type?: unknown; state?: unknown } | null | undefined;
  if (optimizer !== undefined && optimizer !== null) {
    if (typeof optimizer !== 'object' || typeof optimizer.type !== 'string') throw new FieldError('optimizer', 'expected { "type": ..., "state": {...} }');
    const state = optimizer.state ?? {};
    if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new FieldError('optimizer.state', 'expected an object');
    record.optimizer = { type: optimizer.type, state: stateTensors(state, 'optimizer.state') as Record<string, unknown> };
  }
  return record;
}

function toLayer(raw: Record<string, unknown>, path: string, index: number, below: LayerRecord | undefined): LayerRecord {
  const at = (field: string) => `${path}.${field}`;
  const units = wholeNumber(raw.units, at('units'), 1);
  const activation = raw.activation as ActivationName;
  if (!ACTIVATIONS.includes(activation)) throw new FieldError(at('activation'), `expected one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(raw.activation)}`);
  const [rows, inputs] = batchShape(raw.input, at('input'));
  if (below && below.units !== inputs) {
    throw new FieldError(at('input'), `has ${inputs} columns but the layer below has ${below.units} units; the inspector shows a chain of dense layers`);
  }
  const layer: LayerRecord = {
    index, units, inputs, activation, rows,
    weights: matrix(raw.weights, units, inputs, at('weights')),
    // nn.Linear(bias=False) records null: its bias is 0 and never moves.
    bias: raw.bias === null ? new Float64Array(units) : vector(raw.bias, units, at('bias')),
  };
  const perSample = (field: 'input' | 'z' | 'a' | 'upstream' | 'delta', width: number) => {
    if (raw[field] !== undefined && raw[field] !== null) layer[field] = matrix(raw[field], rows, width, at(field));
  };
  perSample('input', inputs);
  perSample('z', units);
  perSample('a', units);
  perSample('upstream', units);
  perSample('delta', units);
  if (raw.localGrad !== undefined && raw.localGrad !== null) {
    layer.localGrad = activation === 'softmax' ? cube(raw.localGrad, rows, units, at('localGrad')) : matrix(raw.localGrad, rows, units, at('localGrad'));
  }
  const parameter = (value: unknown, field: string, bias: boolean) => {
    if (value === undefined || value === null) return undefined;
    return bias ? vector(value, units, at(field)) : matrix(value, units, inputs, at(field));
  };
  layer.gradWeights = parameter(raw.gradWeights, 'gradWeights', false);
  layer.gradBias = parameter(raw.gradBias, 'gradBias', true);
  const update = raw.update as { weights?: unknown; bias?: unknown } | null | undefined;
  if (update !== undefined && update !== null && typeof update !== 'object') throw new FieldError(at('update'), 'expected { "weights": ..., "bias": ... }');
  layer.updateWeights = parameter(update?.weights, 'update.weights', false);
  layer.updateBias = parameter(update?.bias, 'update.bias', true);
  layer.weightsAfter = parameter(raw.weightsAfter, 'weightsAfter', false);
  layer.biasAfter = parameter(raw.biasAfter, 'biasAfter', true);
  for (const key of Object.keys(layer) as (keyof LayerRecord)[]) if (layer[key] === undefined) delete layer[key];
  return layer;
}

/** torch's hyperparameters of the first parameter group (numbers, flags, names, number lists), if recorded. */
function hyperparametersOf(raw: Record<string, unknown>): TraceContents['hyperparameters'] {
  const group = (raw.optimizer as { paramGroups?: unknown } | null | undefined)?.paramGroups;
  if (!Array.isArray(group) || group[0] === null || typeof group[0] !== 'object') return undefined;
  const out: NonNullable<TraceContents['hyperparameters']> = {};
  for (const [key, value] of Object.entries(group[0] as Record<string, unknown>)) {
    if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && key !== 'params')) out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) out[key] = value as number[];
  }
  return out;
}

// ---- values

/** [samples, inputs] of a layer's input, the matrix every other shape of the layer follows. */
function batchShape(value: unknown, path: string): [number, number] {
  if (value instanceof BlockTensor && value.shape.length === 2) return [value.shape[0], value.shape[1]];
  if (Array.isArray(value) && Array.isArray(value[0])) return [value.length, value[0].length];
  throw new FieldError(path, 'expected the batch × inputs matrix with at least one sample');
}

/** A number, or one of the strings JSON writes non-finite numbers as. */
export function scalar(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (value === 'NaN') return NaN;
  throw new FieldError(path, `expected a number, got ${preview(value)}`);
}

function wholeNumber(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new FieldError(path, `expected a whole number ≥ ${min}, got ${preview(value)}`);
  return value;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Numbers of a tensor given as nested lists or as a binary block, checked against `shape`, row-major. */
function tensor(value: unknown, shape: number[], path: string): Float64Array {
  const describe = () => shape.join(' × ');
  if (value instanceof BlockTensor) {
    if (value.shape.length !== shape.length || value.shape.some((n, i) => n !== shape[i])) {
      throw new FieldError(path, `expected shape [${shape.join(', ')}], the block has [${value.shape.join(', ')}]`);
    }
    return value.data;
  }
  const out = new Float64Array(shape.reduce((p, n) => p * n, 1));
  let k = 0;
  const walk = (item: unknown, depth: number, where: string) => {
    if (depth === shape.length) {
      // null: how JSON.stringify writes a non-finite number (older `run --json` output).
      out[k++] = item === null ? NaN : scalar(item, where);
      return;
    }
    if (!Array.isArray(item) || item.length !== shape[depth]) {
      throw new FieldError(where, `expected ${describe()} numbers (${shape[depth]} here), got ${Array.isArray(item) ? `${item.length} entries` : preview(item)}`);
    }
    item.forEach((child, i) => walk(child, depth + 1, `${where}[${i}]`));
  };
  walk(value, 0, path);
  return out;
}

const vector = (value: unknown, n: number, path: string) => tensor(value, [n], path);
const matrix = (value: unknown, rows: number, cols: number, path: string) => tensor(value, [rows, cols], path);
const cube = (value: unknown, rows: number, n: number, path: string) => tensor(value, [rows, n, n], path);

/**
 * The optimizer state with every list of numbers (however nested: torch keeps state in the
 * parameter's shape) as one flat Float64Array, which the inspector shows as a tensor; other values
 * stay as they are, non-finite strings become numbers.
 */
function stateTensors(value: unknown, path: string): unknown {
  if (value instanceof BlockTensor) return value.data;
  if (Array.isArray(value)) {
    const flat = value.flat(Infinity);
    if (flat.length > 0 && flat.every((v) => typeof v === 'number' || v === 'Infinity' || v === '-Infinity' || v === 'NaN')) {
      return Float64Array.from(flat, (v, i) => scalar(v, `${path}[${i}]`));
    }
    return value.map((item, i) => stateTensors(item, `${path}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, stateTensors(item, `${path}.${key}`)]));
  }
  if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return scalar(value, path);
  return value;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
