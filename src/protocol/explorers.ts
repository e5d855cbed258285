// Messages between the host and the explorer webview (the lessons' panel, apart from the
// inspector). The webview asks for a view's numbers with a request; the host computes them
// with the engine and answers with a result. The webview never computes the math itself.
import type { FontScaleMessage } from './messages';
import type { LectureBatchTable } from '../engine/experiments/gradientNoise';
import type { Picture } from './messages';

export const EXPLORER_VIEWS = ['norms', 'information', 'activations', 'expression', 'surface', 'race', 'noise'] as const;
export type ExplorerView = (typeof EXPLORER_VIEWS)[number];

/** Each view's title, in English (the l10n key: the webview's tab, the host's save dialog). */
export const EXPLORER_TITLES: Readonly<Record<ExplorerView, string>> = {
  norms: 'Norms', information: 'Information', activations: 'Activations', expression: 'Expression',
  surface: 'Loss surface', race: 'Optimizer race', noise: 'Gradient noise',
};

/** p of a p-norm; the string "inf" stands for ∞ (JSON has no Infinity). */
export type NormOrder = number | 'inf';

export type ExplorerRequest =
  | { view: 'norms'; orders: NormOrder[]; a: [number, number]; b: [number, number] }
  | { view: 'information'; p: number[]; q: number[]; bits: boolean }
  | { view: 'activations'; slope: number; z: number }
  | { view: 'expression'; source: string; values: Record<string, number> }
  | { view: 'surface'; learningRate: number; steps: number }
  | { view: 'race'; steps: number }
  | { view: 'noise'; draws: number };

export interface NormsResult {
  view: 'norms';
  balls: Array<{ order: NormOrder; points: Array<[number, number]>; normA: number; distance: number }>;
  cosine: number | null; // null when a vector is zero
  hamming: number;
}

export interface InformationResult {
  view: 'information';
  problem?: string; // why p or q is not a distribution; the numbers below are then absent
  unit: 'bits' | 'nats';
  selfInformationP?: number[];
  entropyP?: number;
  entropyQ?: number;
  crossEntropy?: number;
  kl?: number;
  curve: { heads: number[]; entropy: number[] };
}

/** f(z), f′(z) and f″(z) of one activation at one z. */
export interface ActivationAt {
  value: number;
  derivative: number;
  secondDerivative: number;
}

export interface ActivationsResult {
  view: 'activations';
  z: number[];
  /** The z the learner chose, where `curves[i].at` is read. */
  at: number;
  curves: Array<{ name: string; value: number[]; derivative: number[]; at: ActivationAt }>;
}

export interface ExpressionNodeView {
  id: number;
  kind: 'variable' | 'constant' | 'operation';
  label: string;
  inputs: number[];
  value: number;
  text: string;
}

export interface ExpressionResult {
  view: 'expression';
  source: string;
  nodes: ExpressionNodeView[];
  output: number;
  steps: Array<{ node: number; upstream: number; passes: Array<{ to: number; localGradient: number; passed: number; gradientBefore: number; gradientAfter: number }> }>;
  gradients: Record<string, number>;
}

/** J on a grid: values[j][i] at (w = ws[i], b = bs[j]). */
export interface SurfaceGrid {
  ws: number[];
  bs: number[];
  values: number[][];
}

export interface SurfaceResult {
  view: 'surface';
  model: string; // the example's name
  grid: SurfaceGrid;
  path: Array<[number, number]>;
  losses: number[];
  diverged: boolean;
}

export interface RaceResult {
  view: 'race';
  grid: SurfaceGrid;
  racers: Array<{ name: string; path: Array<[number, number]>; losses: number[]; unavailable?: string }>;
}

/** The engine's gradient-noise experiment (engine/experiments/gradientNoise.ts) at the lesson model's initial weights. */
export interface NoiseResult {
  view: 'noise';
  samples: number; // N, the training samples the batches are drawn from
  draws: number; // mini-batches per size
  sizes: number[];
  std: number[]; // sqrt(mean over draws of ‖g_B − g‖²), n samples drawn independently (with replacement)
  predicted: number[]; // σ/√n
  sigma: number; // sqrt((1/N) Σᵢ ‖gᵢ − g‖²), from every sample's own gradient
  slope: number; // least-squares slope of log std against log n: −0.5 in theory
  lecture?: LectureBatchTable; // the lecture's 100 vs 10,000 table, when N ≥ 10,000
}

export type ExplorerResult = NormsResult | InformationResult | ActivationsResult | ExpressionResult | SurfaceResult | RaceResult | NoiseResult;

export type ExplorerHostMessage =
  | { type: 'init'; view: ExplorerView; strings: Record<string, string>; language: 'en' | 'ko' }
  | { type: 'show'; view: ExplorerView }
  | { type: 'result'; result: ExplorerResult }
  | { type: 'error'; view: ExplorerView; message: string; column?: number }
  | FontScaleMessage;

export type ExplorerWebviewMessage =
  | { type: 'ready' }
  | { type: 'request'; request: ExplorerRequest }
  | ({ type: 'savePicture'; view: ExplorerView } & Picture);

export const EXPLORER_LIMITS = {
  orders: 6, maxOrder: 1000, coordinate: 1e6, outcomes: 10, variables: 20,
  learningRate: { min: 1e-6, max: 10 }, steps: 500, draws: 1000, slope: { min: 0, max: 1 }, activationZ: 1000,
} as const;

export function isExplorerView(value: unknown): value is ExplorerView {
  return typeof value === 'string' && (EXPLORER_VIEWS as readonly string[]).includes(value);
}
