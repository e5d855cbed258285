// The network diagram: units as nodes, weights as edges. Colour and thickness show the weight's
// value, its gradient or its update (the user's choice); node fill shows the unit's activation
// (value), delta (gradient) or bias update (update) for the chosen sample or the batch mean.
// The layer of the operation that runs next is outlined, and the operation of the debugger's
// selected frame is framed. Dead ReLU units are hatched and saturated sigmoid/tanh units ringed
// (the host's unit health of the step on screen). Large layers show their first units and a count
// of the rest. One colour scale for all edges and one for all nodes (legend below the diagram,
// with the max |value| each scale reaches), value labels above the nodes on top of every edge
// and band, and a click target wider than the thinnest edge.
import type { Phase } from '../../engine/types';
import { phaseKey } from '../../engine/phases';
import type { DiagramMode, ModelSummary, ParameterRef } from '../../protocol/messages';
import type { IndexRange } from '../../protocol/traceCodec';
import type { Context } from '../store';
import { attributeWriter, el, section, setAttr, setText, svg } from '../dom';
import { exact, markNumber, setNumber, short, sub, sup } from '../format';
import { type Palette, diverging, readPalette } from '../theme';
import { extremesOf, full, maxAbs, quantityName, sampleOf } from '../tensors';
import type { View } from './view';
import { phaseText } from './toolbar';
import { type LayerFieldName, tensorName, tracePath } from '../../engine/layerFields';
import { parameterSymbol } from '../../engine/notation';
import { colourScale } from './colourScale';
import { LAYER_QUANTITIES } from '../quantities';

const WINDOW = 12; // units a column draws at once; a wider layer pages through the rest
const SUMMARY_ABOVE = 64; // a wider column is one block: its size and its range
const IMAGE_SIDE = 120; // px: an image input's side, whatever its pixel count
const BLOCK = { width: 96, height: IMAGE_SIDE + 26 }; // an image's frame has room for its caption
const NODE_RADIUS = 12;
const COLUMN_GAP = 150;
const ROW_GAP = 42; // room for a value label above each node
const EDGE_WIDTH = { min: 0.75, max: 5.25 }; // px at |value| = 0 and at the scale's max
const HIT_WIDTH = 12; // px: the invisible stroke that takes an edge's clicks
const MARGIN = { x: 48, y: 36 };

/** How a column is drawn: unit by unit (a page of WINDOW units of a wider layer), as an image, or as one block. */
type Column =
  | { kind: 'units'; size: number; first: number; shown: number }
  | { kind: 'image'; size: number; rows: number; cols: number }
  | { kind: 'block'; size: number };

/**
 * Rows × columns of inputs named as a row-major pixel grid (r0c0, r0c1, …, as the digits dataset's
 * header names them), if they are one.
 */
export function pixelGrid(names: readonly string[] | undefined): { rows: number; cols: number } | undefined {
  const cells = names?.map((name) => /^r(\d+)c(\d+)$/.exec(name));
  if (!cells?.length || cells.some((c) => !c)) return undefined;
  const cols = Math.max(...cells.map((c) => Number(c![2]))) + 1;
  const rows = cells.length / cols;
  return cells.every((c, k) => Number(c![1]) === Math.floor(k / cols) && Number(c![2]) === k % cols) && Number.isInteger(rows) ? { rows, cols } : undefined;
}

const MAX_IMAGE_SIDE = 32; // pixels: a larger image would draw sub-pixel squares; it is a block instead

function columnsOf(model: ModelSummary, firsts: readonly number[]): Column[] {
  const grid = pixelGrid(model.dataset.inputNames);
  return [model.inputs, ...model.layers.map((l) => l.units)].map((size, column): Column => {
    if (column === 0 && grid && grid.rows <= MAX_IMAGE_SIDE && grid.cols <= MAX_IMAGE_SIDE) return { kind: 'image', size, ...grid };
    if (size > SUMMARY_ABOVE) return { kind: 'block', size };
    const shown = Math.min(size, WINDOW);
    return { kind: 'units', size, first: Math.min(firsts[column] ?? 0, size - shown), shown };
  });
}

