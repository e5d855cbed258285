// The messages between the extension host and the inspector webview (DESIGN.md §1): one
// discriminated union per direction, each member told apart by its `type`. The host side imports
// these to post and to validate (validate.ts); the webview imports them to render. Numbers that
// come in bulk travel as Float64Arrays (traceCodec.ts), never as nested number arrays.
import type { ActivationName, LossName, Phase } from '../engine/types';
import type { RunCondition } from '../engine/runLoop';
import type { ChainRuleExplanation, ParameterTarget } from '../engine/chainRule';
import type { LayerUnitHealth } from '../engine/unitHealth';
import type { Evaluation } from '../engine/evaluation';
import type { ShownTensor, StepMessageRecord } from './traceCodec';
import type { CompareResult } from '../engine/experiments/compare';

// ---- shared shapes

/** A weight W[out][in] or a bias b[out] of one layer (0-based layer, unit and input indices). */
export type ParameterRef = ParameterTarget;

export type DiagramMode = 'value' | 'gradient' | 'update';
export type DetailMode = 'numbers' | 'heatmap';
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** What the webview asks the host to keep across reloads (the panel serializer stores it). */
export interface ViewState {
  /** The step on screen when the state was saved (the host restores it with goToStep). */
  step: number;
  selectedLayer: number;
  selectedParameter?: ParameterRef;
  /** Which sample the per-sample views show: a row of the batch, or 'mean' for the batch mean. */
  sample: number | 'mean';
  diagramMode: DiagramMode;
  detailMode: DetailMode;
  /** Steps per second while running. */
  speed: number;
}

export interface ModelSummary {
  name?: string;
  inputs: number;
  layers: { units: number; activation: ActivationName }[];
  /** null for a recorded trace, which does not name its loss or regularization. */
  loss: LossName | null;
  regularization: { l1: number; l2: number } | null;
  optimizer: { type: string; hyperparameters: Record<string, number | boolean | string | number[]> };
  dataset: {
    samples: number;
    train: number;
    validation: number;
    test: number;
    batchSize: number;
    batchesPerEpoch: number;
    task: 'classification' | 'regression';
    inputNames?: string[];
    /** Class names for one-hot targets (classification). */
    classNames?: string[];
    /** Online training: fresh samples per step, and the steps the loss's moving average spans. */
    online?: { samplesPerStep: number; averageWindow: number };
  };
}

/**
 * The step the views show (0 before the first step) and what Step Into would run now. (The
 * engine's NextOperation counts from what runs next; the debugger's LastOperation from what ran.)
 */
export interface StepOnScreen {
  step: number; // the step on screen (0 before the first step)
  epoch: number;
  batchInEpoch: number; // 1-based
  batchesPerEpoch: number;
  /** The next operation; undefined when the step on screen is complete (next is a new step). */
  next?: Phase;
  /** The newest step in history (the scrubber's end); equals `step` unless viewing history. */
  latestStep: number;
  running: boolean;
}

/** The losses a step record holds, and the series of the loss history (one entry per step). */
export const LOSS_FIELDS = ['loss', 'lossAfter', 'dataLoss', 'regLoss'] as const;

/**
 * Batch loss per step, as a run of consecutive steps `from`, from+1, ... The webview keeps what
 * it has before `from` and replaces the rest, so stepping back or scrubbing truncates correctly.
 */
export interface LossHistory {
  from: number;
  loss: Float64Array; // J before the update, per step
  lossAfter: Float64Array; // J on the same batch after the update
  dataLoss: Float64Array;
  regLoss: Float64Array;
  /** Online training only: the moving average of `loss` over the last ONLINE_LOSS_WINDOW steps. */
  lossAverage?: Float64Array;
}

/** One epoch's evaluation on the splits (validation/test absent when the split is empty). */
export interface EpochEvaluation {
  epoch: number;
  step: number; // the step that ended the epoch
  trainLoss: number;
  validationLoss?: number;
  trainAccuracy?: number; // classification only, in [0, 1]
  validationAccuracy?: number;
}

/** For classifiers: the predicted distribution of the chosen sample of the batch. */
export interface SamplePrediction {
  sample: number; // row of the batch
  datasetIndex: number; // row of the dataset (online: the stream sample number)
  probabilities: Float64Array;
  trueClass: number;
  entropy: number; // H(p) = −Σ p log p, nats
  crossEntropy: number; // −Σ t log p of this sample, nats
  selfInformation: number; // −log p(true class), nats
}

