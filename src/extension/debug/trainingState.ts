// What the debugger shows at the current position of a training session: where it is (the
// operation just done, the step, the epoch), the tensors of each layer as far as the step has
// computed them, the loss, the optimizer state and the batch, and the expression-language scope
// over all of it. Reads the shared session only; never moves it.
import type { LayerRecord, Phase, StepRecord } from '../../engine/types';
import { LAYER_FIELDS as ENGINE_LAYER_FIELDS, type LayerFieldName } from '../../engine/layerFields';
import { phaseAt } from '../../engine/phases';
import { batchRows } from '../../engine/data/stream';
import { perSampleLoss } from '../../engine/losses';
import type { TrainingSession } from '../session';
import type { LayerFamily, Scope, Tensor, Value } from './expressions';

/**
 * Where the debugger stands: after an operation (the call stack's top frame), in the step that
 * operation belongs to; before the first operation, at the start of step 1. Layers are 0-based
 * here, 1-based on screen.
 */
export interface LastOperation {
  step: number;
  epoch: number;
  batchInEpoch: number;
  batchesPerEpoch: number;
  /** The operation just done; undefined before the first operation of the run. */
  last?: Phase;
}

/** One quantity of a layer as the debugger names it: its expression name, aliases, its label in the Variables view. */
export interface LayerField {
  name: string;
  aliases: string[];
  label: string;
  /** For weights, biases and what derives from them: their numbers' names in the lecture's notation. */
  spelling?: LectureSpelling;
  get(layer: LayerRecord): Float64Array | undefined;
  shape(layer: LayerRecord): number[];
}

/**
 * How the Variables view names the numbers of a parameter tensor in the lecture's notation
 * (src/engine/notation.ts): `prefix` + w¹ₙₘ or b¹ₘ + `suffix`, as ∂J/∂w¹₁₂ or Δb²₁.
 */
export interface LectureSpelling {
  kind: 'weight' | 'bias';
  prefix: string;
  suffix: string;
}

/** The debugger's short names (as the lecture writes them) and labels for the engine's layer fields. */
const DEBUGGER_NAMES: Record<LayerFieldName, { name: string; label: string; aliases?: string[]; spelling?: LectureSpelling }> = {
  input: { name: 'input', label: 'input' },
  z: { name: 'z', label: 'z' },
  a: { name: 'a', label: 'a = f(z)' },
  localGrad: { name: 'localGrad', label: 'f′(z)', aliases: ['fprime'] },
  upstream: { name: 'upstream', label: '∂J/∂a (upstream)' },
  delta: { name: 'delta', label: '∂J/∂z (delta)' },
  weights: { name: 'W', label: 'W', spelling: { kind: 'weight', prefix: '', suffix: '' } },
  bias: { name: 'b', label: 'b', spelling: { kind: 'bias', prefix: '', suffix: '' } },
  gradWeights: { name: 'dW', label: '∂J/∂W', spelling: { kind: 'weight', prefix: '∂J/∂', suffix: '' } },
  gradBias: { name: 'db', label: '∂J/∂b', spelling: { kind: 'bias', prefix: '∂J/∂', suffix: '' } },
  updateWeights: { name: 'updateW', label: 'ΔW (added by the update)', spelling: { kind: 'weight', prefix: 'Δ', suffix: '' } },
  updateBias: { name: 'updateB', label: 'Δb', spelling: { kind: 'bias', prefix: 'Δ', suffix: '' } },
  weightsAfter: { name: 'WAfter', label: 'W after the update', spelling: { kind: 'weight', prefix: '', suffix: ' after' } },
  biasAfter: { name: 'bAfter', label: 'b after the update', spelling: { kind: 'bias', prefix: '', suffix: ' after' } },
};

/** In the Variables view's order, the engine table's: forward values, local and upstream gradients, their product, then the parameters. */
export const LAYER_FIELDS: LayerField[] = ENGINE_LAYER_FIELDS.map((field) => {
  const { name, label, aliases = [], spelling } = DEBUGGER_NAMES[field.name];
  return {
    name, label, spelling,
    // The engine's field name is an alias wherever the debugger's short name differs from it.
    aliases: name === field.name ? aliases : [field.name, ...aliases],
    get: (layer) => layer[field.name],
    shape: (layer) => field.shape(layer),
  };
});

export function describeOperation(phase: Phase): string {
  switch (phase.kind) {
    case 'forward':
    case 'backward':
      return `${phase.kind} · layer ${phase.layer + 1}`;
    default:
      return phase.kind;
  }
}

export class TrainingState {
  constructor(readonly session: TrainingSession) {}

  private get trainer() {
    return this.session.engine;
  }

  get layerCount(): number {
    return this.session.model.layers.length;
  }

  lastOperation(): LastOperation {
    const shown = this.session.position;
    const done = this.session.operationsDone;
    const { batchesPerEpoch } = shown;
    if (done === 0) return { step: 1, epoch: 1, batchInEpoch: 1, batchesPerEpoch };
    // The step on screen is the one the last operation belongs to (in progress, or just completed).
    const last = phaseAt((done - 1) % this.session.operationsPerStep, this.layerCount);
    return { step: shown.step, epoch: shown.epoch, batchInEpoch: shown.batchInEpoch, batchesPerEpoch, last };
  }

  /** The record of the step shown: in progress, or just completed; undefined at the start. */
  get record(): StepRecord | undefined {
    return this.session.record;
  }

