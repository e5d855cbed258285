// Everything the views render, in one place. Host messages update it; views read it. The webview
// computes no training math: every number here came from the host.
import type {
  DataView, EpochEvaluation, ExplanationMessage, HostMessage, ModelSummary, ParameterRef, RankGradients, StepOnScreen, SamplePrediction,
  ViewState, WebviewMessage,
} from '../protocol/messages';
import { LOSS_FIELDS, RUN_SPEED } from '../protocol/messages';
import { type DecodedRecord, decodeStepRecord } from '../protocol/traceCodec';
import type { WebviewString } from '../protocol/webviewStrings';
import type { Phase } from '../engine/types';
import type { LayerUnitHealth } from '../engine/unitHealth';
import type { Evaluation } from '../engine/evaluation';
import type { CompareResult } from '../engine/experiments/compare';
import * as l10n from '@vscode/l10n';

/** Index k = step k + 1. Each array is a view that is never written after it is made (extended). */
export interface LossSeries {
  loss: Float64Array;
  lossAfter: Float64Array;
  dataLoss: Float64Array;
  regLoss: Float64Array;
  /** Online training only (LossHistory.lossAverage). */
  lossAverage?: Float64Array;
}

const emptyHistory = (): LossSeries => ({ loss: new Float64Array(0), lossAfter: new Float64Array(0), dataLoss: new Float64Array(0), regLoss: new Float64Array(0) });

/**
 * `series`' first `keep` values followed by `values`. An append (keep is the whole series) writes
 * after the series in its own buffer instead of copying every step before it, as a million steps
 * would at every step; earlier views never see the write, since it lies past their end. A cut (a
 * move back) and an append that does not fit copy into a fresh buffer twice the new length.
 */
export function extendedSeries(series: Float64Array, keep: number, values: ArrayLike<number>): Float64Array {
  const kept = Math.min(keep, series.length);
  const length = kept + values.length;
  const room = series.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT;
  let out: Float64Array;
  if (kept === series.length && series.byteOffset === 0 && length <= room) out = new Float64Array(series.buffer, 0, length);
  else {
    out = new Float64Array(Math.max(2 * length, 1024)).subarray(0, length);
    out.set(series.subarray(0, kept));
  }
  out.set(values, kept);
  return out;
}

export interface State {
  locale: string;
  /** The document this inspector shows (from init): saved with the view so a revived panel names it. */
  documentUri?: string;
  model?: ModelSummary;
  view: ViewState;
  position?: StepOnScreen;
  record?: DecodedRecord;
  history: LossSeries;
  epochs: EpochEvaluation[];
  /** The looks at the test split since the last reset, oldest first. */
  testLooks: Evaluation[];
  prediction?: SamplePrediction;
  /** Dead and saturated units of the record on screen, per layer (from the host). */
  unitHealth?: LayerUnitHealth[];
  /** A data-parallel recording's ranks at the step on screen (from the host). */
  ranks?: RankGradients;
  /** The operation the debugger's selected frame shows; cleared when the user selects in the inspector. */
  focus?: Phase;
  explanation?: ExplanationMessage;
  dataView?: DataView;
  /** The last Compare Runs result, until the model changes. */
  compare?: CompareResult;
  /** Full tensors received on request, for the record on screen: name → data. */
  fullTensors: Map<string, Float64Array>;
  error?: { message: string; where: string };
  running: boolean;
  /** The host's keyboard shortcuts, command → label (for tooltips and the Keyboard help). */
  shortcuts: Record<string, string>;
}

export const DEFAULT_VIEW: ViewState = {
  step: 0, selectedLayer: 0, sample: 'mean', diagramMode: 'value', detailMode: 'numbers', speed: RUN_SPEED.default,
};

/**
 * What the webview keeps with setState: its document and view. VS Code hands it to the panel
 * serializer after a window reload (panelState.ts matchSavedState), and back to a revived webview.
 */
export interface SavedWebviewState {
  documentUri?: string;
  view: ViewState;
}

export function savedWebviewState(state: State): SavedWebviewState {
  return { documentUri: state.documentUri, view: state.view };
}

/** The state to start from: the view saved before a reload (a bare ViewState from an older build is taken as it is). */
export function initialState(saved?: unknown): State {
  const view = isObject(saved) && isObject(saved.view) ? saved.view : isObject(saved) ? saved : undefined;
  return initialStateOfView(view as Partial<ViewState> | undefined);
}