export type DataView =
  | {
      kind: 'points'; // 2-D inputs
      x: Float64Array; // samples × 2
      /** 0 = train, 1 = validation, 2 = test, per sample. */
      split: Uint8Array;
      /** Class index (classification) or target value (regression), per sample. */
      label: Float64Array;
      batch: number[]; // dataset indices of the current batch
      /**
       * Dataset index of each point, present only when the dataset is too large to send whole and
       * the points are a subsample (always including the batch); absent, point i is sample i.
       */
      index?: Uint32Array;
      grid?: DecisionGrid;
    }
  | {
      kind: 'curve'; // 1-D input regression
      x: Float64Array;
      y: Float64Array;
      split: Uint8Array;
      batch: number[]; // dataset indices of the current batch
      index?: Uint32Array; // as for 'points'
      curve: { x: Float64Array; y: Float64Array };
    }
  | {
      kind: 'table'; // any other input: the batch itself
      columns: string[];
      inputColumns: number; // the first columns are inputs, the rest the targets
      rows: number; // samples in the batch
      values: Float64Array; // rows × columns
      batch: number[]; // dataset indices of the batch, one per row
    };

/** Model output on a regular grid over the input plane, computed by the host. */
export interface DecisionGrid {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  nx: number;
  ny: number;
  /** 'class': class index per cell; 'probability': p(class 1); 'value': regression output. */
  kind: 'class' | 'probability' | 'value';
  /** ny × nx, row 0 at yMin: values[r·nx + c] is the output at the centre of cell (c, r), x = xMin + (c + ½)(xMax − xMin)/nx. */
  values: Float64Array;
}

// ---- host → webview

export interface InitMessage {
  type: 'init';
  /**
   * The model document this inspector shows. The webview may save it with its view state
   * (setState({ documentUri, view })), so a revived panel names its document itself.
   */
  documentUri?: string;
  /** English text → translated text for every entry of WEBVIEW_STRINGS. */
  strings: Record<string, string>;
  locale: string;
  model: ModelSummary;
  viewState?: ViewState;
  theme: ThemeKind;
  /** Keyboard shortcuts active in the inspector: command ("step", "runPause", …) → label ("F10"). */
  shortcuts?: Record<string, string>;
}

export interface StepMessage {
  type: 'step';
  position: StepOnScreen;
  /**
   * Without its step (it is `position.step`: decodeStepRecord) and without its losses when the
   * history holds them once this message is applied (the entry of its step).
   */
  record: StepMessageRecord;
  history: LossHistory;
  prediction?: SamplePrediction;
  /**
   * Per layer of the record, its dead ReLU and saturated sigmoid/tanh units (engine/unitHealth.ts),
   * as far as the record has run forward; absent when there are none.
   */
  unitHealth?: LayerUnitHealth[];
  /** A data-parallel recording's ranks at this step (rankGradients.ts). */
  ranks?: RankGradients;
  /**
   * How many of the page's messages since its `ready` the host had received when it built this
   * step. The page counts its posts the same way, so it knows whether this step answers its last
   * `show` list or sample choice or was built before the host heard them (data-awaiting).
   */
  heard: number;
}

/** A layer's gradient as W and b (row-major units × inputs, and units). */
export interface ParameterGradient {
  weights: Float64Array;
  bias: Float64Array;
}

/**
 * Data-parallel training at one step (issue 14): per layer, each rank's own gradient of its share
 * of the batch, their mean, the reduced gradient the update used, and the largest |mean − reduced|
 * over W and b (0 up to rounding when the all-reduce averaged the ranks' gradients).
 */
export interface RankGradients {
  /** The ranks, in the order of each layer's `local`. */
  ranks: number[];
  layers: { local: ParameterGradient[]; mean: ParameterGradient; reduced: ParameterGradient; maxDifference: number }[];
}

export interface TensorMessage {
  type: 'tensor';
  step: number;
  name: string; // a name from the record's table, e.g. "layers[0].weights"
  shape: number[];
  data: Float64Array;
}

/** The engine's explainChainRule() for `parameter` at `step` (weights before that step's update). */
export interface ExplanationMessage {
  type: 'explanation';
  step: number;
  explanation: ChainRuleExplanation;
}

export interface EvaluationMessage {
  type: 'evaluation';
  /**
   * The first epoch `epochs` starts at (0-based): the webview keeps its entries before it and
   * replaces the rest (so going back truncates them), as the loss history's `from`.
   */
  from: number;
  /** The epochs evaluated up to the step on screen, from `from` on (a million steps end 125,000 epochs). */
  epochs: EpochEvaluation[];
  /** Each look at the test split since the last reset (Evaluate on Test Set), oldest first. */
  testLooks: Evaluation[];
}

export interface DataViewMessage {
  type: 'dataView';
  step: number;
  view: DataView;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
  /** What failed, e.g. "model file layers[1].units" or "command stepBack". */
  where: string;
}

/**
 * The operation the debugger's selected stack frame shows (forward/backward of a layer, the loss,
 * the update) and the layer it selects; sent when the session's focus changes.
 */
export interface FocusMessage {
  type: 'focus';
  layer: number;
  phase: Phase;
}

export interface ThemeMessage {
  type: 'theme';
  theme: ThemeKind;
}

