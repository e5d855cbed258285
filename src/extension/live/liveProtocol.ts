// The editor's side of the live protocol, version 1 (docs/live-protocol.md): frames read from a
// byte stream, every recorder message validated before anyone acts on it, the editor's commands
// framed. No Node or `vscode` import: the protocol tests feed it bytes. A message that does not
// fit is a LiveProtocolError with one sentence naming what was wrong; nothing here throws anything
// else for bad input.
import type { StepRecord } from '../../engine/types';
import type { ParameterGradient } from '../../protocol/messages';
import { BlockTensor, FieldError, resolveTensor, scalar, toRecord } from '../../protocol/traceFile';

export const LIVE_PROTOCOL_VERSION = 1;
export const SOCKET_VARIABLE = 'BACKPROP_STEPPER_SOCKET';
export const TOKEN_VARIABLE = 'BACKPROP_STEPPER_TOKEN';
export const LIMITS = { json: 16 * 1024 * 1024, data: 1024 * 1024 * 1024 } as const;
const PREFIX = 16;

export type LivePhase = 'forward' | 'loss' | 'backward' | 'update';
export const PHASES: readonly LivePhase[] = ['forward', 'loss', 'backward', 'update'];

export class LiveProtocolError extends Error {}

/** A tensor of a pause's data, row-major float64. */
export interface LiveTensor {
  shape: number[];
  data: Float64Array;
}

export interface ModuleInfo {
  name: string;
  type: string;
  role: 'dense' | 'activation' | 'opaque';
  parameters: { name: string; shape: number[] }[];
}

export interface Hello {
  type: 'hello';
  token: string;
  pid: number;
  dtype: string;
  rank: number;
  worldSize: number;
  /** How many training samples the recorder was given (train_inputs), or null: forward pauses then carry deadUnits. */
  trainSamples: number | null;
  modelType: string;
  modules: ModuleInfo[];
}

/** A layer as a pause knows it: every known field, tensors resolved; null where not known yet. */
export type PausedLayer = Record<string, LiveTensor | number | string | null | Record<string, LiveTensor | null>>;

export interface Paused {
  type: 'paused';
  step: number;
  epoch: number;
  batch: number[];
  phase: LivePhase;
  layer: number | null;
  module: string | null;
  reason: 'stopAt' | 'pause' | 'nonFinite';
  nonFinite: { quantity: string; layer: number | null } | null;
  /** forward/backward: the layer; loss: the loss and output; update: every layer and the optimizer. */
  layerData?: PausedLayer;
  /** forward of a dense layer, when the recorder has the training split: its units with z ≤ 0 on all of it. */
  deadUnits?: number[];
  loss?: number | null;
  output?: LiveTensor | null;
  layers?: PausedLayer[];
}

export type RecorderMessage =
  | Hello
  | Paused
  /** A completed step; `localGradients` (per dense layer) when the rank recorded its own gradient before the all-reduce. */
  | { type: 'step'; record: StepRecord; rank?: number; worldSize?: number; localGradients?: ParameterGradient[] }
  | { type: 'exception'; exceptionType: string; message: string; traceback: string }
  | { type: 'end'; reason: 'finished' | 'closed' | 'stopped' | 'exception' | 'protocolError'; message: string };

export type StopAt = 'all' | { phase: LivePhase; module: string | null }[];

export type EditorMessage =
  | { type: 'welcome'; protocol: number; token: string; stopAt: StopAt; stopOnNonFinite: boolean }
  | { type: 'refuse'; message: string }
  | { type: 'continue'; stopAt: StopAt; stopOnNonFinite: boolean }
  | { type: 'pause' }
  | { type: 'stop' };

/** One frame of the editor's: its JSON padded to 8-byte alignment, no data block. */
export function encodeEditorMessage(message: EditorMessage): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(message));
  const padded = Math.ceil((PREFIX + json.length) / 8) * 8 - PREFIX;
  const out = new Uint8Array(PREFIX + padded).fill(0x20, PREFIX);
  out.set(json, PREFIX);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, 0, true);
  view.setBigUint64(8, 0n, true);
  return out;
}

