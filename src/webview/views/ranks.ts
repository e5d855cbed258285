// Data-parallel training (issue 14): for the selected layer, each rank's own gradient of its share
// of the batch side by side, their mean, and the reduced gradient the update used, with the check
// max |mean − reduced| (0 up to rounding when the all-reduce averaged the ranks). Hidden unless
// the host sends ranks (a data-parallel recording).
import type { Context } from '../store';
import { el, section, setHidden } from '../dom';
import { numberSpan } from '../format';
import { roundingBound } from '../../protocol/traceCodec';
import type { View } from './view';
import type { ParameterGradient } from '../../protocol/messages';
import { parameterSymbol } from '../../engine/notation';

const MAX_ELEMENTS = 4;

export function createRanks(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('ranks', t('Ranks'));
  let drawn: unknown[] = [];
  return {
    root: card.root,
    render() {
      const ranks = state.ranks;
      setHidden(card.root, !ranks);
      const l = state.view.selectedLayer;
      const key = [ranks, l, state.locale];
      if (!ranks || key.every((k, i) => k === drawn[i])) return;
      drawn = key;
      const layer = ranks.layers[l];
      card.heading.textContent = `${t('Ranks')} · ${t('{0} workers, one mini-batch', ranks.ranks.length)} · ${t('Layer {0}', l + 1)}`;
      card.body.replaceChildren();
      if (!layer) return;
      const inputs = layer.reduced.weights.length / layer.reduced.bias.length;
      const rows: [string, string, ParameterGradient][] = [
        ...layer.local.map((g, r): [string, string, ParameterGradient] => [t('rank {0} (its share)', ranks.ranks[r]), `rank-${ranks.ranks[r]}`, g]),
        [t('mean of the ranks'), 'mean', layer.mean],
        [t('reduced (used by the update)'), 'reduced', layer.reduced],
      ];
      for (const kind of ['weights', 'bias'] as const) {
        const size = layer.reduced[kind].length;
        const indices = Array.from({ length: Math.min(size, MAX_ELEMENTS) }, (_, i) => i);
        const place = (i: number) => (kind === 'weights'
          ? { layer: l, kind: 'weight' as const, out: Math.floor(i / inputs), in: i % inputs }
          : { layer: l, kind: 'bias' as const, out: i });
        const path = (i: number) => (kind === 'weights' ? `[${Math.floor(i / inputs)}][${i % inputs}]` : `[${i}]`);
        const field = kind === 'weights' ? 'GradWeights' : 'GradBias';
        // what each row's numbers are, in the trace files' names (README "Reading the screen")
        const quantity = (id: string, i: number) => (id === 'reduced' ? `layers[${l}].grad${kind === 'weights' ? 'Weights' : 'Bias'}${path(i)}`
          : id === 'mean' ? `mean(ranks.layers[${l}].local${field})${path(i)}` : `${id.replace('rank-', 'rank[')}].layers[${l}].local${field}${path(i)}`);
        const label = (i: number) => `∂J/∂${parameterSymbol(place(i)).text}`;
        const head = el('tr', {}, el('th', { text: '' }), ...indices.map((i) => el('th', { className: 'num', text: label(i) })));
        const body = rows.map(([name, id, gradient]) => el('tr', { attrs: { 'data-rank-row': id } },
          el('td', { className: 'state-name', text: name }),
          ...indices.map((i) => el('td', { attrs: { 'data-kind': kind, 'data-index': String(i) } }, numberSpan(gradient[kind][i], quantity(id, i))))));
        card.body.append(el('div', { className: 'scroll' }, el('table', { className: 'opt ranks' }, el('thead', {}, head), el('tbody', {}, ...body))));
        if (size > MAX_ELEMENTS) card.body.append(el('p', { className: 'muted', text: t('First {0} of {1} elements.', MAX_ELEMENTS, size) }));
      }
      const largest = Math.max(...[...layer.reduced.weights, ...layer.reduced.bias].map(Math.abs));
      const equal = layer.maxDifference <= roundingBound(ranks.ranks.length, largest);
      card.body.append(el('p', { attrs: { id: 'ranks-check', 'data-agrees': String(equal) } },
        el('span', { text: `${t('max |mean of the ranks − reduced|')} = ` }), numberSpan(layer.maxDifference, `maxAbs(mean(ranks.layers[${l}]) - layers[${l}].grad)`, { id: 'ranks-max-difference' }),
        el('span', { className: `badge ${equal ? 'ok' : 'bad'}`, text: equal ? t('agrees') : t('disagrees') })));
    },
  };
}
