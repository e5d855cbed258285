// Central finite differences of J with respect to the parameters: the independent estimate the
// chain-rule view shows beside the analytic gradient.
import type { LossSpec } from './losses';
import { type Network, batchLoss, lossAndGradients, parameterNames, parameters } from './network';

/**
 * Step for parameter value θ: ε^(1/3)·max(1, |θ|) ≈ 6e-6·max(1, |θ|). A central difference errs by
 * about h²·J‴/6 (truncation) plus ε·|J|/h (rounding); h ∝ ε^(1/3) balances the two, which keeps
 * small gradients (1e-4 against J ≈ 1) within a relative error of 1e-7, where h = 1e-6 gives 1e-6.
 */
export function finiteDifferenceStep(theta: number): number {
  return Math.cbrt(Number.EPSILON) * Math.max(1, Math.abs(theta));
}

/**
 * |a − n| / max(|a|, |n|, tiny). `tiny` keeps two gradients that are both rounding noise around 0
 * from reporting a large relative error; two exact zeros give 0.
 */
export function relativeError(analytic: number, numeric: number, tiny = 1e-12): number {
  const diff = Math.abs(analytic - numeric);
  if (diff === 0) return 0;
  return diff / Math.max(Math.abs(analytic), Math.abs(numeric), tiny);
}

export interface GradientCheckEntry {
  parameter: string; // "layers[0].weights"
  index: number; // flat index into that array (row-major [out][in] for weights)
  value: number; // θ
  step: number; // h
  analytic: number; // ∂J/∂θ from backpropagation
  numeric: number; // (J(θ + h) − J(θ − h)) / 2h
  relativeError: number;
  /**
   * ε·|J|/h: the smallest gradient the difference quotient can resolve. When both gradients are
   * below a few times this (say, an analytic 0 against a numeric 1e-11) the relative error is
   * meaningless and the UI should say "zero within rounding" instead.
   */
  resolution: number;
}

export interface Batch {
  x: Float64Array; // rows × inputs
  y: Float64Array; // rows × outputs
  rows: number;
}

/** (J(θ + h) − J(θ − h)) / 2h for parameter array `p`, element `index`; θ is restored afterwards. */
export function numericGradient(
  net: Network, lossSpec: LossSpec, batch: Batch, p: number, index: number,
): { numeric: number; step: number; resolution: number } {
  const target = parameters(net)[p];
  if (!target || index < 0 || index >= target.length) {
    throw new Error(`gradient check: parameter ${p} has no element ${index}`);
  }
  const theta = target[index];
  const step = finiteDifferenceStep(theta);
  try {
    target[index] = theta + step;
    const plus = batchLoss(net, lossSpec, batch.x, batch.y, batch.rows);
    target[index] = theta - step;
    const minus = batchLoss(net, lossSpec, batch.x, batch.y, batch.rows);
    // The actual distance between the two points, which rounding of θ ± h may make differ from 2h.
    const width = theta + step - (theta - step);
    return { numeric: (plus - minus) / width, step, resolution: (Number.EPSILON * Math.max(Math.abs(plus), Math.abs(minus))) / width };
  } finally {
    target[index] = theta;
  }
}

/** Checks one parameter element; pass `analytic` when it is already known (e.g. from a trace). */
export function checkParameter(
  net: Network, lossSpec: LossSpec, batch: Batch, p: number, index: number, analytic?: number,
): GradientCheckEntry {
  const a = analytic ?? lossAndGradients(net, lossSpec, batch.x, batch.y, batch.rows).grads[p][index];
  const { numeric, step, resolution } = numericGradient(net, lossSpec, batch, p, index);
  return {
    parameter: parameterNames(net)[p], index, value: parameters(net)[p][index], step,
    analytic: a, numeric, relativeError: relativeError(a, numeric), resolution,
  };
}

/** Checks every parameter; 2P loss evaluations, so meant for small networks. */
export function checkAllParameters(
  net: Network, lossSpec: LossSpec, batch: Batch,
): { entries: GradientCheckEntry[]; maxRelativeError: number } {
  const { grads } = lossAndGradients(net, lossSpec, batch.x, batch.y, batch.rows);
  const entries: GradientCheckEntry[] = [];
  let maxRelativeError = 0;
  grads.forEach((g, p) => {
    for (let i = 0; i < g.length; i++) {
      const entry = checkParameter(net, lossSpec, batch, p, i, g[i]);
      entries.push(entry);
      maxRelativeError = Math.max(maxRelativeError, entry.relativeError);
    }
  });
  return { entries, maxRelativeError };
}
