// The network diagram: units as nodes, weights as edges. Colour and thickness show the weight's
// value, its gradient or its update (the user's choice); node fill shows the unit's activation
// (value), delta (gradient) or bias update (update) for the chosen sample or the batch mean.
// The layer of the operation that runs next is outlined. Large layers show their first units.
import type { DiagramMode, ModelSummary, ParameterRef } from '../../protocol/messages';
import type { Context } from '../store';
import { el, section, setAttr, setText, svg } from '../dom';
import { exact, short, sub, sup } from '../format';
import { type Palette, diverging, readPalette } from '../theme';
import { full, maxAbs, sampleOf } from '../tensors';
import type { View } from './view';

const MAX_NODES = 12;
const COLUMN_GAP = 150;
const ROW_GAP = 34;
const MARGIN = { x: 48, y: 36 };

const EDGE_TENSOR: Record<DiagramMode, string> = { value: 'weights', gradient: 'gradWeights', update: 'updateWeights' };
const NODE_TENSOR: Record<DiagramMode, string> = { value: 'a', gradient: 'delta', update: 'updateBias' };

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
  card.body.append(figure);
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

  interface Edge { line: SVGLineElement; title: SVGTitleElement; label: string; ref: ParameterRef; index: number }
  interface UnitNode { g: SVGGElement; circle: SVGCircleElement; title: SVGTitleElement; value: SVGTextElement; label: string; symbol: string; ref?: ParameterRef }
  interface Layout { model: ModelSummary; height: number; x: (column: number) => number; edges: Edge[][]; nodes: UnitNode[][]; band: SVGRectElement }
  let layout: Layout | undefined;

  /** The diagram's elements, made once per model; steps only change their colours, widths and texts. */
  function build(model: ModelSummary): Layout {
    const sizes = [model.inputs, ...model.layers.map((l) => l.units)];
    const shown = sizes.map((n) => Math.min(n, MAX_NODES));
    const height = MARGIN.y * 2 + (Math.max(...shown) - 1) * ROW_GAP + 16;
    const width = MARGIN.x * 2 + (sizes.length - 1) * COLUMN_GAP;
    figure.setAttribute('viewBox', `0 0 ${width} ${height}`);
    figure.setAttribute('width', String(width));
    figure.setAttribute('height', String(height));
    figure.replaceChildren();
    const x = (column: number) => MARGIN.x + column * COLUMN_GAP;
    const y = (column: number, unit: number) => height / 2 + (unit - (shown[column] - 1) / 2) * ROW_GAP;
    const band = svg('rect', { class: 'phase-band', y: 8, width: 44, height: height - 16, rx: 10 });
    figure.append(band);
    const edges: Edge[][] = [];
    for (let l = 0; l < model.layers.length; l++) {
      const group = svg('g', { class: 'edges' });
      const list: Edge[] = [];
      for (let j = 0; j < shown[l + 1]; j++) {
        for (let i = 0; i < shown[l]; i++) {
          const ref: ParameterRef = { kind: 'weight', layer: l, out: j, in: i };
          const line = svg('line', { x1: x(l), y1: y(l, i), x2: x(l + 1), y2: y(l + 1, j), class: 'edge', 'data-param': `w:${l}:${j}:${i}` });
          const title = svg('title');
          const label = t('Weight W[{0}][{1}] of layer {2}', j, i, l + 1);
          line.append(title);
          activate(line, label, () => ctx.select(l, ref));
          group.append(line);
          list.push({ line, title, label, ref, index: j * sizes[l] + i });
        }
      }
      figure.append(group);
      edges.push(list);
    }
    const nodes: UnitNode[][] = [];
    for (let column = 0; column < sizes.length; column++) {
      const l = column - 1;
      const label = column === 0 ? t('Input') : column === sizes.length - 1 ? t('Output') : t('Layer {0}', column);
      figure.append(Object.assign(svg('text', { x: x(column), y: 18, class: 'column-label', 'text-anchor': 'middle' }), { textContent: label }));
      if (column > 0) figure.append(Object.assign(svg('text', { x: x(column), y: height - 6, class: 'column-sub', 'text-anchor': 'middle' }), { textContent: model.layers[l].activation }));
      const list: UnitNode[] = [];
      for (let u = 0; u < shown[column]; u++) {
        const py = y(column, u);
        const g = svg('g', { class: 'node', 'data-node': `${column}:${u}` });
        const circle = svg('circle', { cx: x(column), cy: py, r: 12 });
        const title = svg('title');
        const value = svg('text', { x: x(column) + 16, y: py + 4, class: 'node-value' });
        g.append(circle, title, value);
        const ref: ParameterRef | undefined = column > 0 ? { kind: 'bias', layer: l, out: u } : undefined;
        if (ref) activate(g, t('Bias b[{0}] of layer {1}', u, column), () => ctx.select(l, ref));
        figure.append(g);
        list.push({
          g, circle, title, value, ref,
          label: column === 0 ? t('Input {0}', u + 1) : t('Unit {0} of layer {1}', u + 1, column),
          symbol: column === 0 ? `x${sub(u + 1)}` : `a${sup(column)}${sub(u + 1)}`,
        });
      }
      nodes.push(list);
      if (sizes[column] > shown[column]) {
        figure.append(Object.assign(svg('text', { x: x(column), y: y(column, shown[column] - 1) + 26, class: 'more', 'text-anchor': 'middle' }), { textContent: `⋯ +${sizes[column] - shown[column]}` }));
      }
    }
    return { model, height, x, edges, nodes, band };
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

      for (let l = 0; l < model.layers.length; l++) {
        const values = full(state, `layers[${l}].${EDGE_TENSOR[mode]}`);
        const scale = maxAbs(values);
        for (const edge of layout.edges[l]) {
          const value = values?.[edge.index];
          setAttr(edge.line, 'class', isSelected(edge.ref) ? 'edge selected' : 'edge');
          setAttr(edge.line, 'stroke', value === undefined ? palette.grid : diverging(palette, value, scale));
          setAttr(edge.line, 'stroke-width', (value === undefined || scale === 0 ? 1 : 0.75 + 4.5 * Math.abs(value) / scale).toFixed(2));
          setText(edge.title, value === undefined ? edge.label : `${edge.label}: ${exact(value)}`);
          setAttr(edge.line, 'data-value', value === undefined ? undefined : exact(value));
        }
      }

      for (let column = 0; column < layout.nodes.length; column++) {
        const l = column - 1;
        const name = column === 0 ? 'layers[0].input' : mode === 'update' ? `layers[${l}].updateBias` : `layers[${l}].${NODE_TENSOR[mode]}`;
        const values = column > 0 && mode === 'update' ? full(state, name) : sampleOf(state, name, state.view.sample);
        const scale = maxAbs(values);
        layout.nodes[column].forEach((node, u) => {
          const value = values?.[u];
          setAttr(node.g, 'class', node.ref && isSelected(node.ref) ? 'node selected' : 'node');
          setAttr(node.circle, 'fill', value === undefined ? palette!.background : diverging(palette!, value, scale));
          setText(node.title, value === undefined ? node.label : `${node.label} (${node.symbol}): ${exact(value)}`);
          setAttr(node.g, 'data-value', value === undefined ? undefined : exact(value));
          setText(node.value, value === undefined ? '' : short(value, 3));
        });
      }
    },
  };
}
