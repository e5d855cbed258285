import type { ActivationsResult, ExplorerResult } from '../../../protocol/explorers';
import { errorBox, labelled, numberInput, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { axes, frame, legend, polyline } from '../plot';

/** The lecture's names of the engine's activations. */
const NAMES: Record<string, string> = { sigmoid: 'sigmoid σ', tanh: 'tanh', relu: 'ReLU', 'leaky-relu': 'leaky ReLU' };
/** The same colour per function as lesson 6's walkthrough picture (scripts/make-walkthrough-images.ts). */
const SERIES: Record<string, string> = { sigmoid: 'series-0', tanh: 'series-1', relu: 'series-3', 'leaky-relu': 'series-2' };

export function activationsView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const slope = numberInput(0.1, { min: '0', max: '1', step: '0.01' });
  const send = () => ctx.request({ view: 'activations', slope: Math.min(1, Math.max(0, Number(slope.value) || 0)) });
  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      slope.addEventListener('input', send);
      root.append(el('h2', {}, ctx.t('f (solid) and its derivative f′ (dashed)')), el('div', { attrs: { class: 'controls' } }, labelled(ctx.t('Leaky ReLU slope'), slope)), out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as ActivationsResult;
      const range = { x0: -5, x1: 5, y0: -1.2, y1: 2 };
      // One plot per function: ReLU and leaky ReLU coincide for z > 0, so drawn together one hides the other.
      const plots = r.curves.map((curve, i) => {
        const series = SERIES[curve.name] ?? `series-${i}`;
        const f = frame(range, 300, 220, NAMES[curve.name] ?? curve.name);
        f.svg.dataset.activation = curve.name;
        axes(f, range, 'z');
        polyline(f, r.z.map((z, k) => [z, curve.value[k]]), series).dataset.curve = 'value';
        polyline(f, r.z.map((z, k) => [z, curve.derivative[k]]), `${series} dashed`).dataset.curve = 'derivative';
        legend(f, [[NAMES[curve.name] ?? curve.name, series]], 44, 14);
        return f.svg;
      });
      out.replaceChildren(el('div', { attrs: { class: 'small-multiples' } }, ...plots), el('p', { attrs: { class: 'note' } }, ctx.t('Where f′ is near 0 (sigmoid and tanh far from 0, ReLU below 0) almost no gradient passes: saturated and dead units.')));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
