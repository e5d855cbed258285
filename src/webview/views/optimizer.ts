// Optimizer state per parameter (velocity, m, v, ...) and the effective step, for the selected
// layer; the selected weight's or bias's own element is listed first.
import type { Context } from '../store';
import { el, section } from '../dom';
import { numberSpan } from '../format';
import type { View } from './view';
import { tensorName } from '../../engine/layerFields';

const MAX_ELEMENTS = 6;

export function createOptimizer(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('optimizer', t('Optimizer'));
  // The tables change only with the record or the selection; other renders leave them alone.
  let drawn: unknown[] = [];
  return {
    root: card.root,
    render() {
      const record = state.record;
      const model = state.model!;
      const key = [record, model, state.view.selectedLayer, JSON.stringify(state.view.selectedParameter)];
      if (key.every((k, i) => k === drawn[i])) return;
      drawn = key;
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
        const label = (i: number) => (kind === 'weights' ? `W[${Math.floor(i / inputs)}][${i % inputs}]` : `b[${i}]`);
        const head = el('tr', {}, el('th', { text: param }), ...indices.map((i) => el('th', { className: `num${i === selected ? ' selected' : ''}`, text: label(i) })));
        const rows = stateNames.map((name) => {
          const key = name.slice(`optimizer/${param}/`.length);
          const v = record.tensor(name)!;
          // The trace's path: optimizer.state["layers[l].weights"].key, flat like the state itself.
          const path = `optimizer.state[${JSON.stringify(param)}].${key.replace(/\//g, '.')}`;
          const cells = indices.map((i) => el('td', { className: i === selected ? 'selected' : '' }, v.full ? numberSpan(v.full[i], `${path}[${i}]`) : el('span', { className: 'muted', text: '…' })));
          return el('tr', { attrs: { 'data-state': name } }, el('td', { className: 'state-name', text: /step/i.test(key) ? `${key} (${t('effective step')})` : key }), ...cells);
        });
        card.body.append(el('div', { className: 'scroll' }, el('table', { className: 'opt' }, el('thead', {}, head), el('tbody', {}, ...rows))));
      }
      const scalars = Object.entries(record.optimizer.scalars).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
      if (scalars.length) {
        card.body.append(el('div', { className: 'hyper' }, ...scalars.map(([k, v]) =>
          el('span', { className: 'chip' }, `${k} = `, typeof v === 'number' ? numberSpan(v, `optimizer.state.${k}`) : String(v)))));
      }
    },
  };
}
