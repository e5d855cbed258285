import type { ExplorerResult, NoiseResult } from '../../../protocol/explorers';
import { errorBox, formatNumber, h, labelled, numberInput, table, type ExplorerViewModule, type ViewContext } from '../context';
import { axes, dot, frame, legend, polyline } from '../plot';

export function noiseView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const draws = numberInput(100, { min: '10', max: '1000', step: '10' });
  const send = () => ctx.request({ view: 'noise', draws: Math.min(1000, Math.max(10, Math.round(Number(draws.value) || 100))) });
  return {
    mount(root, context) {
      ctx = context;
      out = h('div', { class: 'output' });
      const run = h('button', { type: 'button' }, ctx.t('Run'));
      run.addEventListener('click', send);
      root.append(h('h2', {}, ctx.t('Standard deviation of ∂J/∂w over random mini-batches of n samples, and the fit σ/√n')),
        h('div', { class: 'controls' }, labelled(ctx.t('Draws per batch size'), draws), run), out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as NoiseResult;
      const logs = r.std.map((v) => Math.log10(v));
      const range = { x0: 0, x1: Math.log10(r.sizes[r.sizes.length - 1]), y0: Math.floor(Math.min(...logs) - 0.2), y1: Math.ceil(Math.max(...logs) + 0.2) };
      const f = frame(range, 420, 300);
      axes(f, range, `log₁₀ ${ctx.t('batch size n')}`, 'log₁₀ std');
      const fit: Array<[number, number]> = Array.from({ length: 41 }, (_, i) => { const e = (range.x1 * i) / 40; return [e, Math.log10(r.sigma / Math.sqrt(10 ** e))]; });
      polyline(f, fit, 'series-1 dashed');
      r.sizes.forEach((n, i) => dot(f, [Math.log10(n), logs[i]], 'point-0', 5));
      legend(f, [['std', 'series-0'], ['σ/√n', 'series-1 dashed']], 240, 14);
      const at = (n: number) => r.std[r.sizes.indexOf(n)];
      const rows = [[ctx.t('mini-batch size'), '100', '10,000'],
        [ctx.t('computation'), '1×', ctx.t('{0}× more', 100)],
        [ctx.t('standard deviation of the gradient'), formatNumber(at(100)), `${formatNumber(at(10000))} (${ctx.t('{0}× smaller', formatNumber(at(100) / at(10000), 3))})`]];
      out.replaceChildren(h('div', { class: 'row' }, f.svg, h('div', {}, h('p', {}, ctx.t('Fitted σ = {0}', formatNumber(r.sigma))),
        ...(r.sizes.includes(10000) ? [table(rows)] : []),
        table([['n', ...r.sizes.map(String)], ['std', ...r.std.map((v) => formatNumber(v, 3))]]))));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
