// The exception-style filters besides NaN/Infinity (which the trainer itself detects): an exploding
// gradient, saturated sigmoid/tanh units, dead ReLU units. Each is checked right after the
// operation that can show it, and reports a unit or layer only when it newly enters that state,
// so Continue does not stop on every step while a unit stays dead.
import type { LayerRecord, Phase } from '../../engine/types';
import type { TrainingData } from '../../engine/model/load';
import type { Network } from '../../engine/network';
import { forwardLayer } from '../../engine/network';
import { gatherRows } from '../../engine/evaluation';

export const FILTERS = {
  nonFinite: 'nonFinite',
  explodingGradient: 'explodingGradient',
  saturated: 'saturated',
  deadRelu: 'deadRelu',
} as const;
export type FilterId = (typeof FILTERS)[keyof typeof FILTERS];

/** ‖∂J/∂W, ∂J/∂b‖₂ of one layer above which its gradient counts as exploding. */
export const DEFAULT_EXPLODING_NORM = 1000;
/** A unit is saturated when f′(z) is below this fraction of f′'s largest value for every sample of the batch. */
export const DEFAULT_SATURATION = 0.1;

export interface MonitorSettings {
  explodingNorm?: number;
  saturation?: number;
  deadRelu?: boolean;
}

export interface Finding {
  filter: FilterId;
  message: string;
  layer: number; // 0-based
}

/** f′(z) from a = f(z), divided by f′'s largest value (1/4 at 0 for sigmoid, 1 at 0 for tanh). */
const RELATIVE_SLOPE: Record<string, (a: number) => number> = {
  sigmoid: (a) => 4 * a * (1 - a),
  tanh: (a) => 1 - a * a,
};

export class Monitors {
  settings: MonitorSettings = {};
  /** Findings already reported and still true, keyed by filter, layer and unit. */
  private readonly reported = new Set<string>();

  forget(): void {
    this.reported.clear();
  }

  /** What `phase` (just done) newly shows, if anything. */
  check(phase: Phase, layer: LayerRecord | undefined, context: { network: Network; data: TrainingData }): Finding | undefined {
    if (!layer) return undefined;
    if (phase.kind === 'backward' && this.settings.explodingNorm !== undefined) return this.exploding(layer, this.settings.explodingNorm);
    if (phase.kind !== 'forward') return undefined;
    if (this.settings.saturation !== undefined && layer.activation in RELATIVE_SLOPE) return this.saturated(layer, this.settings.saturation);
    if (this.settings.deadRelu && layer.activation === 'relu') return this.dead(layer, context);
    return undefined;
  }

  /** Marks `key` as true now; returns true the first time since it was last false. */
  private rise(key: string, now: boolean): boolean {
    if (!now) {
      this.reported.delete(key);
      return false;
    }
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }

  private exploding(layer: LayerRecord, threshold: number): Finding | undefined {
    if (!layer.gradWeights || !layer.gradBias) return undefined;
    let sumSquares = 0;
    for (const g of layer.gradWeights) sumSquares += g * g;
    for (const g of layer.gradBias) sumSquares += g * g;
    const norm = Math.sqrt(sumSquares);
    if (!this.rise(`explode:${layer.index}`, norm > threshold)) return undefined;
    return {
      filter: FILTERS.explodingGradient,
      layer: layer.index,
      message: `exploding gradient in layer ${layer.index + 1}: ‖∂J/∂W, ∂J/∂b‖₂ = ${norm.toPrecision(6)} is above ${threshold}`,
    };
  }

  private saturated(layer: LayerRecord, fraction: number): Finding | undefined {
    const { a, rows, units } = layer;
    if (!a) return undefined;
    const slope = RELATIVE_SLOPE[layer.activation];
    const units_: number[] = [];
    for (let u = 0; u < units; u++) {
      let saturated = true;
      for (let r = 0; r < rows && saturated; r++) saturated = slope(a[r * units + u]) < fraction;
      if (this.rise(`saturated:${layer.index}:${u}`, saturated)) units_.push(u);
    }
    if (units_.length === 0) return undefined;
    return {
      filter: FILTERS.saturated,
      layer: layer.index,
      message:
        `saturated ${layer.activation} in layer ${layer.index + 1}: unit${units_.length > 1 ? 's' : ''} ${units_.join(', ')} ` +
        `have f′(z) below ${fraction} of its largest value for every sample of the batch, so almost no gradient flows back through them`,
    };
  }

  /** ReLU units with z ≤ 0 for every sample of the batch, confirmed on the whole training split. */
  private dead(layer: LayerRecord, context: { network: Network; data: TrainingData }): Finding | undefined {
    const { z, rows, units } = layer;
    if (!z) return undefined;
    const candidates: number[] = [];
    for (let u = 0; u < units; u++) {
      let dead = true;
      for (let r = 0; r < rows && dead; r++) dead = z[r * units + u] <= 0;
      if (dead) candidates.push(u);
      else this.reported.delete(`dead:${layer.index}:${u}`);
    }
    const fresh = candidates.filter((u) => !this.reported.has(`dead:${layer.index}:${u}`));
    if (fresh.length === 0) return undefined;
    const deadOnSplit = deadOnTrainingSplit(layer.index, fresh, context);
    const found = fresh.filter((u) => this.rise(`dead:${layer.index}:${u}`, deadOnSplit.has(u)));
    if (found.length === 0) return undefined;
    return {
      filter: FILTERS.deadRelu,
      layer: layer.index,
      message:
        `dead ReLU in layer ${layer.index + 1}: unit${found.length > 1 ? 's' : ''} ${found.join(', ')} ` +
        `have z ≤ 0 for every sample of the training split, so their output and gradient are 0 (ReLU′(0) = 0)`,
    };
  }
}

/** Of `units` of layer `index`, those whose z ≤ 0 on every training sample with the current weights. */
function deadOnTrainingSplit(index: number, units: number[], context: { network: Network; data: TrainingData }): Set<number> {
  const { dataset, split } = context.data;
  const rows = split.train.length;
  let input: Float64Array = gatherRows(dataset, split.train).x;
  let z: Float64Array = new Float64Array(0);
  for (let l = 0; l <= index; l++) {
    const pass = forwardLayer(context.network.layers[l], input, rows);
    input = pass.a;
    z = pass.z;
  }
  const width = context.network.layers[index].units;
  return new Set(units.filter((u) => {
    for (let r = 0; r < rows; r++) if (z[r * width + u] > 0) return false;
    return true;
  }));
}