const halfWidth = (column: Column) => (column.kind === 'units' ? NODE_RADIUS : column.kind === 'image' ? IMAGE_SIDE / 2 + 6 : BLOCK.width / 2);

const EDGE_TENSOR: Record<DiagramMode, LayerFieldName> = { value: 'weights', gradient: 'gradWeights', update: 'updateWeights' };
const NODE_TENSOR: Record<DiagramMode, LayerFieldName> = { value: 'a', gradient: 'delta', update: 'updateBias' };

export function createNetwork(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('network', t('Network'));
  const modes: DiagramMode[] = ['value', 'gradient', 'update'];
  const modeLabels: Record<DiagramMode, string> = { value: t('Value'), gradient: t('Gradient'), update: t('Update') };
  const modeGroup = el('div', { className: 'segmented', attrs: { role: 'radiogroup', 'aria-label': t('Show') } });
  const modeButtons = modes.map((mode) => {
    const b = el('button', { id: `diagram-mode-${mode}`, text: modeLabels[mode], attrs: { role: 'radio', type: 'button' } });
    b.addEventListener('click', () => ctx.saveView({ diagramMode: mode }));
    modeGroup.append(b);
    return b;
  });
  card.tools.append(el('span', { className: 'tool-label', text: t('Show') }), modeGroup);
  const figure = svg('svg', { id: 'diagram', role: 'group', 'aria-label': t('Network') });
  const deadText = t('Dead ReLU unit: z ≤ 0 for every training sample, so ReLU′ = 0 and no gradient reaches its weights');
  const saturatedText = t('Saturated unit: f′(z) is below 10% of its largest value for every sample of the batch, so almost no gradient flows back through it');
  const legendItem = (kind: 'dead' | 'saturated', label: string, title: string) => {
    const swatch = svg('svg', { class: 'unit-swatch', width: 20, height: 20, viewBox: '0 0 20 20', 'aria-hidden': 'true' });
    swatch.append(svg('circle', kind === 'dead' ? { cx: 10, cy: 10, r: 6, class: 'dead-fill' } : { cx: 10, cy: 10, r: 8.5, class: 'saturation-ring' }));
    if (kind === 'saturated') swatch.append(svg('circle', { cx: 10, cy: 10, r: 5, class: 'plain' }));
    const count = el('span', { className: 'count num', id: `${kind}-count` });
    return { root: el('span', { className: `legend-item ${kind}`, title, attrs: { 'data-legend': kind } }, swatch, el('span', { text: label }), count), count };
  };
  const deadLegend = legendItem('dead', t('dead ReLU'), deadText);
  const saturatedLegend = legendItem('saturated', t('saturated'), saturatedText);
  const focusLabel = el('span', { className: 'focus-label', id: 'focus-label' });
  const legend = el('div', { className: 'diagram-legend', id: 'unit-legend' }, deadLegend.root, saturatedLegend.root, focusLabel);
  // What colour and thickness mean in the current mode: one scale for the edges, one for the nodes.
  const edgeScale = colourScale('edges');
  const nodeScale = colourScale('nodes');
  const thickness = svg('svg', { class: 'thickness-swatch', width: 64, height: 14, viewBox: '0 0 64 14', 'aria-hidden': 'true' },
    svg('line', { x1: 2, y1: 7, x2: 22, y2: 7, 'stroke-width': EDGE_WIDTH.min }), svg('line', { x1: 38, y1: 7, x2: 62, y2: 7, 'stroke-width': EDGE_WIDTH.max }));
  const thicknessText = el('span', { className: 'thickness-text' });
  const scales = el('div', { className: 'diagram-scales', id: 'diagram-scales' },
    el('span', { className: 'scale-row' }, edgeScale.root, el('span', { className: 'thickness' }, thickness, thicknessText)),
    el('span', { className: 'scale-row' }, nodeScale.root));
  const frame = el('div', { className: 'diagram-frame' }, figure);
  card.body.append(frame, scales, legend);
  let palette: Palette | undefined;

  const isSelected = (ref: ParameterRef) => {
    const s = state.view.selectedParameter;
    return !!s && s.kind === ref.kind && s.layer === ref.layer && s.out === ref.out && (s.kind === 'bias' || (ref.kind === 'weight' && s.in === ref.in));
  };

  function activate(node: SVGElement, label: string, onActivate: () => void): void {
    node.setAttribute('tabindex', '0');
    node.setAttribute('role', 'button');
    node.setAttribute('aria-label', label);
    node.addEventListener('click', onActivate);
    node.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onActivate();
      }
    });
  }

  /** `set*`: the attributes each step rewrites (attributeWriter). */
  type Write = ReturnType<typeof attributeWriter>;
  interface Edge { line: SVGLineElement; setLine: Write; title: SVGTitleElement; label: string; ref: Extract<ParameterRef, { kind: 'weight' }>; index: number }
  interface UnitNode { g: SVGGElement; setG: Write; circle: SVGCircleElement; setCircle: Write; ring: SVGCircleElement; setRing: Write; title: SVGTitleElement; value: SVGTextElement; label: string; symbol: string; unit: number; ref?: ParameterRef }
  interface Pixel { rect: SVGRectElement; title: SVGTitleElement; label: string }
  /** A block column's range: the smallest and largest value, each marked as the element it is. */
  interface RangeLabels { min: SVGTSpanElement; max: SVGTSpanElement }
  interface Layout {
    model: ModelSummary; key: string; height: number; x: (column: number) => number; columns: Column[];
    edges: Edge[][]; nodes: UnitNode[][]; pixels: Pixel[]; ranges: (RangeLabels | undefined)[]; band: SVGRectElement; focus: SVGRectElement;
  }
  let layout: Layout | undefined;
  /** The first unit each paged column draws (the learner's paging, kept across steps). */
  const firsts: number[] = [];
  let followed: string | undefined;

  /** Pages the column holding `unit` so that the unit is drawn. */
  function follow(column: number, unit: number): void {
    const first = firsts[column] ?? 0;
    if (unit < first) firsts[column] = unit;
    else if (unit >= first + WINDOW) firsts[column] = unit - WINDOW + 1;
  }

  /** The diagram's elements, made once per model and paging; steps only change their colours, widths and texts. */
  function build(model: ModelSummary, columns: Column[], key: string): Layout {
    const spans = columns.map((c) => (c.kind === 'units' ? (c.shown - 1) * ROW_GAP : BLOCK.height));
    const height = MARGIN.y * 2 + Math.max(...spans) + 26;
    const last = columns.length - 1;
    // A block is wider than a node: the margins make room for a block at either end.
    const left = MARGIN.x + Math.max(0, halfWidth(columns[0]) - NODE_RADIUS);
    const x = (column: number) => left + column * COLUMN_GAP;
    const width = x(last) + MARGIN.x + Math.max(0, halfWidth(columns[last]) - NODE_RADIUS);
    figure.setAttribute('viewBox', `0 0 ${width} ${height}`);
    figure.setAttribute('width', String(width));
    figure.setAttribute('height', String(height));
    figure.replaceChildren();
    const shownOf = (c: Column) => (c.kind === 'units' ? c.shown : 1);
    const y = (column: number, k: number) => height / 2 + (k - (shownOf(columns[column]) - 1) / 2) * ROW_GAP;
    const band = svg('rect', { class: 'phase-band', y: 8, width: 44, height: height - 16, rx: 10 });
    const focus = svg('rect', { class: 'focus-band', y: 4, width: 52, height: height - 8, rx: 12 });
    // Dead units' fill: diagonal hatching in the foreground colour over the background (themed by CSS).
    const hatch = svg('pattern', { id: 'dead-hatch', width: 5, height: 5, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
    hatch.append(svg('rect', { width: 5, height: 5, class: 'hatch-ground' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 5, class: 'hatch-line' }));
    const defs = svg('defs');
    defs.append(hatch);
    const hits = svg('g', { class: 'edge-hits' });
    figure.append(defs, focus, band, hits);
    const edges: Edge[][] = [];
    for (let l = 0; l < model.layers.length; l++) {
      const group = svg('g', { class: 'edges' });
      const list: Edge[] = [];
      const [from, to] = [columns[l], columns[l + 1]];
      if (from.kind === 'units' && to.kind === 'units') {
        for (let b = 0; b < to.shown; b++) {
          for (let a = 0; a < from.shown; a++) {
            const [j, i] = [to.first + b, from.first + a];
            const ref: Edge['ref'] = { kind: 'weight', layer: l, out: j, in: i };
            const ends = { x1: x(l), y1: y(l, a), x2: x(l + 1), y2: y(l + 1, b) };
            const line = svg('line', { ...ends, class: 'edge', 'data-param': `w:${l}:${j}:${i}` });
            const title = svg('title');
            const label = t('Weight {0}', `${parameterSymbol(ref).text} (${tracePath(l, 'weights', j, i)})`);
            activate(line, label, () => ctx.select(l, ref));
            // Beneath every drawn edge, so a click on an edge's stroke is always that edge's, and a click
            // beside it still lands on the nearest one.
            const hit = svg('line', { ...ends, class: 'edge-hit', 'stroke-width': HIT_WIDTH, 'aria-hidden': 'true' });
            hit.addEventListener('click', () => ctx.select(l, ref));
            hits.append(hit);
            group.append(titledGroup(title, line));
            list.push({ line, setLine: attributeWriter(line), title, label, ref, index: j * from.size + i });
          }
        }
      } else {
        // A block has no unit to start or end a weight at: a fan of plain lines joins it to the next
        // column; its weights are in the layer detail (the block and the fan's layer are a click away).
        const ends = (column: number, side: 1 | -1) => (columns[column].kind === 'units'
          ? Array.from({ length: shownOf(columns[column]) }, (_, k) => [x(column), y(column, k)])
          : [[x(column) + side * halfWidth(columns[column]), height / 2]]);
        for (const [x1, y1] of ends(l, 1)) for (const [x2, y2] of ends(l + 1, -1)) group.append(svg('line', { x1, y1, x2, y2, class: 'edge-fan', 'aria-hidden': 'true' }));
      }
      figure.append(group);
      edges.push(list);
    }
    const nodes: UnitNode[][] = [];
    const pixels: Pixel[] = [];
    const ranges: (RangeLabels | undefined)[] = [];
    const labels = svg('g', { class: 'node-labels' });
    for (let column = 0; column <= last; column++) {
      const shape = columns[column];
      const l = column - 1;
      const name = column === 0 ? t('Input') : column === last ? t('Output') : t('Layer {0}', column);
      // A layer too large to draw unit by unit says how many units it has.
      const label = shape.kind !== 'units' || shape.size > shape.shown ? `${name} · ${shape.size}` : name;
      figure.append(Object.assign(svg('text', { x: x(column), y: 18, class: 'column-label', 'text-anchor': 'middle' }), { textContent: label }));
      if (column > 0) figure.append(Object.assign(svg('text', { x: x(column), y: height - 6, class: 'column-sub', 'text-anchor': 'middle' }), { textContent: model.layers[l].activation }));
      const list: UnitNode[] = [];
      nodes.push(list);
      ranges.push(undefined);
      if (shape.kind !== 'units') {
        // The whole column as one target: its layer detail shows every number of it.
        const layer = Math.max(0, l);
        const g = svg('g', { class: `block ${shape.kind}`, 'data-block': String(column) });
        const [bx, by] = [x(column) - halfWidth(shape), height / 2 - BLOCK.height / 2];
        g.append(svg('rect', { x: bx, y: by, width: 2 * halfWidth(shape), height: BLOCK.height, rx: 6, class: 'block-frame' }));
        if (shape.kind === 'image') {
          const side = IMAGE_SIDE / Math.max(shape.rows, shape.cols);
          const [ix, iy] = [x(column) - (side * shape.cols) / 2, by + 6];
          for (let k = 0; k < shape.size; k++) {
            const rect = svg('rect', { x: ix + (k % shape.cols) * side, y: iy + Math.floor(k / shape.cols) * side, width: side, height: side, class: 'pixel', 'data-pixel': String(k) });
            const title = svg('title');
            g.append(titledGroup(title, rect));
            pixels.push({ rect, title, label: `x${sub(k + 1)} (${model.dataset.inputNames![k]})` });
          }
          g.append(Object.assign(svg('text', { x: x(column), y: by + BLOCK.height - 4, class: 'block-text', 'text-anchor': 'middle' }), { textContent: t('{0}×{1} image', shape.rows, shape.cols) }));
          const about = t('Input image: {0}×{1} pixels of the sample on screen', shape.rows, shape.cols);
          activate(g, about, () => ctx.select(layer));
          g.append(svg('title', {}, about));
        } else {
          const line = (row: number, text: string) => Object.assign(svg('text', { x: x(column), y: by + 28 + row * 18, class: 'block-text', 'text-anchor': 'middle' }), { textContent: text });
          const min = svg('tspan', { class: 'num' });
          const max = svg('tspan', { class: 'num' });
          const minLine = line(2, `${t('min')} `);
          const maxLine = line(3, `${t('max')} `);
          minLine.append(min);
          maxLine.append(max);
          g.append(line(0, column === 0 ? t('{0} inputs', shape.size) : t('{0} units', shape.size)), minLine, maxLine);
          ranges[column] = { min, max };
          const about = t('{0}: too many units to draw one by one; its layer detail shows every number', name);
          activate(g, about, () => ctx.select(layer));
          g.append(svg('title', {}, about));
        }
        figure.append(g);
        continue;
      }
      for (let k = 0; k < shape.shown; k++) {
        const u = shape.first + k;
        const py = y(column, k);
        const g = svg('g', { class: 'node', 'data-node': `${column}:${u}` });
        const ring = svg('circle', { cx: x(column), cy: py, r: 16, class: 'saturation-ring', display: 'none' });
        const circle = svg('circle', { cx: x(column), cy: py, r: NODE_RADIUS });
        const title = svg('title');
        // Above the node, in a group drawn after every edge and node, so nothing covers it.
        const value = svg('text', { x: x(column), y: py - 17, class: 'node-value', 'text-anchor': 'middle' });
        labels.append(value);
        g.append(ring, circle, title);
        const ref: ParameterRef | undefined = column > 0 ? { kind: 'bias', layer: l, out: u } : undefined;
        if (ref) activate(g, t('Bias {0}', `${parameterSymbol(ref).text} (${tracePath(l, 'bias', u)})`), () => ctx.select(l, ref));
        figure.append(g);
        list.push({
          g, setG: attributeWriter(g), circle, setCircle: attributeWriter(circle), ring, setRing: attributeWriter(ring), title, value, ref, unit: u,
          label: column === 0 ? t('Input {0}', u + 1) : t('Unit {0} of layer {1}', u + 1, column),
          symbol: column === 0 ? `x${sub(u + 1)}` : `a${sup(column)}${sub(u + 1)}`,
        });
      }
      if (shape.size > shape.shown) figure.append(pager(column, shape, x(column), y(column, shape.shown - 1) + 30));
    }
    figure.append(labels);
    const activations = new Set(model.layers.map((layer) => layer.activation));
    deadLegend.root.hidden = !activations.has('relu');
    saturatedLegend.root.hidden = !activations.has('sigmoid') && !activations.has('tanh');
    return { model, key, height, x, columns, edges, nodes, pixels, ranges, band, focus };
  }

  /** ▲ units a–b / n ▼ below a paged column: every unit is a page or two away. */
  function pager(column: number, shape: Extract<Column, { kind: 'units' }>, cx: number, cy: number): SVGGElement {
    const range = Object.assign(svg('text', { x: cx, y: cy, class: 'more', 'text-anchor': 'middle', 'data-pager-range': String(column) }),
      { textContent: `${shape.first + 1}–${shape.first + shape.shown} / ${shape.size}` });
    const button = (direction: -1 | 1) => {
      const target = Math.min(Math.max(0, shape.first + direction * WINDOW), shape.size - shape.shown);
      const disabled = target === shape.first;
      const bx = cx + direction * 44;
      const g = svg('g', { class: `pager${disabled ? ' disabled' : ''}`, 'data-pager': `${column}:${direction < 0 ? 'previous' : 'next'}` },
        svg('rect', { x: bx - 11, y: cy - 13, width: 22, height: 18, rx: 4, class: 'pager-target' }),
        Object.assign(svg('text', { x: bx, y: cy, 'text-anchor': 'middle' }), { textContent: direction < 0 ? '▲' : '▼' }));
      const label = direction < 0 ? t('Previous units') : t('Next units');
      g.append(svg('title', {}, label));
      if (disabled) g.setAttribute('aria-disabled', 'true');
      activate(g, label, () => {
        if (disabled) return;
        firsts[column] = target;
        view.render(false);
      });
      return g;
    };
    return svg('g', { class: 'pagers' }, button(-1), range, button(1));
  }

  /** Frames the debugger's operation: one layer's column, the output column for the loss, every layer for the update. */
  function placeFocus(shown: Layout, phase: Phase | undefined): void {
    setAttr(figure, 'data-focus', phase && phaseKey(phase));
    setText(focusLabel, phase ? t('Debugger frame: {0}', phaseText(ctx, phase)) : '');
    shown.focus.style.display = phase ? '' : 'none';
    if (!phase) return;
    const last = shown.model.layers.length;
    const [from, to] = phase.kind === 'update' ? [1, last] : phase.kind === 'loss' ? [last, last] : [phase.layer + 1, phase.layer + 1];
    setAttr(shown.focus, 'x', String(shown.x(from) - 26));
    setAttr(shown.focus, 'width', String(shown.x(to) - shown.x(from) + 52));
    setAttr(shown.focus, 'class', `focus-band ${phase.kind}`);
  }

  const view: View = {
    root: card.root,
    render(themeChanged) {
      if (!palette || themeChanged) palette = readPalette();
      const model = state.model!;
      // A newly selected parameter pages its units into view; the learner's own paging stays otherwise.
      const selected = state.view.selectedParameter;
      const selectedKey = selected && JSON.stringify(selected);
      if (selected && selectedKey !== followed) {
        follow(selected.layer + 1, selected.out);
        if (selected.kind === 'weight') follow(selected.layer, selected.in);
      }
      followed = selectedKey;
      const columns = columnsOf(model, firsts);
      const key = columns.map((c) => (c.kind === 'units' ? c.first : c.kind)).join();
      if (layout?.model !== model || layout.key !== key) layout = build(model, columns, key);
      const mode = state.view.diagramMode;
      modeButtons.forEach((b, i) => setAttr(b, 'aria-checked', String(modes[i] === mode)));

      const next = state.position?.next;
      const banded = !!next && next.kind !== 'loss' && next.kind !== 'update';
      layout.band.style.display = banded ? '' : 'none';
      if (banded) {
        setAttr(layout.band, 'x', String(layout.x(next.layer + 1) - 22));
        setAttr(layout.band, 'class', `phase-band ${next.kind}`);
      }
      placeFocus(layout, state.focus);
      let deadCount = 0;
      let saturatedCount = 0;
      const sample = state.view.sample;

      // One scale for every drawn edge and one for every drawn node, so colours compare across layers.
      const drawn = (column: number) => layout!.columns[column].kind === 'units';
      // Only what is drawn is read (the host sends what the views read): a column's page of units (an
      // image or a block: all of them), and the edges between two pages (none into or out of a block).
      const unitsDrawn = (column: number): IndexRange[] | undefined => {
        const c = layout!.columns[column];
        return c.kind === 'units' ? [[c.first, c.first + c.shown]] : undefined;
      };
      const edgesDrawn = (l: number): IndexRange[] => {
        const [from, to] = [layout!.columns[l], layout!.columns[l + 1]] as Extract<Column, { kind: 'units' }>[];
        return Array.from({ length: to.shown }, (_, b): IndexRange => [(to.first + b) * from.size + from.first, (to.first + b) * from.size + from.first + from.shown]);
      };
      const edgeValues = model.layers.map((_, l) => (drawn(l) && drawn(l + 1) ? full(state, tensorName(l, EDGE_TENSOR[mode]), edgesDrawn(l)) : undefined));
      const scale = Math.max(0, ...edgeValues.map((values, l) => (values ? maxAbs(values, edgesDrawn(l)) : 0)));
      const edgeQuantity = LAYER_QUANTITIES[EDGE_TENSOR[mode]];
      setAttr(edgeScale.root, 'title', t(edgeQuantity.meaning));
      edgeScale.set(palette, scale, t('Edges: {0}', t(edgeQuantity.title)));
      setText(thicknessText, t('thickness ∝ |value|'));
      for (let l = 0; l < model.layers.length; l++) {
        const values = edgeValues[l];
        for (const edge of layout.edges[l]) {
          const value = values?.[edge.index];
          edge.setLine('class', isSelected(edge.ref) ? 'edge selected' : 'edge');
          edge.setLine('stroke', value === undefined ? palette.grid : diverging(palette, value, scale));
          edge.setLine('stroke-width', (value === undefined || scale === 0 ? 1 : EDGE_WIDTH.min + (EDGE_WIDTH.max - EDGE_WIDTH.min) * Math.abs(value) / scale).toFixed(2));
          setText(edge.title, value === undefined ? edge.label : `${edge.label}: ${exact(value)}`);
          markNumber(edge.line, value, quantityName(l, EDGE_TENSOR[mode], sample, edge.ref.out, edge.ref.in));
        }
      }

      // Inputs are the network's a⁰ (value mode); they have no δ or Δb, so other modes leave them plain.
      // An image input always shows its sample: it is the picture the learner is looking at.
      // A block shows only its smallest and largest number, which the host finds (extremesOf).
      const nodeTensor = (column: number) => (column > 0 ? tensorName(column - 1, NODE_TENSOR[mode])
        : mode === 'value' || layout!.columns[0].kind === 'image' ? tensorName(0, 'input') : undefined);
      const nodeSample = mode === 'update' ? 'mean' : sample;
      const nodeValues = layout.columns.map((shape, column) => {
        const name = nodeTensor(column);
        if (!name || shape.kind === 'block') return undefined;
        return mode === 'update' && column > 0 ? full(state, name, unitsDrawn(column)) : sampleOf(state, name, sample, unitsDrawn(column));
      });
      const nodeScaleMax = Math.max(0, ...nodeValues.map((values, column) => (drawn(column) ? maxAbs(values, unitsDrawn(column)) : 0)));
      const nodeQuantity = LAYER_QUANTITIES[NODE_TENSOR[mode]];
      setAttr(nodeScale.root, 'title', t(nodeQuantity.meaning));
      const which = mode === 'update' ? '' : ` · ${sample === 'mean' ? t('Batch mean') : t('Sample {0}', sample + 1)}`;
      nodeScale.set(palette, nodeScaleMax, `${t('Nodes: {0}', t(nodeQuantity.title))}${which}`);
      for (let column = 0; column < layout.columns.length; column++) {
        const l = column - 1;
        const [layer, field] = column === 0 ? [0, 'input' as const] : [l, NODE_TENSOR[mode]];
        const values = nodeValues[column];
        const name = (u: number) => quantityName(layer, field, nodeSample, u);
        const range = layout.ranges[column];
        const blockTensor = range && nodeTensor(column);
        if (range) showRange(range, blockTensor ? extremesOf(state, blockTensor, nodeSample) : undefined, name);
        if (column === 0 && layout.pixels.length) showImage(layout.pixels, values, name);
        const health = column > 0 ? state.unitHealth?.[l] : undefined;
        const dead = new Set(health?.dead);
        const saturated = new Set(health?.saturated);
        deadCount += dead.size;
        saturatedCount += saturated.size;
        for (const node of layout.nodes[column]) {
          const u = node.unit;
          const value = values?.[u];
          const mark = dead.has(u) ? 'dead' : saturated.has(u) ? 'saturated' : undefined;
          node.setG('class', `node${node.ref && isSelected(node.ref) ? ' selected' : ''}${mark ? ` ${mark}` : ''}`);
          node.setG('data-health', mark);
          node.setRing('display', mark === 'saturated' ? 'inline' : 'none');
          node.setCircle('fill', mark === 'dead' ? 'url(#dead-hatch)' : value === undefined ? palette.background : diverging(palette, value, nodeScaleMax));
          const text = value === undefined ? node.label : `${node.label} (${node.symbol}): ${exact(value)}`;
          setText(node.title, mark ? `${text}\n${mark === 'dead' ? deadText : saturatedText}` : text);
          setText(node.value, value === undefined ? '' : short(value, 3));
          markNumber(node.value, value, name(u));
        }
      }
      setNumber(deadLegend.count, deadCount, 'count(unitHealth.dead)');
      setNumber(saturatedLegend.count, saturatedCount, 'count(unitHealth.saturated)');
    },
  };
  return view;
}

/**
 * `shape` with its hover `title` beside it in a group, not inside it: a step restyles the shape
 * (its stroke, width or grey), and Blink restyles an SVG shape with a child element many times
 * slower (88 edges with a <title> child: 8–30 ms a restyle in Chromium, against 0.7 ms without).
 * The tooltip is the group's, which a pointer over the shape shows.
 */
function titledGroup(title: SVGTitleElement, shape: SVGElement): SVGGElement {
  return svg('g', {}, title, shape);
}

/** A block's smallest and largest value, each marked as the element it is (so a reader can find it). */
function showRange(range: { min: SVGTSpanElement; max: SVGTSpanElement }, found: ReturnType<typeof extremesOf>, name: (unit: number) => string): void {
  const ends = found ? [[range.min, found.lowest, found.low], [range.max, found.highest, found.high]] as const : [[range.min, -1, NaN], [range.max, -1, NaN]] as const;
  for (const [node, u, v] of ends) {
    const value = u < 0 ? undefined : v;
    setText(node, short(value));
    markNumber(node, value, value === undefined ? undefined : name(u));
  }
}

/** An image input's pixels in grey, from its sample's smallest value (background) to its largest (foreground). */
function showImage(pixels: readonly { rect: SVGRectElement; title: SVGTitleElement; label: string }[], values: ArrayLike<number> | undefined, name: (unit: number) => string): void {
  const all = Array.from(values ?? []);
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  pixels.forEach((pixel, u) => {
    const value = values?.[u];
    setAttr(pixel.rect, 'fill-opacity', value === undefined || !(hi > lo) ? '0' : ((value - lo) / (hi - lo)).toFixed(3));
    setText(pixel.title, value === undefined ? pixel.label : `${pixel.label} = ${exact(value)}`);
    markNumber(pixel.rect, value, name(u));
  });
}
