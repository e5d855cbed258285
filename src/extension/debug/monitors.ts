// The exception-style filters besides NaN/Infinity (which the trainer itself detects): an exploding
// gradient, saturated sigmoid/tanh units, dead ReLU units. Each is checked right after the
// operation that can show it, and reports a unit or layer only when it newly enters that state,
// so Continue does not stop on every step while a unit stays dead.
import type { LayerRecord, Phase } from '../../engine/types';
import type { TrainingData } from '../../engine/model/load';
import type { Network } from '../../engine/network';
import { gatherRows } from '../../engine/evaluation';
import { DEFAULT_SATURATION, canSaturate, deadInBatch, deadOnRows, saturatedUnits } from '../../engine/unitHealth';

export const FILTERS = {
  nonFinite: 'nonFinite',
  explodingGradient: 'explodingGradient',
  saturated: 'saturated',
  deadRelu: 'deadRelu',
} as const;
export type FilterId = (typeof FILTERS)[keyof typeof FILTERS];

/** ‖∂J/∂W, ∂J/∂b‖₂ of one layer above which its gradient counts as exploding. */
export const DEFAULT_EXPLODING_NORM = 1000;
export { DEFAULT_SATURATION };

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
    if (this.settings.saturation !== undefined && canSaturate(layer.activation)) return this.saturated(layer);
    if (this.settings.deadRelu && layer.activation === 'relu') return this.dead(layer, (units) => deadOnTrainingSplit(layer.index, units, context));
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

  /**
   * Sigmoid/tanh units of a layer just run forward that newly saturated on the whole batch (needs
   * only the batch's z and a, so a live PyTorch session checks it too); undefined when the filter
   * is off or nothing newly saturated.
   */
  saturated(layer: Pick<LayerRecord, 'index' | 'activation' | 'z' | 'a' | 'rows' | 'units'>): Finding | undefined {
    const fraction = this.settings.saturation;
    if (fraction === undefined || !canSaturate(layer.activation)) return undefined;
    const saturated = new Set(saturatedUnits(layer, fraction));
    const units_: number[] = [];
    for (let u = 0; u < layer.units; u++) if (this.rise(`saturated:${layer.index}:${u}`, saturated.has(u))) units_.push(u);
    if (units_.length === 0) return undefined;
    return {
      filter: FILTERS.saturated,
      layer: layer.index,
      message:
        `saturated ${layer.activation} in layer ${layer.index + 1}: unit${units_.length > 1 ? 's' : ''} ${units_.join(', ')} ` +
        `have f′(z) below ${fraction} of its largest value for every sample of the batch, so almost no gradient flows back through them`,
    };
  }

  /**
   * ReLU units with z ≤ 0 for every sample of the batch, confirmed on the whole training split by
   * `deadOnSplit` (of the given units, those with z ≤ 0 on every training sample): the built-in
   * engine recomputes them, a live PyTorch script's recorder sends them (train_inputs).
   */
  dead(layer: Pick<LayerRecord, 'index' | 'activation' | 'z' | 'rows' | 'units'>, deadOnSplit: (units: number[]) => Set<number>): Finding | undefined {
    if (!this.settings.deadRelu || !layer.z) return undefined;
    const candidates = new Set(deadInBatch(layer));
    for (let u = 0; u < layer.units; u++) if (!candidates.has(u)) this.reported.delete(`dead:${layer.index}:${u}`);
    const fresh = [...candidates].filter((u) => !this.reported.has(`dead:${layer.index}:${u}`));
    if (fresh.length === 0) return undefined;
    const onSplit = deadOnSplit(fresh);
    const found = fresh.filter((u) => this.rise(`dead:${layer.index}:${u}`, onSplit.has(u)));
    if (found.length === 0) return undefined;
    return {
      filter: FILTERS.deadRelu,
      layer: layer.index,
      message:
        found.length > 1
          ? `dead ReLU in layer ${layer.index + 1}: units ${found.join(', ')} have z ≤ 0 for every sample of the training split, so their output and gradient are 0 (ReLU′(0) = 0)`
          : `dead ReLU in layer ${layer.index + 1}: unit ${found[0]} has z ≤ 0 for every sample of the training split, so its output and gradient are 0 (ReLU′(0) = 0)`,
    };
  }
}

/** Of `units` of layer `index`, those whose z ≤ 0 on every training sample with the current weights. */
function deadOnTrainingSplit(index: number, units: number[], context: { network: Network; data: TrainingData }): Set<number> {
  const { dataset, split } = context.data;
  const candidates: number[][] = [];
  candidates[index] = units;
  return new Set(deadOnRows(context.network.layers, candidates, gatherRows(dataset, split.train).x, split.train.length)[index]);
}
