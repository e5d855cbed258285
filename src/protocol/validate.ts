// Every message from the webview is untrusted (DESIGN.md §1): it is checked here against the
// model on screen before the host acts on it, and rebuilt from the checked fields only, so
// nothing unexpected rides along. A rejection says which field is wrong and why.
import type {
  InspectorCommand, ModelSummary, ParameterRef, Picture, RunUntil, SelectMessage, ViewState, WebviewMessage,
} from './messages';
import { CHAIN_RULE_FORMATS, PICTURE_FORMATS, PICTURE_VIEWS, RUN_SPEED } from './messages';
import { checked, finite, integer, list, object, oneOf, reject, text } from './check';
import { PARTS, type Part, type IndexRange, type ShownTensor } from './traceCodec';
import { layerField, parseTensorName } from '../engine/layerFields';

export type Validation = { ok: true; message: WebviewMessage } | { ok: false; reason: string };

export interface ValidationContext {
  model: ModelSummary;
}

export const LIMITS = {
  name: 200, reason: 2000, step: 1e9, runUntilSteps: 1e7,
  /** Tensors in a `show` list: a record holds 14 per layer and the optimizer's state. */
  shownTensors: 4096,
  /** Index ranges of one part in a `show` list (a table of 12 × 12 cells is 12), and the largest index. */
  shownRanges: 65536, tensorIndex: 2 ** 31,
  /** Characters of a picture (SVG text or PNG base64) and of copied text; pixels per side of a picture. */
  picture: 48 * 1024 * 1024, copiedText: 1024 * 1024, picturePixels: 16384,
} as const;

/** Fan-in of layer l: the network's inputs for the first layer, else the previous layer's units. */
function layerInputs(model: ModelSummary, layer: number): number {
  return layer === 0 ? model.inputs : model.layers[layer - 1].units;
}

function layerIndex(value: unknown, path: string, model: ModelSummary): number {
  return integer(value, path, 0, model.layers.length - 1);
}

function parameterRef(value: unknown, path: string, model: ModelSummary): ParameterRef {
  const ref = object(value, path);
  const kind = oneOf(ref.kind, `${path}.kind`, ['weight', 'bias'] as const);
  const layer = layerIndex(ref.layer, `${path}.layer`, model);
  const out = integer(ref.out, `${path}.out`, 0, model.layers[layer].units - 1);
  if (kind === 'bias') return { kind, layer, out };
  return { kind, layer, out, in: integer(ref.in, `${path}.in`, 0, layerInputs(model, layer) - 1) };
}

function sampleRow(value: unknown, path: string, model: ModelSummary): number {
  return integer(value, path, 0, Math.max(model.dataset.batchSize - 1, 0));
}

function stepsPerSecond(value: unknown, path: string): number {
  return finite(value, path, RUN_SPEED.min, RUN_SPEED.max);
}

function runUntil(value: unknown, path: string): RunUntil {
  const until = object(value, path);
  const kind = oneOf(until.kind, `${path}.kind`, ['lossBelow', 'gradNormAbove', 'steps', 'nan'] as const);
  switch (kind) {
    case 'nan': return { kind };
    case 'steps': return { kind, value: integer(until.value, `${path}.value`, 1, LIMITS.runUntilSteps) };
    case 'lossBelow': return { kind, value: finite(until.value, `${path}.value`) };
    case 'gradNormAbove': return { kind, value: finite(until.value, `${path}.value`, 0) };
  }
}

const COMMAND_NAMES = [
  'step', 'stepInto', 'stepBack', 'runEpoch', 'run', 'pause', 'reset', 'goToStep', 'runUntil', 'setSpeed', 'evaluateTestSet',
] as const;

function command(value: unknown, path: string): InspectorCommand {
  const cmd = object(value, path);
  const name = oneOf(cmd.name, `${path}.name`, COMMAND_NAMES);
  switch (name) {
    case 'run': case 'setSpeed': return { name, stepsPerSecond: stepsPerSecond(cmd.stepsPerSecond, `${path}.stepsPerSecond`) };
    case 'goToStep': return { name, step: integer(cmd.step, `${path}.step`, 0, LIMITS.step) };
    case 'runUntil': return { name, until: runUntil(cmd.until, `${path}.until`) };
    default: return { name };
  }
}

/** Names the codec gives tensors: "layers[l].<field>" (a field of the table) or "optimizer/<parameter>/<state>". */
function requestedTensor(value: unknown, path: string, model: ModelSummary): string {
  const name = text(value, path, LIMITS.name);
  const optimizerState = /^optimizer\/(?:(layers\[\d+\]\.[A-Za-z]+)\/)?[A-Za-z0-9_]+$/.exec(name);
  const layerTensor = parseTensorName(optimizerState ? optimizerState[1] ?? '' : name);
  if (!optimizerState && !(layerTensor && layerField(layerTensor.field))) {
    reject(path, `"${name}" is not a tensor name (expected "layers[l].field" or "optimizer/layers[l].field/state")`);
  }
  if (layerTensor) layerIndex(layerTensor.layer, `${path} (layer)`, model);
  return name;
}