/**
 * The Save Picture / Copy Chain Rule commands: the host asks the webview for a picture of a view
 * (answered with a savePicture message) or for the chain rule on screen as text (copyText).
 */
export interface ExportRequestMessage {
  type: 'exportRequest';
  request: { kind: 'picture'; view: PictureView; format: PictureFormat } | { kind: 'chainRule'; format: ChainRuleFormat };
}

/** Compare Runs: runs of the model on screen from the same start (the engine's compareRuns, as the CLI's `compare --json`). */
export interface CompareMessage {
  type: 'compare';
  result: CompareResult;
}

/** The inspector's and explorers' zoom (setting backprop.fontScale), sent after init and on every change. */
export interface FontScaleMessage {
  type: 'fontScale';
  scale: number;
}

export type HostMessage =
  | InitMessage
  | ExportRequestMessage
  | CompareMessage
  | StepMessage
  | TensorMessage
  | ExplanationMessage
  | EvaluationMessage
  | DataViewMessage
  | ErrorMessage
  | FocusMessage
  | ThemeMessage
  | FontScaleMessage;

// ---- webview → host (untrusted: validate.ts checks every one before the host acts on it)

/** The engine's run loop condition, as the webview asks for it. */
export type RunUntil = RunCondition;

export type InspectorCommand =
  | { name: 'step' }
  | { name: 'stepInto' }
  | { name: 'stepBack' }
  | { name: 'runEpoch' }
  | { name: 'run'; stepsPerSecond: number }
  | { name: 'pause' }
  | { name: 'reset' }
  | { name: 'goToStep'; step: number }
  | { name: 'runUntil'; until: RunUntil }
  | { name: 'setSpeed'; stepsPerSecond: number }
  | { name: 'evaluateTestSet' };

export type CommandName = InspectorCommand['name'];

export interface ReadyMessage {
  type: 'ready';
}

export interface CommandMessage {
  type: 'command';
  command: InspectorCommand;
}

export interface SelectMessage {
  type: 'select';
  layer: number;
  parameter?: ParameterRef;
  sample?: number; // row of the batch whose prediction to show
}

export interface RequestTensorMessage {
  type: 'requestTensor';
  step: number;
  name: string;
}

/**
 * The parts of the record's tensors the inspector's views read while rendering the step on screen,
 * with the index ranges of the parts read in part (a tensor with no parts: looked up before it
 * was computed). The host then sends only those in
 * each step's record; the webview sends a new list when its views read something else (the
 * learner opened a layer, picked a sample, switched a mode), and the host answers with the step.
 */
export interface ShowMessage {
  type: 'show';
  tensors: ShownTensor[];
}

export interface RequestExplanationMessage {
  type: 'requestExplanation';
  step: number;
  parameter: ParameterRef;
}

export interface ViewStateMessage {
  type: 'viewState';
  state: ViewState;
}

/** The webview tells the host it dropped a host message it could not read. */
export interface ProtocolErrorMessage {
  type: 'protocolError';
  reason: string;
}

/** The views that can be saved as a picture: the id of each view's card. */
export const PICTURE_VIEWS = ['network', 'layer-detail', 'chain-rule', 'loss', 'data', 'optimizer', 'compare'] as const;
export type PictureView = (typeof PICTURE_VIEWS)[number];
export const PICTURE_FORMATS = ['svg', 'png'] as const;
export type PictureFormat = (typeof PICTURE_FORMATS)[number];
export const CHAIN_RULE_FORMATS = ['latex', 'markdown'] as const;
export type ChainRuleFormat = (typeof CHAIN_RULE_FORMATS)[number];

/**
 * A picture of a view for the host to save where the user chooses: SVG text, or a PNG as base64,
 * `width` × `height` pixels (the view's CSS size times the device pixel ratio). The explorers send
 * the same fields.
 */
export interface Picture {
  format: PictureFormat;
  data: string;
  width: number;
  height: number;
}

export interface SavePictureMessage extends Picture {
  type: 'savePicture';
  view: PictureView;
}

/** The chain rule on screen as LaTeX or a Markdown table, for the host to put on the clipboard. */
export interface CopyTextMessage {
  type: 'copyText';
  format: ChainRuleFormat;
  text: string;
}

export type WebviewMessage =
  | ReadyMessage
  | SavePictureMessage
  | CopyTextMessage
  | CommandMessage
  | SelectMessage
  | RequestTensorMessage
  | ShowMessage
  | RequestExplanationMessage
  | ViewStateMessage
  | ProtocolErrorMessage;

export const RUN_SPEED = { min: 0.5, max: 60, default: 4 } as const;

/** The view before the user changes anything. */
export const DEFAULT_VIEW_STATE: Readonly<ViewState> = {
  step: 0, selectedLayer: 0, sample: 'mean', diagramMode: 'value', detailMode: 'numbers', speed: RUN_SPEED.default,
};
