// The engine's public shapes. StepTrace and LayerTrace are the contract of DESIGN.md §3:
// the CLI's --json output, exported trace files and the webview all carry them, so field
// names here must not change without changing the design.

export type ActivationName = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'softmax';
export type LossName = 'mse' | 'mae' | 'cross-entropy' | 'binary-cross-entropy';
export type OptimizerName =
  | 'sgd'
  | 'adagrad'
  | 'rmsprop'
  | 'adam'
  | 'adamw'
  | 'newton'
  | 'lbfgs'
  | 'conjugate-gradient'
  | 'levenberg-marquardt';

export interface StepTrace {
  step: number; // 1-based iteration count since reset
  epoch: number; // 1-based
  batch: number[]; // indices into the training split, in order used
  loss: number; // J on this batch with the weights used for the gradients
  dataLoss: number; // the loss-function part of J
  regLoss: number; // the regularization part of J (0 when none)
  lossAfter: number; // J on the same batch after the update
  layers: LayerTrace[]; // index 0 = first hidden layer
  optimizer: { type: string; state: Record<string, unknown> };
}

export interface LayerTrace {
  index: number;
  units: number;
  activation: string;
  input: number[][]; // batch × in (a of the previous layer, or x)
  z: number[][]; // batch × out, pre-activation z = W·input + b
  a: number[][]; // batch × out, activation f(z)
  localGrad: number[][] | number[][][]; // batch × out f'(z); softmax: batch × out × out Jacobian
  upstream: number[][]; // batch × out, ∂J/∂a
  delta: number[][]; // batch × out, ∂J/∂z
  weights: number[][]; // out × in, before the update
  bias: number[];
  gradWeights: number[][]; // out × in, ∂J/∂W (data part + regularization part)
  gradBias: number[];
  update: { weights: number[][]; bias: number[] }; // what was added to W and b
  weightsAfter: number[][];
  biasAfter: number[];
}

/** One phase of one step: the unit of "Step Into" (DESIGN.md §2). Layers are 0-based. */
export type Phase =
  | { kind: 'forward'; layer: number }
  | { kind: 'loss' }
  | { kind: 'backward'; layer: number }
  | { kind: 'update' };

// ---- The model file (*.backprop.json), as written by users and other tools (DESIGN.md §5).
// schemas/backprop.schema.json is the one definition; these types mirror it.

export interface ModelFile {
  name?: string;
  description?: string;
  seed?: number;
  inputs: number;
  layers: LayerSpec[];
  loss: LossName;
  regularization?: { l1?: number; l2?: number };
  optimizer: OptimizerSpec;
  data: DataSpec;
  split?: { train: number; validation?: number; test?: number; stratify?: boolean };
  batch?: { mode: 'batch' | 'mini-batch' | 'stochastic'; size?: number; shuffle?: boolean };
}

export interface LayerSpec {
  units: number;
  activation: ActivationName;
  slope?: number; // leaky-relu only
  weights?: number[][]; // [out][in]
  bias?: number[];
}

export interface OptimizerSpec {
  type: OptimizerName;
  learningRate?: number;
  // torch.optim names in camelCase; which apply depends on type.
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  lrDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  alpha?: number;
  centered?: boolean;
  betas?: [number, number];
  amsgrad?: boolean;
  historySize?: number;
  lineSearch?: 'strong-wolfe' | 'none';
  maxIter?: number;
  damping?: number;
  [extra: string]: unknown;
}

export type DataSpec =
  | { x: number[][]; y: number[][] }
  | { generator: GeneratorName; samples?: number; noise?: number; classes?: number; seed?: number; online?: boolean }
  | { csv: string; target: string | string[]; normalize?: 'standard' | 'minmax' }
  | { builtin: 'iris' | 'digits'; normalize?: 'standard' | 'minmax' };

export type GeneratorName = 'xor' | 'circles' | 'two-gaussians' | 'spiral' | 'moons' | 'linear' | 'sine';

/** A dataset in memory: row-major float64 matrices. */
export interface Dataset {
  x: Float64Array; // samples × inputs
  y: Float64Array; // samples × outputs
  samples: number;
  inputs: number;
  outputs: number;
  inputNames?: string[];
  outputNames?: string[]; // class names for one-hot targets
}

/** A problem found in a model file or its data, pointing at the place to fix. */
export interface Diagnostic {
  path: string; // JSON path such as "layers[1].activation" or a CSV "file.csv:12:3"
  message: string; // what is wrong and what to write instead
  line?: number; // 1-based, when known
  column?: number; // 1-based, when known
  offset?: number; // 0-based character offset into the file, when known
  length?: number;
  severity: 'error' | 'warning';
  /**
   * Set on a JSON syntax error only, naming its kind: an editor's JSON service in JSONC mode
   * accepts comments and only warns about trailing commas, so whether it already reports the
   * error depends on the kind.
   */
  syntax?: JsonSyntaxKind;
}

export type JsonSyntaxKind = 'comment' | 'trailing comma' | 'other';

// ---- What the trainer records: StepTrace's tensors as flat row-major float64 arrays, so a step
// costs no nested-array allocation. The trainer turns a record into a StepTrace on demand, and
// the protocol encodes records into one Float64Array plus an offset table.
// While a step is in progress (Step Into), fields not yet computed are undefined.

export interface LayerRecord {
  index: number;
  units: number;
  inputs: number;
  activation: ActivationName;
  rows: number; // samples in the batch
  weights: Float64Array; // units × inputs, before the update
  bias: Float64Array;
  input?: Float64Array; // rows × inputs
  z?: Float64Array; // rows × units
  a?: Float64Array; // rows × units
  localGrad?: Float64Array; // rows × units, or rows × units × units for softmax
  upstream?: Float64Array; // rows × units
  delta?: Float64Array; // rows × units
  gradWeights?: Float64Array; // units × inputs
  gradBias?: Float64Array;
  updateWeights?: Float64Array; // what was added to the weights
  updateBias?: Float64Array;
  weightsAfter?: Float64Array;
  biasAfter?: Float64Array;
}

export interface StepRecord {
  step: number;
  epoch: number;
  batch: number[];
  loss?: number;
  dataLoss?: number;
  regLoss?: number;
  lossAfter?: number;
  layers: LayerRecord[];
  optimizer?: { type: string; state: Record<string, unknown> };
}
