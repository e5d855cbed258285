// What the Variables view shows and how training values look there, in the debug console and in
// hovers: the tree of containers (layers, loss, optimizer, batch, epoch, tensors by row) as plain
// entries, numbers with six significant digits (full precision through evaluateName, the console
// and hovers), tensors as a shape and a preview that expand lazily by row. The debug session only
// turns these entries into DAP variables.
import { parameterSymbol, weightRowSymbol } from '../../engine/notation';
import type { Tensor, Value } from './expressions';
import { LAYER_FIELDS, type LectureSpelling, type TrainingState } from './trainingState';

/** Six significant digits, without trailing zeros; integers and non-finite values as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** Every digit JavaScript needs to give back the same float64 (the shortest round trip). */
export function fullPrecision(value: number): string {
  return String(value);
}

const PREVIEW_CHARS = 80;

/** `2×3 [[0, 0.1], …]`: the shape, then as many leading values as fit. */
export function describeTensor(tensor: Tensor): string {
  const shape = tensor.shape.join('×');
  let preview = '';
  const render = (offset: number, dims: number[]): string => {
    if (dims.length === 0) return formatNumber(tensor.data[offset]);
    const [n, ...rest] = dims;
    const size = rest.reduce((p, s) => p * s, 1);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      parts.push(render(offset + i * size, rest));
      if (parts.join(', ').length > PREVIEW_CHARS) {
        parts.push('…');
        break;
      }
    }
    return `[${parts.join(', ')}]`;
  };
  preview = render(0, tensor.shape);
  if (preview.length > PREVIEW_CHARS) preview = `${preview.slice(0, PREVIEW_CHARS)}…`;
  return `${shape} ${preview}`;
}

/** The row (or element) `i` of a tensor. */
export function tensorRow(tensor: Tensor, i: number): Tensor | number {
  const inner = tensor.shape.slice(1);
  if (inner.length === 0) return tensor.data[i];
  const size = inner.reduce((p, s) => p * s, 1);
  return { kind: 'tensor', shape: inner, data: tensor.data.subarray(i * size, (i + 1) * size) };
}

/** What an expression's value reads as in the debug console (numbers in full precision). */
export function describeResult(value: Value): string {
  if (typeof value === 'number') return fullPrecision(value);
  if (typeof value === 'boolean') return String(value);
  if (value.kind === 'tensor') return describeTensor(value);
  return `${value.name} of layers 1 to ${value.count}: say which, e.g. ${value.name}[1]`;
}

/** What a variables reference stands for; the debug session renews references at every stop. */
export type Container =
  | { kind: 'layer'; layer: number }
  | { kind: 'layers' }
  | { kind: 'loss' }
  | { kind: 'optimizer' }
  | { kind: 'object'; value: Record<string, unknown>; evaluateName?: string }
  | { kind: 'batch' }
  | { kind: 'epoch' }
  | { kind: 'tensor'; tensor: Tensor; evaluateName?: string; names?: Namer };

/**
 * Names the entries of a tensor in the Variables view: entry i's name and the namer of its own
 * entries. Without one, entries are named by their index, [i].
 */
export type Namer = (i: number) => { name: string; inner?: Namer };

/**
 * A parameter tensor's rows and numbers in the lecture's notation (layer `layer`, 0-based): W's
 * row m is w¹ₙₘ and its numbers w¹ₙₘ with n the input, both counted from 1; b's numbers b¹ₘ.
 */
export function lectureNamer(spelling: LectureSpelling, layer: number): Namer {
  const spell = (symbol: string) => `${spelling.prefix}${symbol}${spelling.suffix}`;
  if (spelling.kind === 'bias') return (out) => ({ name: spell(parameterSymbol({ layer, kind: 'bias', out }).text) });
  return (out) => ({
    name: spell(weightRowSymbol(layer, out)),
    inner: (input) => ({ name: spell(parameterSymbol({ layer, kind: 'weight', out, in: input }).text) }),
  });
}

/** One line of the Variables view: a value (a number, or a tensor that expands by row), or text that may expand into a container. */
export type Entry =
  | { name: string; value: number | Tensor; evaluateName?: string; names?: Namer }
  | { name: string; text: string; expands?: Container; readOnly?: boolean };

const NOT_COMPUTED = 'not computed yet';