/** Cuts a byte stream into frames; refuses a frame from its prefix before reading its body. */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  /** The complete frames now available, each as its validated message. */
  push(chunk: Uint8Array): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: unknown[] = [];
    for (;;) {
      if (this.buffered < PREFIX) return frames;
      const head = this.peek(PREFIX);
      const view = new DataView(head.buffer, head.byteOffset, PREFIX);
      const jsonLength = view.getUint32(0, true);
      const reserved = view.getUint32(4, true);
      const dataLength = view.getBigUint64(8, true);
      if (reserved !== 0) throw new LiveProtocolError(`bad frame prefix: the reserved field is ${reserved}, must be 0`);
      if (jsonLength > LIMITS.json) throw new LiveProtocolError(`message JSON of ${jsonLength} bytes is over the limit of ${LIMITS.json}`);
      if (dataLength > BigInt(LIMITS.data)) throw new LiveProtocolError(`message data of ${dataLength} bytes is over the limit of ${LIMITS.data}`);
      const data = Number(dataLength);
      if ((PREFIX + jsonLength) % 8 !== 0 || data % 8 !== 0) {
        throw new LiveProtocolError(`bad frame: JSON length ${jsonLength} and data length ${data} must keep 8-byte alignment`);
      }
      const total = PREFIX + jsonLength + data;
      if (this.buffered < total) return frames;
      const frame = this.take(total);
      frames.push(parseFrame(frame, jsonLength, data));
    }
  }

  private peek(size: number): Uint8Array {
    if (this.chunks[0].length < size) this.chunks = [concat(this.chunks, this.buffered)];
    return this.chunks[0].subarray(0, size);
  }

  private take(size: number): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0] : concat(this.chunks, this.buffered);
    // A fresh, aligned copy: tensor blocks are read as Float64Arrays from it.
    const frame = all.slice(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function parseFrame(frame: Uint8Array, jsonLength: number, dataLength: number): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(PREFIX, PREFIX + jsonLength));
  } catch {
    throw new LiveProtocolError('a message is not UTF-8 text');
  }
  try {
    return JSON.parse(text, (_key, item: unknown) => resolveTensor(item, frame, PREFIX + jsonLength, dataLength));
  } catch (error) {
    if (error instanceof FieldError) throw new LiveProtocolError(`a tensor reference is wrong: ${error.message}`);
    throw new LiveProtocolError(`a message is not JSON (${(error as Error).message})`);
  }
}

// ---- validation of the recorder's messages

type Json = Record<string, unknown>;

function fields(message: Json, required: readonly string[]): void {
  const kind = String(message.type);
  const missing = required.find((name) => !(name in message));
  if (missing) throw new LiveProtocolError(`'${kind}' message: missing field '${missing}'`);
  const unknown = Object.keys(message).find((name) => name !== 'type' && !required.includes(name));
  if (unknown) throw new LiveProtocolError(`'${kind}' message: unknown field '${unknown}'`);
}

function wrong(message: Json, field: string, expected: string, value: unknown): never {
  const shown = JSON.stringify(value instanceof BlockTensor ? '<tensor>' : value) ?? String(value);
  throw new LiveProtocolError(`'${String(message.type)}' message: ${field} must be ${expected}, got ${shown.slice(0, 60)}`);
}

function text(message: Json, field: string, value = message[field]): string {
  if (typeof value !== 'string') wrong(message, field, 'a string', value);
  return value;
}

function whole(message: Json, field: string, min: number, value = message[field]): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) wrong(message, field, `a whole number ≥ ${min}`, value);
  return value;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof BlockTensor);
}

