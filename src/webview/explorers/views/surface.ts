import type { ExplorerResult, SurfaceResult } from '../../../protocol/explorers';
import { countIn, errorBox, labelled, sentenceWithNumber, numberInput, runButton, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { short } from '../../format';
import { axes, dot, frame, polyline, surfaceContours, wireframe } from '../plot';

const PRESETS: Array<[number, string]> = [[0.01, 'too small'], [0.1, 'good'], [1, 'too large']];

export function surfaceView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const rate = numberInput(0.1, { min: '0.000001', max: '10', step: '0.01', id: 'surface-rate' });
  const steps = numberInput(40, { min: '1', max: '500', step: '1' });
  const send = () => ctx.request({
    view: 'surface', learningRate: Math.min(10, Math.max(1e-6, Number(rate.value) || 0.1)),
    steps: countIn(steps, 40, 1, 500),
  });
  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      const presets = PRESETS.map(([value, name]) => {
        const button = el('button', { attrs: { type: 'button', class: 'secondary' } }, `α = ${value} (${ctx.t(name)})`);
        button.addEventListener('click', () => { rate.value = String(value); send(); });
        return button;
      });
      root.append(el('h2', {}, ctx.t('Contours of J(w, b) and the gradient-descent path θ⁺ = θ − α ∂J/∂θ')),
        el('div', { attrs: { class: 'controls' } }, labelled(ctx.t('Step size α'), rate), labelled(ctx.t('Steps'), steps), runButton(ctx, send), ...presets), out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as SurfaceResult;
      const f = surfaceContours(r.grid, 400, 320);
      polyline(f, r.path, 'series-0');
      r.path.forEach((p, i) => { if (i === 0 || i === r.path.length - 1 || r.path.length < 30) dot(f, p, i === 0 ? 'point-1' : 'point-0', i === 0 ? 5 : 3); });
      // A log scale, as in the race: a diverging path's J grows by many orders of magnitude.
      const logs = r.losses.filter((l) => Number.isFinite(l) && l > 0).map(Math.log10);
      const lo = Math.floor(Math.min(...logs));
      const lossRange = { x0: 0, x1: Math.max(1, r.losses.length - 1), y0: lo, y1: Math.max(lo + 1, Math.ceil(Math.max(...logs))) };
      const lossPlot = frame(lossRange, 300, 200);
      axes(lossPlot, lossRange, ctx.t('Steps'), 'log₁₀ J');
      polyline(lossPlot, r.losses.map((l, i) => [i, Math.log10(Math.max(l, 10 ** lo))]), 'series-0');
      const last = r.losses[r.losses.length - 1];
      out.replaceChildren(
        el('div', { attrs: { class: 'row' } }, el('figure', {}, f.svg), el('figure', {}, wireframe(r.grid.ws, r.grid.bs, r.grid.values, r.path, r.losses, 400, 320), el('figcaption', {}, ctx.t('3-D view')))),
        el('div', { attrs: { class: 'row' } }, el('figure', {}, lossPlot.svg, el('figcaption', {}, ctx.t('Loss per step (log scale)'))),
          el('div', {}, sentenceWithNumber(ctx.t('J after {0} steps: {1}', r.path.length - 1, short(last)), last, `surface.losses[${r.losses.length - 1}]`),
            ...(r.diverged ? [el('p', { attrs: { class: 'error', role: 'alert' } }, ctx.t('The path diverged: α is too large for this surface.'))] : []))),
      );
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}

