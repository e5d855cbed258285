// Layer detail: for the selected layer, every quantity of the step as numbers or a heatmap —
// per-sample quantities for the chosen sample or the batch mean, parameters as matrices.
import type { WebviewString } from '../../protocol/webviewStrings';
import type { Context } from '../store';
import { el, section } from '../dom';
import { exact, short } from '../format';
import { type Palette, diverging, readPalette } from '../theme';
import { full, maxAbs, sampleOf } from '../tensors';
import type { View } from './view';

const MAX_CELLS = 12; // rows and columns shown as numbers; the heatmap shows everything

interface Quantity {
  field: string;
  title: WebviewString;
  perSample: boolean;
  /** [rows, cols] of what is displayed, from the layer's sizes. */
  shape: (units: number, inputs: number) => [number, number];
}

const QUANTITIES: Quantity[] = [
  { field: 'input', title: 'input', perSample: true, shape: (_u, i) => [1, i] },
  { field: 'z', title: 'pre-activation z = W·x + b', perSample: true, shape: (u) => [1, u] },
  { field: 'a', title: 'activation a = f(z)', perSample: true, shape: (u) => [1, u] },
  { field: 'localGrad', title: 'local gradient f′(z)', perSample: true, shape: (u) => [1, u] },
  { field: 'upstream', title: 'upstream ∂J/∂a', perSample: true, shape: (u) => [1, u] },
  { field: 'delta', title: 'delta ∂J/∂z', perSample: true, shape: (u) => [1, u] },
  { field: 'weights', title: 'W before the update', perSample: false, shape: (u, i) => [u, i] },
  { field: 'gradWeights', title: 'weight gradient ∂J/∂W', perSample: false, shape: (u, i) => [u, i] },
  { field: 'updateWeights', title: 'update ΔW', perSample: false, shape: (u, i) => [u, i] },
  { field: 'weightsAfter', title: 'W after the update', perSample: false, shape: (u, i) => [u, i] },
  { field: 'bias', title: 'b before the update', perSample: false, shape: (u) => [1, u] },
  { field: 'gradBias', title: 'bias gradient ∂J/∂b', perSample: false, shape: (u) => [1, u] },
  { field: 'updateBias', title: 'update Δb', perSample: false, shape: (u) => [1, u] },
  { field: 'biasAfter', title: 'b after the update', perSample: false, shape: (u) => [1, u] },
];