/** The entries of `container` at the session's current position; `rows` limits a tensor's rows (the view pages them). */
export function childrenOf(state: TrainingState, container: Container, rows: { start?: number; count?: number } = {}): Entry[] {
  switch (container.kind) {
    case 'layers':
      return [...Array(state.layerCount).keys()].map((l) => {
        const layer = state.layer(l);
        return { name: `layer ${l + 1}`, text: `${layer.units} ${layer.activation} units (layers[${l}])`, expands: { kind: 'layer', layer: l } };
      });
    case 'layer': {
      const layer = state.layer(container.layer);
      return LAYER_FIELDS.map((field): Entry => {
        const data = field.get(layer);
        if (!data) return { name: field.label, text: NOT_COMPUTED, readOnly: true };
        return {
          name: field.label,
          value: { kind: 'tensor', shape: field.shape(layer), data },
          // The code path stays the evaluateName, so Watch and Copy as Expression still work.
          evaluateName: `${field.name}[${container.layer + 1}]`,
          names: field.spelling && lectureNamer(field.spelling, container.layer),
        };
      });
    }
    case 'loss': {
      const record = state.record;
      const number = (name: string, label: string, value: number | undefined): Entry =>
        value === undefined ? { name: label, text: NOT_COMPUTED } : { name: label, value, evaluateName: name };
      const perSample = state.perSampleLoss();
      return [
        number('loss', 'total J', record?.loss),
        number('dataLoss', 'data part', record?.dataLoss),
        number('regLoss', 'regularization part', record?.regLoss),
        number('lossAfter', 'J after the update', record?.lossAfter),
        perSample
          ? { name: 'per sample ℓᵢ', value: { kind: 'tensor', shape: [perSample.length], data: perSample }, evaluateName: 'perSampleLoss' }
          : { name: 'per sample ℓᵢ', text: NOT_COMPUTED },
      ];
    }
    case 'optimizer': {
      const session = state.session;
      const optimizer = state.record?.optimizer ?? (session.completedSteps > 0 ? session.recordAt(session.completedSteps)?.optimizer : undefined);
      if (!optimizer) return [{ name: 'type', text: session.model.optimizer.type }, { name: 'state', text: 'no update yet' }];
      return [{ name: 'type', text: optimizer.type }, ...objectChildren(optimizer.state)];
    }
    case 'object':
      return objectChildren(container.value);
    case 'batch': {
      const batch = state.batch();
      return [{ name: 'indices', text: `[${batch.indices.join(', ')}]` }, { name: 'x', value: batch.x, evaluateName: 'x' }, { name: 't', value: batch.t, evaluateName: 't' }];
    }
    case 'epoch': {
      const w = state.lastOperation();
      const out: Entry[] = [{ name: 'epoch', text: String(w.epoch) }, { name: 'batch', text: `${w.batchInEpoch} of ${w.batchesPerEpoch}` }];
      for (const e of state.session.epochs.filter((figures) => figures.epoch === w.epoch - 1)) {
        out.push({ name: `train loss after epoch ${e.epoch}`, value: e.trainLoss });
        if (e.validationLoss !== undefined) out.push({ name: `validation loss after epoch ${e.epoch}`, value: e.validationLoss });
      }
      return out;
    }
    case 'tensor': {
      const { tensor, evaluateName, names } = container;
      const start = rows.start ?? 0;
      const end = Math.min(tensor.shape[0], rows.count ? start + rows.count : tensor.shape[0]);
      const out: Entry[] = [];
      for (let i = start; i < end; i++) {
        const named = names?.(i);
        out.push({ name: named?.name ?? `[${i}]`, value: tensorRow(tensor, i), evaluateName: evaluateName && `${evaluateName}[${i}]`, names: named?.inner });
      }
      return out;
    }
  }
}

/** Optimizer state: per-parameter objects and their typed arrays. */
function objectChildren(value: Record<string, unknown>): Entry[] {
  return Object.entries(value).map(([name, item]): Entry => {
    if (typeof item === 'number') return { name, value: item };
    if (ArrayBuffer.isView(item) || (Array.isArray(item) && item.every((x) => typeof x === 'number'))) {
      const data = Float64Array.from(item as ArrayLike<number>);
      return { name, value: { kind: 'tensor', shape: [data.length], data } };
    }
    if (item !== null && typeof item === 'object') return { name, text: '{…}', expands: { kind: 'object', value: item as Record<string, unknown> } };
    return { name, text: String(item) };
  });
}