function initialStateOfView(saved?: Partial<ViewState>): State {
  return {
    locale: 'en', view: { ...DEFAULT_VIEW, ...saved }, history: emptyHistory(),
    epochs: [], testLooks: [], fullTensors: new Map(), running: false, shortcuts: {},
  };
}


const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isFloatArray = (v: unknown): v is Float64Array => v instanceof Float64Array;

const isIndexList = (v: unknown) => Array.isArray(v) && v.every((u) => Number.isInteger(u) && u >= 0);
const isUnitHealth = (v: unknown) => isObject(v) && isIndexList(v.dead) && isIndexList(v.saturated);
const isGradient = (v: unknown) => isObject(v) && isFloatArray(v.weights) && isFloatArray(v.bias);
const isRankGradients = (v: unknown) => isObject(v) && isIndexList(v.ranks) && Array.isArray(v.layers) && v.layers.every((l: unknown) =>
  isObject(l) && Array.isArray(l.local) && l.local.length === (v.ranks as unknown[]).length && l.local.every(isGradient) && isGradient(l.mean) && isGradient(l.reduced) && typeof l.maxDifference === 'number');

/**
 * Checks the shape of a host message enough to render it safely; returns why not otherwise.
 * (The host is trusted, but a bug there must show as a message, not as a broken panel.)
 */
export function hostMessageProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return 'message is not an object';
  switch (raw.type) {
    case 'init':
      if (!isObject(raw.strings) || !isObject(raw.model) || !Array.isArray((raw.model as { layers?: unknown }).layers)) return 'init: needs strings and model';
      return undefined;
    case 'step': {
      if (!isObject(raw.position) || typeof (raw.position as { step?: unknown }).step !== 'number') return 'step: position.step must be a number';
      if (!isObject(raw.record) || !isFloatArray((raw.record as { data: unknown }).data)) return 'step: record.data must be a Float64Array';
      if (!Number.isInteger(raw.heard)) return 'step: heard must be a whole number';
      const h = raw.history as Record<string, unknown> | undefined;
      if (!isObject(h) || typeof h.from !== 'number' || !isFloatArray(h.loss) || !isFloatArray(h.lossAfter)) return 'step: history must hold from and Float64Array series';
      if (h.lossAverage !== undefined && !isFloatArray(h.lossAverage)) return 'step: history.lossAverage must be a Float64Array';
      if (raw.unitHealth !== undefined && !(Array.isArray(raw.unitHealth) && raw.unitHealth.every(isUnitHealth))) return 'step: unitHealth must list dead and saturated unit indices per layer';
      if (raw.ranks !== undefined && !isRankGradients(raw.ranks)) return 'step: ranks must hold, per layer, each rank\'s local gradient, their mean, the reduced gradient (Float64Array W and b) and maxDifference';
      return undefined;
    }
    case 'focus':
      return typeof raw.layer === 'number' && isObject(raw.phase) && typeof raw.phase.kind === 'string' ? undefined : 'focus: needs layer and phase';
    case 'tensor':
      return typeof raw.name === 'string' && isFloatArray(raw.data) && typeof raw.step === 'number' ? undefined : 'tensor: needs step, name and Float64Array data';
    case 'explanation':
      return isObject(raw.explanation) && Array.isArray((raw.explanation as { factors?: unknown }).factors) ? undefined : 'explanation: needs explanation.factors';
    case 'evaluation':
      if (!Number.isInteger(raw.from) || (raw.from as number) < 0) return 'evaluation: from must be a whole number ≥ 0';
      return Array.isArray(raw.epochs) && Array.isArray(raw.testLooks) ? undefined : 'evaluation: epochs and testLooks must be arrays';
    case 'dataView':
      return isObject(raw.view) && typeof (raw.view as { kind?: unknown }).kind === 'string' ? undefined : 'dataView: needs view.kind';
    case 'error':
      return typeof raw.message === 'string' ? undefined : 'error: message must be a string';
    case 'theme':
      return undefined;
    case 'compare': {
      const result = raw.result as Record<string, unknown> | undefined;
      return isObject(result) && Array.isArray(result.runs) && isObject(result.grid) && isObject(result.slice) ? undefined : 'compare: needs result.runs, result.grid and result.slice';
    }
    case 'exportRequest':
      return isObject(raw.request) && typeof raw.request.kind === 'string' && typeof raw.request.format === 'string' ? undefined : 'exportRequest: needs request.kind and request.format';
    case 'fontScale':
      return typeof raw.scale === 'number' && Number.isFinite(raw.scale) ? undefined : 'fontScale: scale must be a finite number';
    default:
      return `unknown message type ${JSON.stringify(raw.type)}`;
  }
}

