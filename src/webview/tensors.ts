// Reading tensors of the record on screen: the whole tensor (sent whole, or fetched on request),
// one sample's slice of a batch tensor, or the host's batch mean. Slices are views, not copies.
import type { State } from './store';

export function full(state: State, name: string): Float64Array | undefined {
  return state.record?.tensor(name)?.full ?? state.fullTensors.get(name);
}

/**
 * Sample `sample` of a batch tensor (or the batch mean for 'mean'), as a flat view of the
 * per-sample shape; undefined when that part was not sent (ask for the full tensor).
 */
export function sampleOf(state: State, name: string, sample: number | 'mean'): Float64Array | undefined {
  const view = state.record?.tensor(name);
  if (!view) return undefined;
  if (sample === 'mean') return view.mean;
  const size = view.shape.slice(1).reduce((p, n) => p * n, 1);
  const whole = full(state, name);
  if (whole) return whole.subarray(sample * size, (sample + 1) * size);
  const headRows = view.partShapes.head?.[0] ?? 0;
  return sample < headRows ? view.head!.subarray(sample * size, (sample + 1) * size) : undefined;
}

export function maxAbs(values: ArrayLike<number> | undefined): number {
  let m = 0;
  if (values) for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}