function oneOf<T extends string>(message: Json, field: string, allowed: readonly T[], value = message[field]): T {
  if (!allowed.includes(value as T)) wrong(message, field, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function tensorOrNull(message: Json, field: string, value: unknown): LiveTensor | null {
  if (value === null) return null;
  if (value instanceof BlockTensor) return { shape: value.shape, data: value.data };
  return wrong(message, field, 'a tensor reference or null', value);
}

/**
 * A step's local gradients (each dense layer's localGradWeights and localGradBias, shaped like its
 * W and b), or undefined when no layer has one; all or none of the layers must, as in a trace file.
 */
function localGradientsOf(message: Json, dense: Json[], record: StepRecord): ParameterGradient[] | undefined {
  const weights = dense.map((l, i) => tensorOrNull(message, `record.layers[${i}].localGradWeights`, l.localGradWeights ?? null));
  if (weights.every((w) => w === null)) return undefined;
  return dense.map((l, i) => {
    const { units, inputs } = record.layers[i];
    const w = weights[i];
    if (w === null || w.data.length !== units * inputs) wrong(message, `record.layers[${i}].localGradWeights`, `a ${units}×${inputs} tensor (every layer has one when one has)`, w && `shape ${w.shape.join('×')}`);
    const b = tensorOrNull(message, `record.layers[${i}].localGradBias`, l.localGradBias ?? null);
    if (b !== null && b.data.length !== units) wrong(message, `record.layers[${i}].localGradBias`, `a tensor of ${units}`, `shape ${b.shape.join('×')}`);
    return { weights: w.data, bias: b?.data ?? new Float64Array(units) };
  });
}

/** A partial layer: tensors, numbers, names; the `update` object of tensors. */
function pausedLayer(message: Json, field: string, value: unknown): PausedLayer {
  if (!isObject(value)) wrong(message, field, 'a layer object', value);
  const out: PausedLayer = {};
  for (const [key, item] of Object.entries(value)) {
    const at = `${field}.${key}`;
    if (item === null || typeof item === 'string' || typeof item === 'number') out[key] = item;
    else if (item instanceof BlockTensor) out[key] = { shape: item.shape, data: item.data };
    else if (isObject(item)) out[key] = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, tensorOrNull(message, `${at}.${k}`, v)]));
    else wrong(message, at, 'a tensor, a number, a name or null', item);
  }
  return out;
}

/** The recorder's message, validated (docs/live-protocol.md §3), or a LiveProtocolError. */
export function parseRecorderMessage(value: unknown): RecorderMessage {
  if (!isObject(value)) throw new LiveProtocolError('a message must be a JSON object');
  if (typeof value.type !== 'string') throw new LiveProtocolError('a message has no "type" string');
  switch (value.type) {
    case 'hello': return parseHello(value);
    case 'paused': return parsePaused(value);
    case 'step': {
      fields(value, ['record']);
      if (!isObject(value.record)) wrong(value, 'record', 'a StepTrace object', value.record);
      try {
        const raw = value.record;
        const record = toRecord(raw, []);
        const layers = Array.isArray(raw.layers) ? raw.layers.filter((l) => isObject(l) && l.kind !== 'opaque') : [];
        const localGradients = localGradientsOf(value, layers as Json[], record);
        const rank = raw.rank === undefined ? undefined : whole(value, 'record.rank', 0, raw.rank);
        const worldSize = raw.worldSize === undefined ? undefined : whole(value, 'record.worldSize', 1, raw.worldSize);
        return { type: 'step', record, rank, worldSize, ...(localGradients ? { localGradients } : {}) };
      } catch (error) {
        if (error instanceof FieldError) throw new LiveProtocolError(`'step' message: record.${error.message}`);
        throw error;
      }
    }
    case 'exception':
      fields(value, ['exceptionType', 'message', 'traceback']);
      return { type: 'exception', exceptionType: text(value, 'exceptionType'), message: text(value, 'message'), traceback: text(value, 'traceback') };
    case 'end':
      fields(value, ['reason', 'message']);
      return { type: 'end', reason: oneOf(value, 'reason', ['finished', 'closed', 'stopped', 'exception', 'protocolError'] as const), message: text(value, 'message') };
    default:
      throw new LiveProtocolError(`unknown message type ${JSON.stringify(value.type).slice(0, 40)} from the recorder`);
  }
}

