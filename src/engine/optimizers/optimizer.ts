// The contract between the trainer and every optimizer. Parameters are the network's live
// arrays in torch's nn.Sequential order: [layers[0].weights, layers[0].bias, layers[1].weights, ...],
// weights row-major [out][in]. Optimizers update them in place.
import type { OptimizerName } from '../types';
import type { Allocate } from '../arena';

/** J and ∂J/∂θ on the whole training set, for methods that re-evaluate during a step (line searches). */
export interface Objective {
  /** Evaluates at `params` (shaped like the network's parameters) without changing the network. */
  evaluate(params: Float64Array[]): { loss: number; grads: Float64Array[] };
  /** Exact Hessian of J, row-major P×P over the flattened parameters (Newton). */
  hessian?(params: Float64Array[]): Float64Array;
  /** Residuals r (J = Σr²/N form of mse) and their Jacobian, row-major R×P (Levenberg–Marquardt). */
  residuals?(params: Float64Array[]): { residuals: Float64Array; jacobian: Float64Array };
}

export interface OptimizerReport {
  /**
   * Readable state for StepTrace.optimizer.state: per parameter name ("layers[0].weights") the
   * state tensors (velocity; sum of squares; m, v, mHat, vHat, ...) and the effective step,
   * plus scalars a method reports (stepLength, damping, curvature figures).
   */
  state: Record<string, unknown>;
}

/**
 * One quantity an optimizer carries from step to step (for the trainer's non-finite watch: a
 * state that overflowed can freeze training without any weight going bad). Live arrays: read only.
 */
export type CarriedState =
  /** One array per parameter, in parameters() order. */
  | { name: string; perParameter: readonly Float64Array[] }
  /** One array over all parameters, flattened in parameters() order. */
  | { name: string; flat: Float64Array }
  | { name: string; scalar: number };

export interface Optimizer {
  readonly type: OptimizerName;
  /** True for the second-order and quasi-Newton methods: each step uses the whole training set. */
  readonly fullBatch: boolean;
  /**
   * One update of `params` in place from `grads` (computed on the current batch at the current params).
   * The report's tensors are its own, never written again by the optimizer; an optimizer that
   * keeps reusable buffers copies them into arrays from `allocate` (the trainer passes its step
   * arena, so the step record owns them without separate allocations; fresh arrays by default).
   * A report tensor that follows from the gradients and the report's own tensors may be computed
   * when first read (lazyField.ts: sgd's step), from `recordedGradient(i)`, gradient i as the
   * caller keeps it (the trainer's step record; by then `grads` may be reused memory), by default `grads[i]`
   * (the caller then leaves `grads` unchanged).
   */
  step(
    params: Float64Array[], grads: Float64Array[], objective?: Objective, allocate?: Allocate, recordedGradient?: (index: number) => Float64Array,
  ): OptimizerReport;
  /** The state the next step starts from (empty when the method keeps none). */
  carriedState(): CarriedState[];
  /** A deep copy of the internal state, so a checkpoint can restore it exactly. */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}
