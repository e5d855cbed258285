// Units that have stopped learning (lesson 6): a saturated sigmoid or tanh unit, whose f′(z) is a
// small fraction of its largest value for every sample of the batch, so almost no gradient flows
// back through it; and a dead ReLU unit, whose z ≤ 0 for every sample of the training split, so
// ReLU′ = 0 there and its weights never change. The debugger's filters and the inspector's marks
// both ask this module, so they always agree.
import type { ActivationName, LayerRecord, StepRecord } from './types';
import { ELEMENTWISE_ACTIVATIONS } from './activations';
import { type DenseLayer, forwardLayer } from './network';

/** A unit is saturated when f′(z) is below this fraction of f′'s largest value for every sample of the batch. */
export const DEFAULT_SATURATION = 0.1;

/** The largest value of f′ for the activations that saturate: both at z = 0 (σ′(0) = 1/4, tanh′(0) = 1). */
const PEAK_SLOPE: Partial<Record<ActivationName, number>> = { sigmoid: 0.25, tanh: 1 };

/** Which units of one layer are dead or saturated (0-based unit indices, ascending). */
export interface LayerUnitHealth {
  dead: number[];
  saturated: number[];
}

export function canSaturate(activation: ActivationName): boolean {
  return PEAK_SLOPE[activation] !== undefined;
}

/** Units of `layer` whose f′(z) < fraction · max f′ for every row of the batch; none before z and a are computed. */
export function saturatedUnits(layer: Pick<LayerRecord, 'activation' | 'z' | 'a' | 'rows' | 'units'>, fraction = DEFAULT_SATURATION): number[] {
  const peak = PEAK_SLOPE[layer.activation];
  const { z, a, rows, units } = layer;
  if (peak === undefined || !z || !a) return [];
  const slope = ELEMENTWISE_ACTIVATIONS[layer.activation as 'sigmoid' | 'tanh'].derivative;
  const found: number[] = [];
  for (let u = 0; u < units; u++) {
    let saturated = true;
    for (let r = 0; r < rows && saturated; r++) saturated = slope(z[r * units + u], a[r * units + u], 0) < fraction * peak;
    if (saturated) found.push(u);
  }
  return found;
}

/**
 * ReLU units of `layer` with z ≤ 0 for every row of the batch: the candidates for dead units
 * (a unit alive on the batch is alive on the split the batch came from).
 */
export function deadInBatch(layer: Pick<LayerRecord, 'activation' | 'z' | 'rows' | 'units'>): number[] {
  const { z, rows, units } = layer;
  if (layer.activation !== 'relu' || !z) return [];
  const found: number[] = [];
  for (let u = 0; u < units; u++) {
    let dead = true;
    for (let r = 0; r < rows && dead; r++) dead = z[r * units + u] <= 0;
    if (dead) found.push(u);
  }
  return found;
}

/**
 * Of `candidates[l]` (units of layer l), those with z ≤ 0 on every one of the `rows` rows of `x`,
 * forwarding `x` through `layers` once, only as deep as the last layer with candidates.
 */
export function deadOnRows(layers: readonly DenseLayer[], candidates: readonly (readonly number[] | undefined)[], x: Float64Array, rows: number): number[][] {
  const dead: number[][] = layers.map(() => []);
  let deepest = -1;
  candidates.forEach((units, l) => {
    if (units && units.length > 0) deepest = l;
  });
  let input = x;
  for (let l = 0; l <= deepest; l++) {
    const { z, a } = forwardLayer(layers[l], input, rows);
    const width = layers[l].units;
    dead[l] = (candidates[l] ?? []).filter((u) => {
      for (let r = 0; r < rows; r++) if (z[r * width + u] > 0) return false;
      return true;
    });
    input = a;
  }
  return dead;
}

/**
 * Dead and saturated units of every layer of `record`, as far as the record has computed z and a
 * (a layer not yet run forward has none). Dead units are confirmed on the training split's rows
 * (`training`, asked for only when some ReLU unit is dead on the batch) with the weights the
 * record's z came from (before its update).
 */
export function unitHealth(
  record: StepRecord,
  network: { layers: readonly DenseLayer[] },
  training: () => { x: Float64Array; rows: number },
  fraction = DEFAULT_SATURATION,
): LayerUnitHealth[] {
  const candidates = record.layers.map(deadInBatch);
  const layers = network.layers.map((layer, l) => ({ ...layer, weights: record.layers[l].weights, bias: record.layers[l].bias }));
  let dead = candidates;
  if (candidates.some((units) => units.length > 0)) {
    const { x, rows } = training();
    dead = deadOnRows(layers, candidates, x, rows);
  }
  return record.layers.map((layer, l) => ({ dead: dead[l], saturated: saturatedUnits(layer, fraction) }));
}