function parseHello(value: Json): Hello {
  fields(value, ['protocol', 'token', 'pid', 'producer', 'dtype', 'rank', 'worldSize', 'trainSamples', 'model']);
  if (value.protocol !== LIVE_PROTOCOL_VERSION) {
    throw new LiveProtocolError(`the recorder speaks live protocol ${JSON.stringify(value.protocol)}, this editor ${LIVE_PROTOCOL_VERSION}; update one of them`);
  }
  const worldSize = whole(value, 'worldSize', 1);
  const rank = whole(value, 'rank', 0);
  if (rank >= worldSize) wrong(value, 'rank', `below worldSize ${worldSize}`, rank);
  const model = value.model;
  if (!isObject(model) || !Array.isArray(model.modules)) return wrong(value, 'model', '{"type": ..., "modules": [...]}', model);
  const modules = model.modules.map((m, i): ModuleInfo => {
    const at = `model.modules[${i}]`;
    if (!isObject(m) || !Array.isArray(m.parameters)) return wrong(value, at, 'a module object', m);
    return {
      name: text(value, `${at}.name`, m.name),
      type: text(value, `${at}.type`, m.type),
      role: oneOf(value, `${at}.role`, ['dense', 'activation', 'opaque'] as const, m.role),
      parameters: m.parameters.map((p, j) => {
        const shape = isObject(p) ? p.shape : undefined;
        if (!isObject(p) || !Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) return wrong(value, `${at}.parameters[${j}]`, '{"name", "shape"}', p);
        return { name: text(value, `${at}.parameters[${j}].name`, p.name), shape: shape as number[] };
      }),
    };
  });
  if (!isObject(value.producer)) wrong(value, 'producer', 'an object', value.producer);
  return {
    type: 'hello', token: text(value, 'token'), pid: whole(value, 'pid', 1), dtype: text(value, 'dtype'),
    rank, worldSize, trainSamples: value.trainSamples === null ? null : whole(value, 'trainSamples', 1),
    modelType: text(value, 'model.type', model.type), modules,
  };
}

function parsePaused(value: Json): Paused {
  fields(value, ['step', 'epoch', 'batch', 'phase', 'layer', 'module', 'reason', 'nonFinite', 'data']);
  const batch = value.batch;
  if (!Array.isArray(batch)) wrong(value, 'batch', 'a list of sample positions', batch);
  const phase = oneOf(value, 'phase', PHASES);
  const layered = phase === 'forward' || phase === 'backward';
  const paused: Paused = {
    type: 'paused',
    step: whole(value, 'step', 1),
    epoch: whole(value, 'epoch', 1),
    batch: batch.map((b, i) => whole(value, `batch[${i}]`, 0, b)),
    phase,
    layer: layered ? whole(value, 'layer', 0) : null,
    module: layered ? text(value, 'module') : null,
    reason: oneOf(value, 'reason', ['stopAt', 'pause', 'nonFinite'] as const),
    nonFinite: null,
  };
  if (!layered && (value.layer !== null || value.module !== null)) wrong(value, 'layer', `null at the ${phase} phase`, value.layer);
  if (value.nonFinite !== null) {
    const nf = value.nonFinite;
    if (!isObject(nf)) return wrong(value, 'nonFinite', 'an object or null', nf);
    paused.nonFinite = { quantity: text(value, 'nonFinite.quantity', nf.quantity), layer: nf.layer === null ? null : whole(value, 'nonFinite.layer', 0, nf.layer) };
  }
  const data = value.data;
  if (!isObject(data)) return wrong(value, 'data', 'an object', data);
  if (layered) {
    paused.layerData = pausedLayer(value, 'data.layer', data.layer);
    if (data.deadUnits !== undefined) {
      const units = data.deadUnits;
      if (phase !== 'forward' || !Array.isArray(units)) return wrong(value, 'data.deadUnits', 'a list of unit indices, at a forward pause', units);
      paused.deadUnits = units.map((u, i) => whole(value, `data.deadUnits[${i}]`, 0, u));
    }
  } else if (phase === 'loss') {
    try {
      paused.loss = data.loss === null ? null : scalar(data.loss, 'data.loss');
    } catch {
      wrong(value, 'data.loss', 'a number or null', data.loss);
    }
    paused.output = tensorOrNull(value, 'data.output', data.output ?? null);
  } else {
    if (!Array.isArray(data.layers)) wrong(value, 'data.layers', 'a list of layers', data.layers);
    paused.layers = data.layers.map((l, i) => pausedLayer(value, `data.layers[${i}]`, l));
  }
  return paused;
}
