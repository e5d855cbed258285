// Layer detail: for the selected layer, every quantity of the step as numbers or a heatmap —
// per-sample quantities for the chosen sample or the batch mean, parameters as matrices. The
// quantities of the debugger's selected operation are outlined. Each name's tooltip says what the
// quantity is (quantities.ts); heatmaps of one kind of quantity share one colour scale, shown above
// the boxes; a table larger than MAX_CELLS can be expanded to every cell (the box then scrolls).
import type { Phase } from '../../engine/types';
import type { ModelSummary } from '../../protocol/messages';
import type { Context } from '../store';
import { el, section, setAttr, setClass, setHidden, setText } from '../dom';
import { exact, setNumber } from '../format';
import { type Palette, diverging, readPalette } from '../theme';
import { cellRanges, full, maxAbs, quantityName, sampleOf } from '../tensors';
import type { View } from './view';
import { type LayerFieldName, layerField, tensorName, tracePath } from '../../engine/layerFields';
import type { IndexRange, TensorView } from '../../protocol/traceCodec';
import { LAYER_QUANTITIES, type Quantity } from '../quantities';
import { type ColourScale, colourScale } from './colourScale';

const MAX_CELLS = 12; // rows and columns shown as numbers until expanded; the heatmap shows everything

/**
 * What is displayed: the field table's shape of one sample (a per-sample field) or of the
 * parameter; a vector (one axis) is `vector`, cols long; softmax's local gradient is its Jacobian.
 */
function displayShape(field: LayerFieldName, layer: { units: number; activation: string }, inputs: number): { rows: number; cols: number; vector: boolean } {
  const spec = layerField(field)!;
  const shape = spec.shape({ rows: 1, units: layer.units, inputs, activation: layer.activation });
  const one = spec.kind === 'batch' ? shape.slice(1) : shape;
  return one.length === 1 ? { rows: 1, cols: one[0], vector: true } : { rows: one[0], cols: one[1], vector: false };
}

/** The boxes, in the order of the computation: forward, backward, the parameters and their update. */
const FIELDS: LayerFieldName[] = [
  'input', 'z', 'a', 'localGrad', 'upstream', 'delta',
  'weights', 'gradWeights', 'updateWeights', 'weightsAfter', 'bias', 'gradBias', 'updateBias', 'biasAfter',
];
const SCALE_KINDS: Quantity['kind'][] = ['value', 'local', 'gradient', 'parameter', 'update'];
const KIND_TITLES = {
  value: 'values x, z, a', local: 'local gradients f′(z)', gradient: 'gradients ∂J/∂·', parameter: 'parameters W, b', update: 'updates ΔW, Δb',
} as const;

/** What each operation computes in a layer (the loss computes the output layer's ∂J/∂a and ∂J/∂z). */
const COMPUTED_BY: Record<Phase['kind'], string[]> = {
  forward: ['input', 'z', 'a'],
  loss: ['upstream', 'delta'],
  backward: ['localGrad', 'upstream', 'delta', 'gradWeights', 'gradBias'],
  update: ['updateWeights', 'weightsAfter', 'updateBias', 'biasAfter'],
};

