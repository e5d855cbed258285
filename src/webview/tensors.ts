// Reading tensors of the record on screen: the whole tensor (sent whole, or fetched on request),
// one sample's slice of a batch tensor, or the host's batch mean. Slices are views, not copies.
import type { State } from './store';
import { type LayerFieldName, layerField, tracePath } from '../engine/layerFields';

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

/**
 * The data-quantity of one number of a layer field on screen (README, "Reading the screen"): the
 * StepTrace path, with the sample first for a per-sample field (`layers[0].z[1][2]`), or for the
 * batch mean `mean(layers[0].z)[2]`, the mean over the batch's samples. `indices` index one
 * sample's slice (or the parameter).
 */
export function quantityName(layer: number, field: LayerFieldName, sample: number | 'mean', ...indices: number[]): string {
  if (layerField(field)!.kind === 'parameter') return tracePath(layer, field, ...indices);
  if (sample !== 'mean') return tracePath(layer, field, sample, ...indices);
  return `mean(${tracePath(layer, field)})${indices.map((i) => `[${i}]`).join('')}`;
}
