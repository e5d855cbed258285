// What the full-training-set methods share: the Objective they need, the per-parameter step
// report, and the parameter-count limits that keep their P×P (or P×history) work bounded.
import type { OptimizerName } from '../types';
import type { Objective, OptimizerReport } from './optimizer';
import { OptimizerConfigError } from './hyperparameters';
import { reportPerParameter } from './perParameter';

/**
 * Parameter-count limits, chosen so that one step stays interactive (about a second). Newton
 * builds the exact Hessian (P R-passes, O(N·P²)) and factorizes it (O(P³)): at 2,000 parameters
 * and 100 samples that measured about 4 s of CPU per step, so its limit is 1,000 (8× less
 * factorization, 4× less Hessian). Levenberg–Marquardt solves the smaller of its R×R and P×P
 * systems and stays well under a second at 2,000 (bench/results.md). L-BFGS and conjugate
 * gradient keep only O(P·history) vectors.
 */
export const PARAMETER_LIMITS: Readonly<Record<'newton' | 'levenberg-marquardt' | 'lbfgs' | 'conjugate-gradient', number>> = {
  newton: 1000,
  'levenberg-marquardt': 2000,
  lbfgs: 200_000,
  'conjugate-gradient': 200_000,
};

export function checkParameterLimit(type: keyof typeof PARAMETER_LIMITS, parameterCount: number): void {
  const limit = PARAMETER_LIMITS[type];
  if (parameterCount > limit) {
    throw new OptimizerConfigError(
      'optimizer.type',
      `"${type}" works on networks of at most ${limit.toLocaleString('en-US')} parameters; this network has ` +
        `${parameterCount.toLocaleString('en-US')}. Use fewer or smaller layers, or a first-order optimizer such as "adam"`,
    );
  }
}

export function requireObjective(type: OptimizerName, objective: Objective | undefined): Objective {
  if (!objective) throw new Error(`${type}: needs the full-training-set objective (the trainer passes it for fullBatch optimizers)`);
  return objective;
}

/** Per parameter name, the step that was added: after − before. */
export function stepsReport(names: readonly string[], before: readonly Float64Array[], after: readonly Float64Array[]) {
  return reportPerParameter(names, (i) => ({ step: after[i].map((v, j) => v - before[i][j]) }));
}

/**
 * One step = `maxIter` inner iterations (the model file's maxIter, default 1). The report has the
 * last iteration's figures, `loss` from before the first, the per-iteration figures under `inner`
 * when there are several, and per parameter the total step.
 */
export function innerIterations(
  names: readonly string[], params: Float64Array[], maxIter: number, iterate: () => Record<string, unknown>,
): OptimizerReport {
  const before = params.map((p) => p.slice());
  const inner: Record<string, unknown>[] = [];
  for (let i = 0; i < maxIter; i++) inner.push(iterate());
  const last = inner[inner.length - 1];
  return {
    state: { ...last, loss: inner[0].loss, ...(maxIter > 1 ? { inner } : {}), ...stepsReport(names, before, params) },
  };
}