export function createLayerDetail(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('layer-detail', t('Layer detail'));
  const layerTabs = el('div', { className: 'segmented', id: 'layer-tabs', attrs: { role: 'tablist', 'aria-label': t('Layer detail') } });
  const sampleSelect = el('select', { id: 'sample-select', attrs: { 'aria-label': t('Which sample') } });
  sampleSelect.addEventListener('change', () => ctx.saveView({ sample: sampleSelect.value === 'mean' ? 'mean' : Number(sampleSelect.value) }));
  const modeSelect = el('select', { id: 'detail-mode', attrs: { 'aria-label': t('Display') } },
    el('option', { text: t('Numbers'), attrs: { value: 'numbers' } }), el('option', { text: t('Heatmap'), attrs: { value: 'heatmap' } }));
  modeSelect.addEventListener('change', () => ctx.saveView({ detailMode: modeSelect.value as 'numbers' | 'heatmap' }));
  card.tools.append(layerTabs, sampleSelect, modeSelect);
  const note = el('p', { className: 'note', text: t('Weights are stored [out][in], as in torch.nn.Linear: W[j][i] connects input i to unit j.') });
  const blocks = el('div', { className: 'blocks' });
  card.body.append(blocks, note);
  let palette: Palette | undefined;

  function table(name: string, values: Float64Array, rows: number, cols: number): HTMLElement {
    const tbl = el('table', { className: 'matrix' });
    for (let r = 0; r < Math.min(rows, MAX_CELLS); r++) {
      const tr = el('tr');
      for (let c = 0; c < Math.min(cols, MAX_CELLS); c++) {
        const index = r * cols + c;
        const v = values[index];
        const td = el('td', { className: 'num', text: short(v), title: exact(v), attrs: { 'data-tensor': name, 'data-index': String(index), 'data-value': exact(v) } });
        if (v < 0) td.classList.add('neg');
        tr.append(td);
      }
      if (cols > MAX_CELLS) tr.append(el('td', { className: 'more', text: `⋯ ${cols - MAX_CELLS}` }));
      tbl.append(tr);
    }
    if (rows > MAX_CELLS) tbl.append(el('tr', {}, el('td', { className: 'more', text: `⋮ ${rows - MAX_CELLS}`, attrs: { colspan: String(Math.min(cols, MAX_CELLS)) } })));
    return tbl;
  }

  function heatmap(name: string, values: Float64Array, rows: number, cols: number): HTMLElement {
    const cell = Math.max(2, Math.min(18, Math.floor(360 / Math.max(cols, 1))));
    const canvas = el('canvas', { className: 'heatmap', attrs: { 'data-tensor': name } });
    canvas.width = cols * cell;
    canvas.height = rows * cell;
    const g = canvas.getContext('2d')!;
    const scale = maxAbs(values);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        g.fillStyle = diverging(palette!, values[r * cols + c], scale);
        g.fillRect(c * cell, r * cell, cell - (cell > 4 ? 1 : 0), cell - (cell > 4 ? 1 : 0));
      }
    }
    canvas.addEventListener('mousemove', (e) => {
      const c = Math.floor(e.offsetX / cell);
      const r = Math.floor(e.offsetY / cell);
      if (r < rows && c < cols) canvas.title = `[${r}][${c}] = ${exact(values[r * cols + c])}`;
    });
    return canvas;
  }

  return {
    root: card.root,
    render(themeChanged) {
      if (!palette || themeChanged) palette = readPalette();
      const model = state.model!;
      const l = state.view.selectedLayer;
      layerTabs.replaceChildren(...model.layers.map((layer, i) => {
        const b = el('button', {
          id: `layer-tab-${i}`, text: `${t('Layer {0}', i + 1)} · ${layer.activation}`,
          attrs: { role: 'tab', type: 'button', 'aria-selected': String(i === l) },
        });
        b.addEventListener('click', () => ctx.select(i));
        return b;
      }));
      const rows = state.record?.layers[l]?.rows ?? model.dataset.batchSize;
      const wanted = state.view.sample === 'mean' ? 'mean' : String(Math.min(state.view.sample, rows - 1));
      if (sampleSelect.options.length !== rows + 1) {
        sampleSelect.replaceChildren(el('option', { text: t('Batch mean'), attrs: { value: 'mean' } }),
          ...Array.from({ length: rows }, (_, r) => el('option', { text: t('Sample {0}', r + 1), attrs: { value: String(r) } })));
      }
      sampleSelect.value = wanted;
      modeSelect.value = state.view.detailMode;
      const sample = state.view.sample === 'mean' ? 'mean' : Math.min(state.view.sample, rows - 1);

      const layer = model.layers[l];
      const inputs = l === 0 ? model.inputs : model.layers[l - 1].units;
      const softmax = layer.activation === 'softmax';
      blocks.replaceChildren();
      for (const q of QUANTITIES) {
        const name = `layers[${l}].${q.field}`;
        let [r, c] = q.shape(layer.units, inputs);
        let title = t(q.title);
        if (q.field === 'localGrad' && softmax) {
          [r, c] = [layer.units, layer.units];
          title = t('softmax Jacobian ∂a/∂z');
        }
        const values = q.perSample ? sampleOf(state, name, sample) : full(state, name);
        const present = !!state.record?.tensor(name);
        const block = el('figure', { className: 'block', attrs: { 'data-quantity': q.field } },
          el('figcaption', {}, el('span', { className: 'q-title', text: title }), el('span', { className: 'shape', text: `${r}×${c}` })));
        if (!present) block.append(el('p', { className: 'pending', text: t('not computed yet') }));
        else if (!values) {
          const view = state.record!.tensor(name)!;
          const summary = view.kind === 'batch'
            ? t('summary: first {0} of {1} samples', view.partShapes.head?.[0] ?? 0, view.shape[0])
            : t('summary: mean, min and max per unit');
          const load = el('button', { className: 'link', text: t('Load full tensor'), attrs: { type: 'button', 'data-request': name } });
          load.addEventListener('click', () => ctx.post({ type: 'requestTensor', step: state.record!.step, name }));
          block.append(el('p', { className: 'pending', text: summary }), load);
        } else {
          block.append(state.view.detailMode === 'heatmap' ? heatmap(name, values, r, c) : table(name, values, r, c));
        }
        blocks.append(block);
      }
    },
  };
}