function viewState(value: unknown, path: string, model: ModelSummary): ViewState {
  const s = object(value, path);
  const state: ViewState = {
    step: integer(s.step, `${path}.step`, 0, LIMITS.step),
    selectedLayer: layerIndex(s.selectedLayer, `${path}.selectedLayer`, model),
    sample: s.sample === 'mean' ? 'mean' : sampleRow(s.sample, `${path}.sample`, model),
    diagramMode: oneOf(s.diagramMode, `${path}.diagramMode`, ['value', 'gradient', 'update'] as const),
    detailMode: oneOf(s.detailMode, `${path}.detailMode`, ['numbers', 'heatmap'] as const),
    speed: stepsPerSecond(s.speed, `${path}.speed`),
  };
  if (s.selectedParameter !== undefined) {
    state.selectedParameter = parameterRef(s.selectedParameter, `${path}.selectedParameter`, model);
  }
  return state;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The first bytes of base64 text (enough for the PNG signature and its IHDR size). */
function leadingBytes(base64: string, count: number): number[] {
  const binary = atob(base64.slice(0, Math.ceil(count / 3) * 4));
  return Array.from(binary.slice(0, count), (c) => c.charCodeAt(0));
}

/**
 * A picture the host will write to a file the user picks: an SVG must be an <svg> document with no
 * script or event handler in it (the file may later be opened in a browser); a PNG must be base64
 * whose header is a PNG's with the size the message states. The inspector's and the explorers'
 * validators both check pictures with this.
 */
export function pictureFields(message: Record<string, unknown>): Picture {
  const format = oneOf(message.format, 'message.format', PICTURE_FORMATS);
  const width = integer(message.width, 'message.width', 1, LIMITS.picturePixels);
  const height = integer(message.height, 'message.height', 1, LIMITS.picturePixels);
  const data = text(message.data, 'message.data', LIMITS.picture);
  if (format === 'svg') {
    if (!/^<svg[\s>]/.test(data)) reject('message.data', 'an SVG picture must start with <svg');
    if (/<script|\son[a-z]+\s*=|javascript:/i.test(data)) reject('message.data', 'an SVG picture may not hold scripts or event handlers');
  } else {
    if (data.length < 44 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) reject('message.data', 'a PNG picture must be base64 text');
    const bytes = leadingBytes(data, 24);
    if (PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) reject('message.data', 'the data is not a PNG (its signature is wrong)');
    const be32 = (at: number) => ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
    if (be32(16) !== width || be32(20) !== height) reject('message.data', `the PNG is ${be32(16)} × ${be32(20)} pixels, not the ${width} × ${height} the message states`);
  }
  return { format, data, width, height };
}

function parse(raw: unknown, model: ModelSummary): WebviewMessage {
  const message = object(raw, 'message');
  const type = oneOf(message.type, 'message.type', [
    'ready', 'command', 'select', 'requestTensor', 'show', 'requestExplanation', 'viewState', 'protocolError', 'savePicture', 'copyText',
  ] as const);
  switch (type) {
    case 'ready': return { type };
    case 'command': return { type, command: command(message.command, 'message.command') };
    case 'select': {
      const select: SelectMessage = { type, layer: layerIndex(message.layer, 'message.layer', model) };
      if (message.parameter !== undefined) select.parameter = parameterRef(message.parameter, 'message.parameter', model);
      if (message.sample !== undefined) select.sample = sampleRow(message.sample, 'message.sample', model);
      return select;
    }
    case 'requestTensor':
      return {
        type,
        step: integer(message.step, 'message.step', 0, LIMITS.step),
        name: requestedTensor(message.name, 'message.name', model),
      };
    case 'show':
      return {
        type,
        tensors: list(message.tensors, 'message.tensors', 0, LIMITS.shownTensors, (item, path) => {
          const entry = object(item, path);
          const parts = list(entry.parts, `${path}.parts`, 0, PARTS.length, (part, at) => oneOf(part, at, PARTS));
          const shown: ShownTensor = { name: requestedTensor(entry.name, `${path}.name`, model), parts };
          if (entry.ranges !== undefined) {
            const ranges = object(entry.ranges, `${path}.ranges`);
            shown.ranges = {};
            for (const [part, value] of Object.entries(ranges)) {
              const at = `${path}.ranges.${part}`;
              if (!parts.includes(part as Part)) reject(at, `names a part not in ${path}.parts`);
              shown.ranges[part as Part] = list(value, at, 0, LIMITS.shownRanges, (range, where): IndexRange => {
                const pair = list(range, where, 2, 2, (n, i) => integer(n, i, 0, LIMITS.tensorIndex));
                if (pair[1] < pair[0]) reject(where, `[from, to] with to < from: [${pair}]`);
                return [pair[0], pair[1]];
              });
            }
          }
          return shown;
        }),
      };
    case 'requestExplanation':
      return {
        type,
        step: integer(message.step, 'message.step', 0, LIMITS.step),
        parameter: parameterRef(message.parameter, 'message.parameter', model),
      };
    case 'viewState': return { type, state: viewState(message.state, 'message.state', model) };
    case 'protocolError': return { type, reason: text(message.reason, 'message.reason', LIMITS.reason) };
    case 'savePicture': return { type, view: oneOf(message.view, 'message.view', PICTURE_VIEWS), ...pictureFields(message) };
    case 'copyText':
      return {
        type,
        format: oneOf(message.format, 'message.format', CHAIN_RULE_FORMATS),
        text: text(message.text, 'message.text', LIMITS.copiedText),
      };
  }
}

/** Checks a message from the webview; the result holds a fresh copy of the checked fields only. */
export function validateWebviewMessage(raw: unknown, context: ValidationContext): Validation {
  return checked(() => parse(raw, context.model));
}