  /** A layer's record as far as it goes; at the start, only the current weights and bias. */
  layer(index: number): LayerRecord {
    const recorded = this.record?.layers[index];
    if (recorded) return recorded;
    const layer = this.trainer.network.layers[index];
    return {
      index, units: layer.units, inputs: layer.inputs, activation: layer.activation,
      rows: this.batch().rows, weights: layer.weights, bias: layer.bias,
    };
  }

  /** The layer the current operation works on (the output layer for the loss); undefined at the start and for the update. */
  focusLayer(): number | undefined {
    const last = this.lastOperation().last;
    if (!last || last.kind === 'update') return undefined;
    return last.kind === 'loss' ? this.layerCount - 1 : last.layer;
  }

  /** A layer field as a tensor, or an error saying it is not computed yet at this position. */
  tensor(field: LayerField, index: number): Tensor {
    const layer = this.layer(index);
    const data = field.get(layer);
    if (!data) throw new Error(`${field.name} of layer ${index + 1} is not computed yet at ${this.describePosition()}`);
    return { kind: 'tensor', shape: field.shape(layer), data };
  }

  describePosition(): string {
    const w = this.lastOperation();
    return w.last ? `${describeOperation(w.last)} of step ${w.step}` : `the start of step ${w.step}`;
  }

  /** The samples of the step shown: positions in the training split (online: stream sample numbers), inputs x and targets t. */
  batch(): { indices: number[]; x: Tensor; t: Tensor; rows: number } {
    const record = this.record;
    const data = this.trainer.data;
    const { batch, x, y } = record
      ? { batch: record.batch, ...batchRows(data, record.batch) }
      : this.trainer.nextBatch();
    const rows = batch.length;
    return {
      indices: batch,
      rows,
      x: { kind: 'tensor', shape: [rows, data.dataset.inputs], data: x },
      t: { kind: 'tensor', shape: [rows, data.dataset.outputs], data: y },
    };
  }

  /** ℓᵢ of each sample of the batch (J_data is their mean), once the output layer's forward is done. */
  perSampleLoss(): Float64Array | undefined {
    const output = this.record?.layers[this.layerCount - 1];
    if (!output?.z || !output.a || this.record?.loss === undefined) return undefined;
    const { t, rows } = this.batch();
    return perSampleLoss(this.session.model.loss, output.activation, output.z, output.a, t.data, rows, output.units);
  }

  /** A scalar of the step record, or an error saying when it will be known. */
  private recordNumber(name: 'loss' | 'dataLoss' | 'regLoss' | 'lossAfter'): number {
    const value = this.record?.[name];
    if (value === undefined) {
      const when = name === 'lossAfter' ? 'after the update' : 'after the loss operation';
      throw new Error(`${name} of step ${this.lastOperation().step} is not computed yet (it is known ${when}; now at ${this.describePosition()})`);
    }
    return value;
  }

  /** ‖∂J/∂θ‖₂ over every layer's W and b, or over one layer's (1-based). */
  gradNorm(layer?: number): number {
    const count = this.layerCount;
    if (layer !== undefined && (layer < 1 || layer > count)) throw new Error(`layer ${layer} does not exist: gradNorm(n) takes 1 to ${count}`);
    const layers = layer === undefined ? [...Array(count).keys()] : [layer - 1];
    let sumSquares = 0;
    for (const l of layers) {
      for (const field of [LAYER_FIELDS.find((f) => f.name === 'dW')!, LAYER_FIELDS.find((f) => f.name === 'db')!]) {
        for (const g of this.tensor(field, l).data) sumSquares += g * g;
      }
    }
    return Math.sqrt(sumSquares);
  }

  /** The expression language's view of this position; `extra` adds names such as `hits`. */
  scope(extra: Record<string, number> = {}): Scope {
    const count = this.layerCount;
    const focus = this.focusLayer();
    const families = new Map<string, LayerFamily>();
    for (const field of LAYER_FIELDS) {
      const family: LayerFamily = {
        kind: 'layers',
        name: field.name,
        count,
        layer: (n) => this.tensor(field, n - 1),
        current: focus === undefined ? undefined : () => this.tensor(field, focus),
      };
      for (const name of [field.name, ...field.aliases]) families.set(name, family);
    }
    const w = () => this.lastOperation();
    const scalars: Record<string, () => Value> = {
      loss: () => this.recordNumber('loss'),
      dataLoss: () => this.recordNumber('dataLoss'),
      regLoss: () => this.recordNumber('regLoss'),
      lossAfter: () => this.recordNumber('lossAfter'),
      step: () => w().step,
      epoch: () => w().epoch,
      batch: () => w().batchInEpoch,
      layer: () => {
        if (focus === undefined) throw new Error(`there is no current layer at ${this.describePosition()}`);
        return focus + 1;
      },
      x: () => this.batch().x,
      t: () => this.batch().t,
      perSampleLoss: () => {
        const values = this.perSampleLoss();
        if (!values) throw new Error(`the per-sample losses of step ${w().step} are not computed yet (now at ${this.describePosition()})`);
        return { kind: 'tensor', shape: [values.length], data: values };
      },
    };
    for (const [name, value] of Object.entries(extra)) scalars[name] = () => value;
    return {
      lookup: (name) => families.get(name) ?? (Object.hasOwn(scalars, name) ? scalars[name]() : undefined),
      names: () => [...Object.keys(scalars), ...families.keys()],
      gradNorm: (layer) => this.gradNorm(layer),
    };
  }
}
