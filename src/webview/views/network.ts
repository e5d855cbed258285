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
import type { Context } from '../store';
import { el, section, setAttr, setText, svg } from '../dom';
import { exact, markNumber, setNumber, short, sub, sup } from '../format';
import { type Palette, diverging, readPalette } from '../theme';
import { full, maxAbs, quantityName, sampleOf } from '../tensors';
import type { View } from './view';
import { phaseText } from './toolbar';
import { type LayerFieldName, tensorName, tracePath } from '../../engine/layerFields';
import { parameterSymbol } from '../../engine/notation';
import { colourScale } from './colourScale';
import { LAYER_QUANTITIES } from '../quantities';

const MAX_NODES = 12;
const COLUMN_GAP = 150;
const ROW_GAP = 42; // room for a value label above each node
const EDGE_WIDTH = { min: 0.75, max: 5.25 }; // px at |value| = 0 and at the scale's max
const HIT_WIDTH = 12; // px: the invisible stroke that takes an edge's clicks
const MARGIN = { x: 48, y: 36 };

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

  interface Edge { line: SVGLineElement; title: SVGTitleElement; label: string; ref: Extract<ParameterRef, { kind: 'weight' }>; index: number }
  interface UnitNode { g: SVGGElement; circle: SVGCircleElement; ring: SVGCircleElement; title: SVGTitleElement; value: SVGTextElement; label: string; symbol: string; ref?: ParameterRef }
  interface Layout { model: ModelSummary; height: number; x: (column: number) => number; edges: Edge[][]; nodes: UnitNode[][]; band: SVGRectElement; focus: SVGRectElement }
  let layout: Layout | undefined;

  /** The diagram's elements, made once per model; steps only change their colours, widths and texts. */
  function build(model: ModelSummary): Layout {
    const sizes = [model.inputs, ...model.layers.map((l) => l.units)];
    const shown = sizes.map((n) => Math.min(n, MAX_NODES));
    const height = MARGIN.y * 2 + (Math.max(...shown) - 1) * ROW_GAP + 26;
    const width = MARGIN.x * 2 + (sizes.length - 1) * COLUMN_GAP;
    figure.setAttribute('viewBox', `0 0 ${width} ${height}`);
    figure.setAttribute('width', String(width));
    figure.setAttribute('height', String(height));
    figure.replaceChildren();
    const x = (column: number) => MARGIN.x + column * COLUMN_GAP;
    const y = (column: number, unit: number) => height / 2 + (unit - (shown[column] - 1) / 2) * ROW_GAP;
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
      for (let j = 0; j < shown[l + 1]; j++) {
        for (let i = 0; i < shown[l]; i++) {
          const ref: Edge['ref'] = { kind: 'weight', layer: l, out: j, in: i };
          const ends = { x1: x(l), y1: y(l, i), x2: x(l + 1), y2: y(l + 1, j) };
          const line = svg('line', { ...ends, class: 'edge', 'data-param': `w:${l}:${j}:${i}` });
          const title = svg('title');
          const label = t('Weight {0}', `${parameterSymbol(ref).text} (${tracePath(l, 'weights', j, i)})`);
          line.append(title);
          activate(line, label, () => ctx.select(l, ref));
          // Beneath every drawn edge, so a click on an edge's stroke is always that edge's, and a click
          // beside it still lands on the nearest one.
          const hit = svg('line', { ...ends, class: 'edge-hit', 'stroke-width': HIT_WIDTH, 'aria-hidden': 'true' });
          hit.addEventListener('click', () => ctx.select(l, ref));
          hits.append(hit);
          group.append(line);
          list.push({ line, title, label, ref, index: j * sizes[l] + i });
        }
      }
      figure.append(group);
      edges.push(list);
    }
    const nodes: UnitNode[][] = [];
    const labels = svg('g', { class: 'node-labels' });
    for (let column = 0; column < sizes.length; column++) {
      const l = column - 1;
      const name = column === 0 ? t('Input') : column === sizes.length - 1 ? t('Output') : t('Layer {0}', column);
      // A layer too large to draw unit by unit says how many units it has.
      const label = sizes[column] > shown[column] ? `${name} · ${sizes[column]}` : name;
      figure.append(Object.assign(svg('text', { x: x(column), y: 18, class: 'column-label', 'text-anchor': 'middle' }), { textContent: label }));
      if (column > 0) figure.append(Object.assign(svg('text', { x: x(column), y: height - 6, class: 'column-sub', 'text-anchor': 'middle' }), { textContent: model.layers[l].activation }));
      const list: UnitNode[] = [];
      for (let u = 0; u < shown[column]; u++) {
        const py = y(column, u);
        const g = svg('g', { class: 'node', 'data-node': `${column}:${u}` });
        const ring = svg('circle', { cx: x(column), cy: py, r: 16, class: 'saturation-ring', display: 'none' });
        const circle = svg('circle', { cx: x(column), cy: py, r: 12 });
        const title = svg('title');
        // Above the node, in a group drawn after every edge and node, so nothing covers it.
        const value = svg('text', { x: x(column), y: py - 17, class: 'node-value', 'text-anchor': 'middle' });
        labels.append(value);
        g.append(ring, circle, title);
        const ref: ParameterRef | undefined = column > 0 ? { kind: 'bias', layer: l, out: u } : undefined;
        if (ref) activate(g, t('Bias {0}', `${parameterSymbol(ref).text} (${tracePath(l, 'bias', u)})`), () => ctx.select(l, ref));
        figure.append(g);
        list.push({
          g, circle, ring, title, value, ref,
          label: column === 0 ? t('Input {0}', u + 1) : t('Unit {0} of layer {1}', u + 1, column),
          symbol: column === 0 ? `x${sub(u + 1)}` : `a${sup(column)}${sub(u + 1)}`,
        });
      }
      nodes.push(list);
      if (sizes[column] > shown[column]) {
        figure.append(Object.assign(svg('text', { x: x(column), y: y(column, shown[column] - 1) + 26, class: 'more', 'text-anchor': 'middle' }), { textContent: `⋯ +${sizes[column] - shown[column]}` }));
      }
    }
    figure.append(labels);
    const activations = new Set(model.layers.map((layer) => layer.activation));
    deadLegend.root.hidden = !activations.has('relu');
    saturatedLegend.root.hidden = !activations.has('sigmoid') && !activations.has('tanh');
    return { model, height, x, edges, nodes, band, focus };
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

  return {
    root: card.root,
    render(themeChanged) {
      if (!palette || themeChanged) palette = readPalette();
      const model = state.model!;
      if (layout?.model !== model) layout = build(model);
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

      // One scale for every edge and one for every node, so colours compare across layers.
      const edgeValues = model.layers.map((_, l) => full(state, tensorName(l, EDGE_TENSOR[mode])));
      const scale = Math.max(0, ...edgeValues.map(maxAbs));
      const edgeQuantity = LAYER_QUANTITIES[EDGE_TENSOR[mode]];
      edgeScale.root.title = t(edgeQuantity.meaning);
      edgeScale.set(palette, scale, t('Edges: {0}', t(edgeQuantity.title)));
      setText(thicknessText, t('thickness ∝ |value|'));
      for (let l = 0; l < model.layers.length; l++) {
        const values = edgeValues[l];
        for (const edge of layout.edges[l]) {
          const value = values?.[edge.index];
          setAttr(edge.line, 'class', isSelected(edge.ref) ? 'edge selected' : 'edge');
          setAttr(edge.line, 'stroke', value === undefined ? palette.grid : diverging(palette, value, scale));
          setAttr(edge.line, 'stroke-width', (value === undefined || scale === 0 ? 1 : EDGE_WIDTH.min + (EDGE_WIDTH.max - EDGE_WIDTH.min) * Math.abs(value) / scale).toFixed(2));
          setText(edge.title, value === undefined ? edge.label : `${edge.label}: ${exact(value)}`);
          markNumber(edge.line, value, quantityName(l, EDGE_TENSOR[mode], state.view.sample, edge.ref.out, edge.ref.in));
        }
      }

      // Inputs are the network's a⁰ (value mode); they have no δ or Δb, so other modes leave them plain.
      const nodeValues = layout.nodes.map((_, column) => {
        if (column === 0) return mode === 'value' ? sampleOf(state, tensorName(0, 'input'), state.view.sample) : undefined;
        const name = tensorName(column - 1, NODE_TENSOR[mode]);
        return mode === 'update' ? full(state, name) : sampleOf(state, name, state.view.sample);
      });
      const nodeScaleMax = Math.max(0, ...nodeValues.map(maxAbs));
      const nodeQuantity = LAYER_QUANTITIES[NODE_TENSOR[mode]];
      nodeScale.root.title = t(nodeQuantity.meaning);
      const which = mode === 'update' ? '' : ` · ${state.view.sample === 'mean' ? t('Batch mean') : t('Sample {0}', state.view.sample + 1)}`;
      nodeScale.set(palette, nodeScaleMax, `${t('Nodes: {0}', t(nodeQuantity.title))}${which}`);
      for (let column = 0; column < layout.nodes.length; column++) {
        const l = column - 1;
        const [layer, field] = column === 0 ? [0, 'input' as const] : [l, NODE_TENSOR[mode]];
        const sample = state.view.sample;
        const values = nodeValues[column];
        const scale = nodeScaleMax;
        const health = column > 0 ? state.unitHealth?.[l] : undefined;
        const dead = new Set(health?.dead);
        const saturated = new Set(health?.saturated);
        deadCount += dead.size;
        saturatedCount += saturated.size;
        layout.nodes[column].forEach((node, u) => {
          const value = values?.[u];
          const mark = dead.has(u) ? 'dead' : saturated.has(u) ? 'saturated' : undefined;
          setAttr(node.g, 'class', `node${node.ref && isSelected(node.ref) ? ' selected' : ''}${mark ? ` ${mark}` : ''}`);
          setAttr(node.g, 'data-health', mark);
          setAttr(node.ring, 'display', mark === 'saturated' ? 'inline' : 'none');
          setAttr(node.circle, 'fill', mark === 'dead' ? 'url(#dead-hatch)' : value === undefined ? palette!.background : diverging(palette!, value, scale));
          const text = value === undefined ? node.label : `${node.label} (${node.symbol}): ${exact(value)}`;
          setText(node.title, mark ? `${text}\n${mark === 'dead' ? deadText : saturatedText}` : text);
          setText(node.value, value === undefined ? '' : short(value, 3));
          markNumber(node.value, value, quantityName(layer, field, sample, u));
        });
      }
      setNumber(deadLegend.count, deadCount, 'count(unitHealth.dead)');
      setNumber(saturatedLegend.count, saturatedCount, 'count(unitHealth.saturated)');
    },
  };
}
