// Bookkeeping shared by the first-order optimizers: one state tensor per parameter, created on
// the first step (as torch.optim creates its state lazily), deep-copied for checkpoints and
// for the readable per-step report.
import { defineLazy, deferred } from '../lazyField';

/** Copies of `buffers`; a checkpoint must not alias the arrays the optimizer keeps mutating. */
export function cloneAll(buffers: readonly Float64Array[]): Float64Array[] {
  return buffers.map((b) => b.slice());
}

/** Zero-filled arrays shaped like `params`. */
export function zerosLike(params: readonly Float64Array[]): Float64Array[] {
  return params.map((p) => new Float64Array(p.length));
}

/**
 * Checks that an optimizer's state matches the parameters it is asked to update, so a trainer
 * that restores a checkpoint into a different network fails with a message instead of NaNs.
 */
export function assertShapes(kind: string, state: readonly Float64Array[], params: readonly Float64Array[]): void {
  if (state.length !== params.length || state.some((s, i) => s.length !== params[i].length)) {
    throw new Error(
      `${kind}: optimizer state has shapes [${state.map((s) => s.length).join(', ')}] ` +
        `but the parameters have [${params.map((p) => p.length).join(', ')}]; ` +
        `the optimizer was created for a different network`,
    );
  }
}

/** The per-parameter report entry: named state tensors plus the step that was added. */
export type ParameterReport = Record<string, Float64Array>;

/** Builds `{ [name]: entry(i) }` for every parameter. */
export function reportPerParameter(
  names: readonly string[],
  entry: (index: number) => ParameterReport,
): Record<string, ParameterReport> {
  const state: Record<string, ParameterReport> = {};
  names.forEach((name, i) => (state[name] = entry(i)));
  return state;
}

/**
 * Sets `entry[key]` to a report tensor of `length` numbers that follows exactly from numbers the
 * report or the caller's record keeps (copies of the state, the gradient as recorded): computed
 * now when small, when first read when large (lazyField.ts), by the same `compute` either way.
 */
export function reportDerived(entry: ParameterReport, key: string, length: number, compute: () => Float64Array): void {
  if (deferred(length)) defineLazy(entry, key, compute);
  else entry[key] = compute();
}
