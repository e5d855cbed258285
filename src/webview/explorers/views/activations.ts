import type { ActivationsResult, ExplorerResult } from '../../../protocol/explorers';
import { errorBox, labelled, numberInput, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { axes, frame, legend, polyline } from '../plot';

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
      const f = frame(range, 560, 340);
      axes(f, range, 'z');
      r.curves.forEach((curve, i) => {
        polyline(f, r.z.map((z, k) => [z, Math.min(range.y1, curve.value[k])]), `series-${i}`);
        polyline(f, r.z.map((z, k) => [z, curve.derivative[k]]), `series-${i} dashed`);
      });
      legend(f, r.curves.map((c, i) => [c.name, `series-${i}`]), 44, 14);
      out.replaceChildren(f.svg, el('p', { attrs: { class: 'note' } }, ctx.t('Where f′ is near 0 (sigmoid and tanh far from 0, ReLU below 0) almost no gradient passes: saturated and dead units.')));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