/** The fields of layer `l` that the focused operation computes. */
function focusedFields(focus: Phase | undefined, l: number, layers: number): readonly string[] {
  if (!focus) return [];
  const layer = focus.kind === 'loss' ? layers - 1 : 'layer' in focus ? focus.layer : l;
  return layer === l ? COMPUTED_BY[focus.kind] : [];
}

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
  // The screen's two conventions, stated once (README, "Reading the screen").
  const notes = el('div', { className: 'notes' },
    el('p', { className: 'note', id: 'derivative-convention', text: t('Per-sample values are derivatives of the batch loss J = (1/N) Σᵢ ℓᵢ: ∂J/∂aᵢ and δᵢ include the 1/N, and ∂J/∂W = Σᵢ δᵢ·xᵢᵀ is the sum of the samples\' contributions (plus the regularization part).') }),
    el('p', { className: 'note', id: 'index-convention', text: t('Indices count from 1, as in the lecture: w¹ₙₘ connects input n to unit m of layer 1 (row m, column n here) and is layers[0].weights[m−1][n−1] in the code; hover a number for its path.') }));
  const blocks = el('div', { className: 'blocks' });
  const heatScales = Object.fromEntries(SCALE_KINDS.map((kind) => [kind, colourScale(kind)])) as Record<Quantity['kind'], ColourScale>;
  const scaleRow = el('div', { className: 'heat-scales', id: 'heat-scales' }, ...SCALE_KINDS.map((kind) => heatScales[kind].root));
  /** Tensors whose every number the learner asked to see (by name, so a new step keeps the choice). */
  const expanded = new Set<string>();
  card.body.append(scaleRow, blocks, notes);
  let palette: Palette | undefined;

  /**
   * A vector as a column numbered from 1, as the lecture writes z, a and δ; a matrix (even of one
   * row) as a table with rows and columns numbered from 1 and its two indices in the corner. Up to
   * `limit` rows and columns; the rest is counted in the last row and column.
   */
  function table(name: string, rows: number, cols: number, vector: boolean, corner: string, limit: number): { node: HTMLElement; cells: HTMLTableCellElement[] } {
    const tbl = el('table', { className: 'matrix' });
    const cells: HTMLTableCellElement[] = [];
    const cell = (index: number) => {
      const td = el('td', { className: 'num', attrs: { 'data-tensor': name, 'data-index': String(index) } });
      cells.push(td);
      return td;
    };
    if (vector) {
      for (let c = 0; c < Math.min(cols, limit); c++) tbl.append(el('tr', {}, el('th', { className: 'index', text: String(c + 1) }), cell(c)));
      if (cols > limit) tbl.append(el('tr', {}, el('td', { className: 'more', text: `⋮ ${cols - limit}`, attrs: { colspan: '2' } })));
      return { node: tbl, cells };
    }
    tbl.append(el('tr', {}, el('th', { className: 'index corner', text: corner }), ...Array.from({ length: Math.min(cols, limit) }, (_, c) => el('th', { className: 'index', text: String(c + 1) }))));
    for (let r = 0; r < Math.min(rows, limit); r++) {
      const tr = el('tr', {}, el('th', { className: 'index', text: String(r + 1) }));
      for (let c = 0; c < Math.min(cols, limit); c++) tr.append(cell(r * cols + c));
      if (cols > limit) tr.append(el('td', { className: 'more', text: `⋯ ${cols - limit}` }));
      tbl.append(tr);
    }
    if (rows > limit) tbl.append(el('tr', {}, el('th'), el('td', { className: 'more', text: `⋮ ${rows - limit}`, attrs: { colspan: String(Math.min(cols, limit)) } })));
    return { node: tbl, cells };
  }

  /** `quantity(i)`: entry i's data-quantity; `roundedZero(i)`: for a batch mean, whether entry i is 0 up to rounding. */
  function fillTable(cells: HTMLTableCellElement[], values: Float64Array, quantity: (index: number) => string, roundedZero?: (index: number) => boolean): void {
    for (const td of cells) {
      const index = Number(td.dataset.index);
      const v = values[index];
      setNumber(td, v, quantity(index), { roundedZero: roundedZero?.(index) });
      setClass(td, 'neg', v < 0);
    }
  }

  function heatmapCanvas(name: string, rows: number, cols: number): HTMLCanvasElement {
    const cell = Math.max(2, Math.min(18, Math.floor(360 / Math.max(cols, 1))));
    const canvas = el('canvas', { className: 'heatmap', attrs: { 'data-tensor': name, role: 'img', 'aria-label': name } });
    canvas.width = cols * cell;
    canvas.height = rows * cell;
    canvas.addEventListener('mousemove', (e) => {
      const values = canvasValues.get(canvas);
      const scaleX = canvas.width / Math.max(1, canvas.clientWidth);
      const c = Math.floor((e.offsetX * scaleX) / cell);
      const r = Math.floor((e.offsetY * scaleX) / cell);
      if (values && r < rows && c < cols) canvas.title = `[${r}][${c}] = ${exact(values[r * cols + c])}`;
    });
    return canvas;
  }
  const canvasValues = new WeakMap<HTMLCanvasElement, Float64Array>();

  function paintHeatmap(canvas: HTMLCanvasElement, values: Float64Array, rows: number, cols: number, scale: number): void {
    canvasValues.set(canvas, values);
    canvas.dataset.scaleMax = exact(scale);
    const cell = canvas.width / cols;
    const g = canvas.getContext('2d')!;
    g.clearRect(0, 0, canvas.width, canvas.height);
    const gap = cell > 4 ? 1 : 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        g.fillStyle = diverging(palette!, values[r * cols + c], scale);
        g.fillRect(c * cell, r * cell, cell - gap, cell - gap);
      }
    }
  }

  /** What a block shows; when it is unchanged from the last render, only the numbers are updated. */
  interface Block { key: string; figure: HTMLElement; title: HTMLElement; content: HTMLElement; cells?: HTMLTableCellElement[]; canvas?: HTMLCanvasElement }
  const shown = new Map<string, Block>();
  let tabsFor: ModelSummary | undefined;
  let tabs: HTMLButtonElement[] = [];

  function block(id: string, r: number, c: number, vector: boolean, kind: Quantity['kind'], meaning: string): Block {
    const content = el('div', { className: 'block-content' });
    const width = vector ? '' : c <= 2 ? ' matrix-block narrow' : c <= 5 ? ' matrix-block medium' : ' matrix-block';
    const title = el('span', { className: 'q-title', title: meaning });
    const figure = el('figure', { className: `block${width}`, attrs: { 'data-block': id, 'data-kind': kind } },
      el('figcaption', {}, title, el('span', { className: 'shape', text: vector ? `${c}×1` : `${r}×${c}` })), content);
    return { key: '', figure, title, content };
  }

  /**
   * Sample i's contribution to ∂J/∂W, δᵢ·xᵢᵀ (units × inputs): the gradient is their sum over the
   * batch plus the regularization part. One product of two numbers the host sent per entry, named
   * `contribution(layers[l].gradWeights, i)[m][n]` (= delta[i][m] · input[i][n]).
   */
  function contribution(l: number, sample: number, units: number, inputs: number, whole: boolean) {
    const deltaName = tensorName(l, 'delta');
    const name = `contribution(${tracePath(l, 'gradWeights')}, ${sample})`;
    // The cells drawn need δ of the rows and x of the columns drawn.
    const cells = whole || expanded.has(name) ? undefined : { rows: [[0, MAX_CELLS]] as IndexRange[], cols: [[0, MAX_CELLS]] as IndexRange[] };
    const read = () => {
      const delta = sampleOf(state, deltaName, sample, cells?.rows);
      const input = sampleOf(state, tensorName(l, 'input'), sample, cells?.cols);
      if (!delta || !input) return undefined;
      const values = new Float64Array(units * inputs);
      for (let m = 0; m < units; m++) for (let n = 0; n < inputs; n++) values[m * inputs + n] = delta[m] * input[n];
      return values;
    };
    return {
      id: 'contribution', name, title: t('sample {0}\'s contribution δᵢ·xᵢᵀ to ∂J/∂W', sample + 1),
      rows: units, cols: inputs, vector: false, corner: 'm╲n', view: state.record?.tensor(deltaName), read,
      kind: 'gradient' as const, meaning: t(LAYER_QUANTITIES.gradWeights.meaning),
      quantity: (index: number) => `${name}[${Math.floor(index / inputs)}][${index % inputs}]`,
    };
  }

  return {
    root: card.root,
    render(themeChanged) {
      if (!palette || themeChanged) palette = readPalette();
      const model = state.model!;
      const l = state.view.selectedLayer;
      if (tabsFor !== model) {
        tabsFor = model;
        tabs = model.layers.map((layer, i) => {
          const b = el('button', { id: `layer-tab-${i}`, text: `${t('Layer {0}', i + 1)} · ${layer.activation}`, attrs: { role: 'tab', type: 'button' } });
          b.addEventListener('click', () => ctx.select(i));
          return b;
        });
        layerTabs.replaceChildren(...tabs);
        shown.clear();
      }
      tabs.forEach((b, i) => setAttr(b, 'aria-selected', String(i === l)));
      const rows = state.record?.layers[l]?.rows ?? model.dataset.batchSize;
      const wanted = state.view.sample === 'mean' ? 'mean' : String(Math.min(state.view.sample, rows - 1));
      if (sampleSelect.options.length !== rows + 1) {
        sampleSelect.replaceChildren(el('option', { text: t('Batch mean'), attrs: { value: 'mean' } }),
          ...Array.from({ length: rows }, (_, r) => el('option', { text: t('Sample {0}', r + 1), attrs: { value: String(r) } })));
      }
      if (sampleSelect.value !== wanted) sampleSelect.value = wanted;
      if (modeSelect.value !== state.view.detailMode) modeSelect.value = state.view.detailMode;
      const sample = state.view.sample === 'mean' ? 'mean' : Math.min(state.view.sample, rows - 1);
      const heat = state.view.detailMode === 'heatmap';

      const layer = model.layers[l];
      const inputs = l === 0 ? model.inputs : model.layers[l - 1].units;
      const softmax = layer.activation === 'softmax';
      const focused = focusedFields(state.focus, l, model.layers.length);
      const order: HTMLElement[] = [];
      /**
       * What one block shows: a field of the layer, or sample i's contribution δᵢ·xᵢᵀ to ∂J/∂W.
       * `read` gets its numbers (and notes them as read, so the host sends them): only for a block written now.
       */
      interface Shown {
        id: string; name: string; title: string; rows: number; cols: number; vector: boolean; corner: string;
        view: TensorView | undefined; read(): Float64Array | undefined; quantity(index: number): string; roundedZero?: (index: number) => boolean;
        kind: Quantity['kind']; meaning: string;
      }
      const items: Shown[] = [];
      const painted: { canvas: HTMLCanvasElement; values: Float64Array; r: number; c: number; kind: Quantity['kind'] }[] = [];
      for (const field of FIELDS) {
        const q = { ...LAYER_QUANTITIES[field], field };
        const name = tensorName(l, q.field);
        const { rows: r, cols: c, vector } = displayShape(q.field, layer, inputs);
        const perSample = layerField(q.field)!.kind === 'batch';
        const mean = perSample && sample === 'mean';
        const title = mean && q.meanTitle ? t(q.meanTitle) : q.field === 'localGrad' && softmax ? t('softmax Jacobian ∂a/∂z') : t(q.title);
        const view = state.record?.tensor(name);
        // Only the cells drawn are read (the host sends what the views read); a heatmap or an expanded table draws every one.
        const cells = heat || expanded.has(name) ? undefined : cellRanges(r, c, MAX_CELLS, MAX_CELLS);
        items.push({
          id: q.field, name, title, rows: r, cols: c, vector, view,
          corner: q.field === 'localGrad' ? 'k╲m' : 'm╲n',
          read: () => (perSample ? sampleOf(state, name, sample, cells) : full(state, name, cells)),
          // A vector has one index in the trace; a matrix (even of one row) two.
          quantity: (index) => (vector ? quantityName(l, q.field, sample, index) : quantityName(l, q.field, sample, Math.floor(index / c), index % c)),
          roundedZero: mean ? view?.roundedZero : undefined,
          kind: q.kind, meaning: t(q.meaning),
        });
        if (q.field === 'gradWeights' && sample !== 'mean') items.push(contribution(l, sample, layer.units, inputs, heat));
      }
      for (const item of items) {
        const { name, rows: r, cols: c, view } = item;
        let b = shown.get(item.id);
        const same = b?.key.split('|')[0] === name;
        // A table of numbers far from the viewport waits for the settle pass (a heatmap does not:
        // its colour scale is shared by every box of its kind).
        if (b && same && !heat && !ctx.shows(b.figure)) {
          order.push(b.figure);
          continue;
        }
        const values = item.read();
        const all = expanded.has(name);
        const status = !view ? 'absent' : !values ? `summary:${view.partShapes.head?.[0] ?? 0}:${view.shape[0]}` : heat ? 'heatmap' : all ? 'all numbers' : 'numbers';
        const key = `${name}|${r}x${c}|${status}`;
        if (!b || !same) b = block(item.id, r, c, item.vector, item.kind, item.meaning);
        shown.set(item.id, b);
        setText(b.title, item.title);
        if (b.key !== key) {
          b.key = key;
          b.cells = undefined;
          b.canvas = undefined;
          if (!view) b.content.replaceChildren(el('p', { className: 'pending', text: t('not computed yet') }));
          else if (!values) {
            const summary = view.kind === 'batch'
              ? t('summary: first {0} of {1} samples', view.partShapes.head?.[0] ?? 0, view.shape[0])
              : t('summary: mean, min and max per unit');
            const load = el('button', { className: 'link', text: t('Load full tensor'), attrs: { type: 'button', 'data-request': view.name } });
            load.addEventListener('click', () => ctx.post({ type: 'requestTensor', step: state.record!.step, name: view.name }));
            b.content.replaceChildren(el('p', { className: 'pending', text: summary }), load);
          } else if (heat) {
            b.canvas = heatmapCanvas(name, r, c);
            b.content.replaceChildren(b.canvas);
          } else {
            const made = table(name, r, c, item.vector, item.corner, all ? Infinity : MAX_CELLS);
            b.cells = made.cells;
            b.content.replaceChildren(made.node);
            if (!all && (r > MAX_CELLS || c > MAX_CELLS)) {
              // Never cut with no way to see the rest: every cell, in a box that scrolls.
              const more = el('button', { className: 'link show-all', text: t('Show all {0} numbers', r * c), attrs: { type: 'button', 'data-expand': name } });
              more.addEventListener('click', () => {
                expanded.add(name);
                ctx.invalidate();
              });
              b.content.append(more);
            }
          }
        }
        if (values && b.cells) fillTable(b.cells, values, item.quantity, item.roundedZero);
        if (values && b.canvas) painted.push({ canvas: b.canvas, values, r, c, kind: item.kind });
        setClass(b.figure, 'focused', focused.includes(item.id));
        order.push(b.figure);
      }
      if (blocks.childElementCount !== order.length || order.some((f, i) => blocks.children[i] !== f)) blocks.replaceChildren(...order);
      // One colour scale per kind of quantity: the largest |value| of all its boxes on screen.
      const scaleOf = new Map<Quantity['kind'], number>();
      for (const p of painted) scaleOf.set(p.kind, Math.max(scaleOf.get(p.kind) ?? 0, maxAbs(p.values)));
      for (const p of painted) paintHeatmap(p.canvas, p.values, p.r, p.c, scaleOf.get(p.kind)!);
      setHidden(scaleRow, painted.length === 0);
      for (const kind of SCALE_KINDS) {
        const max = scaleOf.get(kind);
        setHidden(heatScales[kind].root, max === undefined);
        if (max !== undefined) heatScales[kind].set(palette!, max, t(KIND_TITLES[kind]));
      }
    },
  };
}