/** Applies a checked host message to the state. Throws (with a reason) when a record cannot be decoded. */
export function apply(state: State, message: HostMessage): void {
  switch (message.type) {
    case 'init':
      // The host's map (English → translated) is an l10n bundle: @vscode/l10n translates and fills "{0}".
      l10n.config({ contents: message.strings });
      state.locale = message.locale;
      state.documentUri = message.documentUri;
      state.model = message.model;
      state.shortcuts = message.shortcuts ?? {};
      if (message.viewState) state.view = { ...state.view, ...message.viewState };
      state.view.selectedLayer = Math.min(state.view.selectedLayer, message.model.layers.length - 1);
      state.history = emptyHistory();
      state.epochs = [];
      state.testLooks = [];
      state.record = undefined;
      state.unitHealth = undefined;
      state.focus = undefined;
      state.explanation = undefined;
      state.compare = undefined;
      state.error = undefined;
      return;
    case 'step': {
      const record = decodeStepRecord(message, state.record);
      state.record = record;
      state.position = message.position;
      state.running = message.position.running;
      state.view.step = message.position.step;
      state.fullTensors = new Map();
      state.prediction = message.prediction;
      state.unitHealth = message.unitHealth;
      state.ranks = message.ranks;
      const h = message.history;
      const keep = Math.max(0, h.from - 1);
      for (const key of LOSS_FIELDS) {
        state.history[key] = extendedSeries(state.history[key], keep, h[key] ?? []);
      }
      // A record sent without its losses has them in the history, at its step (stepRecord).
      if (LOSS_FIELDS.every((key) => record[key] === undefined) && record.step >= 1 && record.step <= state.history.loss.length) {
        for (const key of LOSS_FIELDS) record[key] = state.history[key][record.step - 1];
      }
      state.history.lossAverage = h.lossAverage && extendedSeries(state.history.lossAverage ?? new Float64Array(0), keep, h.lossAverage);
      if (state.explanation && state.explanation.step !== record.step) state.explanation = undefined;
      state.error = undefined;
      return;
    }
    case 'tensor':
      if (state.record && message.step === state.record.step) state.fullTensors.set(message.name, message.data);
      return;
    case 'explanation':
      state.explanation = message;
      return;
    case 'evaluation':
      state.epochs = state.epochs.slice(0, message.from).concat(message.epochs);
      state.testLooks = message.testLooks;
      return;
    case 'dataView':
      state.dataView = message.view;
      return;
    case 'error':
      state.error = { message: message.message, where: message.where };
      return;
    case 'focus':
      if (state.model) state.view.selectedLayer = Math.min(Math.max(0, message.layer), state.model.layers.length - 1);
      state.focus = message.phase;
      return;
    case 'compare':
      state.compare = message.result;
      return;
    case 'theme':
    case 'exportRequest': // answered by main.ts; no state
    case 'fontScale': // applied to the page by main.ts
      return;
  }
}

/** What the webview can post; main.ts wires it to acquireVsCodeApi().postMessage. */
export type Post = (message: WebviewMessage) => void;

export interface Context {
  state: State;
  post: Post;
  t: (text: WebviewString, ...args: (string | number)[]) => string;
  /** Schedules a render on the next animation frame (many calls, one render). */
  invalidate(): void;
  /**
   * Whether this render writes `part` (an element of a view) now: a part far from the viewport is
   * left as it is and marked for the settle pass, which brings everything up to date in idle time.
   * Always true in the settle pass.
   */
  shows(part: Element): boolean;
  /** Runs the settle pass now if parts wait for it (an export draws the whole card). */
  settle(): void;
  /** Records a view-state change: saved with setState and sent to the host for the serializer. */
  saveView(change: Partial<ViewState>): void;
  select(layer: number, parameter?: ParameterRef): void;
}
