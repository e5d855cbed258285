// The network diagram: units as nodes, weights as edges. Colour and thickness show the weight's
// value, its gradient or its update (the user's choice); node fill shows the unit's activation
// (value), delta (gradient) or bias update (update) for the chosen sample or the batch mean.
// The layer of the operation that runs next is outlined. Large layers show their first units.
import type { DiagramMode, ParameterRef } from '../../protocol/messages';
import type { Context } from '../store';
import { el, section, svg } from '../dom';
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

  return {
    root: card.root,
    render(themeChanged) {
      if (!palette || themeChanged) palette = readPalette();
      const model = state.model!;
      const mode = state.view.diagramMode;
      modeButtons.forEach((b, i) => b.setAttribute('aria-checked', String(modes[i] === mode)));
      const sizes = [model.inputs, ...model.layers.map((l) => l.units)];
      const shown = sizes.map((n) => Math.min(n, MAX_NODES));
      const height = MARGIN.y * 2 + (Math.max(...shown) - 1) * ROW_GAP + 16;
      const width = MARGIN.x * 2 + (sizes.length - 1) * COLUMN_GAP;
      figure.setAttribute('viewBox', `0 0 ${width} ${height}`);
      figure.setAttribute('width', String(width));
      figure.setAttribute('height', String(height));
      figure.replaceChildren();
      const pos = (column: number, unit: number) => ({
        x: MARGIN.x + column * COLUMN_GAP,
        y: height / 2 + (unit - (shown[column] - 1) / 2) * ROW_GAP,
      });

      const next = state.position?.next;
      if (next && next.kind !== 'loss' && next.kind !== 'update') {
        const c = pos(next.layer + 1, 0);
        figure.append(svg('rect', { class: `phase-band ${next.kind}`, x: c.x - 22, y: 8, width: 44, height: height - 16, rx: 10 }));
      }

      // Edges first, so nodes sit on top.
      for (let l = 0; l < model.layers.length; l++) {
        const inputs = sizes[l];
        const values = full(state, `layers[${l}].${EDGE_TENSOR[mode]}`);
        const scale = maxAbs(values);
        const group = svg('g', { class: 'edges' });
        for (let j = 0; j < shown[l + 1]; j++) {
          for (let i = 0; i < shown[l]; i++) {
            const a = pos(l, i);
            const b = pos(l + 1, j);
            const value = values?.[j * inputs + i];
            const ref: ParameterRef = { kind: 'weight', layer: l, out: j, in: i };
            const line = svg('line', {
              x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: `edge${isSelected(ref) ? ' selected' : ''}`,
              'data-param': `w:${l}:${j}:${i}`,
              stroke: value === undefined ? palette.grid : diverging(palette, value, scale),
              'stroke-width': value === undefined || scale === 0 ? 1 : 0.75 + 4.5 * Math.abs(value) / scale,
            });
            const label = t('Weight W[{0}][{1}] of layer {2}', j, i, l + 1);
            const title = svg('title');
            title.textContent = value === undefined ? label : `${label}: ${exact(value)}`;
            line.append(title);
            if (value !== undefined) line.dataset.value = exact(value);
            activate(line, label, () => ctx.select(l, ref));
            group.append(line);
          }
        }
        figure.append(group);
      }

      // Nodes: inputs, then each layer's units.
      for (let column = 0; column < sizes.length; column++) {
        const l = column - 1;
        const name = column === 0 ? 'layers[0].input' : mode === 'update' ? `layers[${l}].updateBias` : `layers[${l}].${NODE_TENSOR[mode]}`;
        const values = column > 0 && mode === 'update' ? full(state, name) : sampleOf(state, name, state.view.sample);
        const scale = maxAbs(values);
        const label = column === 0 ? t('Input') : column === sizes.length - 1 ? t('Output') : t('Layer {0}', column);
        const head = pos(column, 0);
        figure.append(Object.assign(svg('text', { x: head.x, y: 18, class: 'column-label', 'text-anchor': 'middle' }), { textContent: label }));
        if (column > 0) {
          const act = model.layers[l].activation;
          figure.append(Object.assign(svg('text', { x: head.x, y: height - 6, class: 'column-sub', 'text-anchor': 'middle' }), { textContent: act }));
        }
        for (let u = 0; u < shown[column]; u++) {
          const p = pos(column, u);
          const value = values?.[u];
          const symbol = column === 0 ? `x${sub(u + 1)}` : `a${sup(column)}${sub(u + 1)}`;
          const g = svg('g', { class: 'node' + (column > 0 && isSelected({ kind: 'bias', layer: l, out: u }) ? ' selected' : ''), 'data-node': `${column}:${u}` });
          const circle = svg('circle', { cx: p.x, cy: p.y, r: 12, fill: value === undefined ? palette.background : diverging(palette, value, scale) });
          const title = svg('title');
          const unitLabel = column === 0 ? t('Input {0}', u + 1) : t('Unit {0} of layer {1}', u + 1, column);
          title.textContent = value === undefined ? unitLabel : `${unitLabel} (${symbol}): ${exact(value)}`;
          g.append(circle, title);
          if (value !== undefined) {
            g.dataset.value = exact(value);
            g.append(Object.assign(svg('text', { x: p.x + 16, y: p.y + 4, class: 'node-value' }), { textContent: short(value, 3) }));
          }
          if (column > 0) activate(g, t('Bias b[{0}] of layer {1}', u, column), () => ctx.select(l, { kind: 'bias', layer: l, out: u }));
          figure.append(g);
        }
        if (sizes[column] > shown[column]) {
          const p = pos(column, shown[column] - 1);
          figure.append(Object.assign(svg('text', { x: p.x, y: p.y + 26, class: 'more', 'text-anchor': 'middle' }), { textContent: `⋯ +${sizes[column] - shown[column]}` }));
        }
      }
    },
  };
}
