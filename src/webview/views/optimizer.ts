// Optimizer state per parameter (velocity, m, v, ...) and the effective step, for the selected
// layer; the selected weight's or bias's own element is listed first.
import type { Context } from '../store';
import { el, section } from '../dom';
import { numberSpan, setNumber } from '../format';
import type { View } from './view';
import type { IndexRange } from '../../protocol/traceCodec';
import { tensorName, tracePath } from '../../engine/layerFields';
import { type ParameterPlace, parameterSymbol } from '../../engine/notation';

const MAX_ELEMENTS = 6;

/** The record on screen. */
type Shown = NonNullable<Context['state']['record']>;

export function createOptimizer(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('optimizer', t('Optimizer'));
  /**
   * The tables' elements, made once per model, layer, selection and set of state tensors; a step
   * only changes their numbers, in place (a rebuild per step would restyle and re-lay out the card).
   */
  let builtFor: unknown[] = [];
  /** Each number on screen and how to read it from a record (undefined: the record does not hold it). */
  let numbers: { span: HTMLSpanElement; quantity: string; read(record: Shown): number | undefined }[] = [];
  /** The state tensors the tables show (their numbers, or "…" until the host sends them), with the elements shown of each. */
  let shownTensors: { name: string; elements: IndexRange[] }[] = [];
  let drawnRecord: unknown;

  function build(): void {
    const record = state.record;
    const model = state.model!;
    numbers = [];
    shownTensors = [];
    const shown = (read: (r: Shown) => number | undefined, quantity: string) => {
      const span = numberSpan(undefined, quantity);
      numbers.push({ span, quantity, read });
      return span;
    };
    card.heading.textContent = `${t('Optimizer')} · ${model.optimizer.type}`;
    card.body.replaceChildren();
    const hyper = el('div', { className: 'hyper' }, ...Object.entries(model.optimizer.hyperparameters).map(([k, v]) =>
      el('span', { className: 'chip' }, `${k} = `, ...(Array.isArray(v)
        ? v.flatMap((item, i) => [i > 0 ? ', ' : '', numberSpan(item, `hyperparameters.${k}[${i}]`)])
        : [typeof v === 'number' ? numberSpan(v, `hyperparameters.${k}`) : String(v)]))));
    card.body.append(hyper);
    const names = record?.names.filter((n) => n.startsWith('optimizer/')) ?? [];
    if (!record?.optimizer || names.length === 0) {
      card.body.append(el('p', { className: 'placeholder', text: t('No optimizer state yet: it appears after the first update.') }));
      return;
    }
    const l = state.view.selectedLayer;
    const sel = state.view.selectedParameter;
    for (const kind of ['weights', 'bias'] as const) {
      const param = tensorName(l, kind);
      const stateNames = names.filter((n) => n.startsWith(`optimizer/${param}/`));
      if (stateNames.length === 0) continue;
      const size = record.tensor(stateNames[0])!.shape.reduce((p, n) => p * n, 1);
      const inputs = kind === 'weights' ? record.layers[l].inputs : 1;
      let selected: number | undefined;
      if (sel && sel.layer === l && (sel.kind === 'weight') === (kind === 'weights')) selected = sel.kind === 'weight' ? sel.out * inputs + sel.in : sel.out;
      const indices = Array.from({ length: Math.min(size, MAX_ELEMENTS) }, (_, i) => i).filter((i) => i !== selected);
      if (selected !== undefined) indices.unshift(selected);
      // The lecture's symbol (w¹ₙₘ, b¹ₘ), the code path on hover.
      const place = (i: number): ParameterPlace => (kind === 'weights' ? { kind: 'weight', layer: l, out: Math.floor(i / inputs), in: i % inputs } : { kind: 'bias', layer: l, out: i });
      const codePath = (i: number) => (kind === 'weights' ? tracePath(l, 'weights', Math.floor(i / inputs), i % inputs) : tracePath(l, 'bias', i));
      const head = el('tr', {}, el('th', { text: param }), ...indices.map((i) => el('th', { className: `num${i === selected ? ' selected' : ''}`, text: parameterSymbol(place(i)).text, title: codePath(i) })));
      const elements = indices.map((i): IndexRange => [i, i + 1]);
      shownTensors.push(...stateNames.map((name) => ({ name, elements })));
      const rows = stateNames.map((name) => {
        const key = name.slice(`optimizer/${param}/`.length);
        // The trace's path: optimizer.state["layers[l].weights"].key, flat like the state itself.
        const path = `optimizer.state[${JSON.stringify(param)}].${key.replace(/\//g, '.')}`;
        const cells = indices.map((i) => el('td', { className: i === selected ? 'selected' : '' }, record.tensor(name)!.partShapes.full
          ? shown((r) => r.tensor(name)?.read('full', [[i, i + 1]])?.[i], `${path}[${i}]`)
          : el('span', { className: 'muted', text: '…' })));
        return el('tr', { attrs: { 'data-state': name } }, el('td', { className: 'state-name', text: /step/i.test(key) ? `${key} (${t('effective step')})` : key }), ...cells);
      });
      card.body.append(el('div', { className: 'scroll' }, el('table', { className: 'opt' }, el('thead', {}, head), el('tbody', {}, ...rows))));
    }
    const scalars = Object.entries(record.optimizer.scalars ?? {}).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
    if (scalars.length) {
      card.body.append(el('div', { className: 'hyper' }, ...scalars.map(([k, v]) =>
        el('span', { className: 'chip' }, `${k} = `, typeof v === 'number' ? shown((r) => r.optimizer?.scalars?.[k] as number | undefined, `optimizer.state.${k}`) : String(v)))));
    }
  }

  /**
   * What the tables' elements depend on: the model, the layer, the selected parameter, and which
   * state tensors the record holds in full and which scalars (their kind: a text scalar is shown as it is).
   * It looks at partShapes, not the parts: reading a part tells the host the view shows it.
   */
  function structure(): unknown[] {
    const record = state.record;
    const names = record?.names.filter((n) => n.startsWith('optimizer/')) ?? [];
    const scalars = Object.entries(record?.optimizer?.scalars ?? {}).map(([k, v]) => (typeof v === 'string' ? `${k}=${v}` : `${k}:${typeof v}`));
    const tensors = names.map((n) => `${n}:${record!.tensor(n)?.partShapes.full ? 'full' : 'summary'}:${record!.tensor(n)?.shape.join('x')}`);
    return [state.model, state.view.selectedLayer, JSON.stringify(state.view.selectedParameter), !!record?.optimizer, tensors.join(), scalars.join()];
  }

  return {
    root: card.root,
    render() {
      const key = structure();
      const rebuilt = !key.every((k, i) => k === builtFor[i]);
      if (rebuilt) {
        builtFor = key;
        build();
      }
      const record = state.record;
      if (!rebuilt && record === drawnRecord) return;
      drawnRecord = record;
      if (!record) return;
      // Reading a tensor's elements tells the host the card shows them, so each record asks for them again.
      for (const { name, elements } of shownTensors) void record.tensor(name)?.read('full', elements);
      for (const { span, quantity, read } of numbers) setNumber(span, read(record), quantity);
    },
  };
}
