import type { ExplorerResult, NoiseResult } from '../../../protocol/explorers';
import { countIn, errorBox, explorerNumber, labelled, numberInput, runButton, sentenceWithNumber, table, withSubscripts, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { short } from '../../format';
import { axes, dot, frame, legend, polyline } from '../plot';

export function noiseView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const draws = numberInput(100, { min: '10', max: '1000', step: '10' });
  const send = () => ctx.request({ view: 'noise', draws: countIn(draws, 100, 10, 1000) });

  /** The lecture's table: cost and spread of mini-batches of 100 and 10,000, measured both ways. */
  function lectureTable(r: NoiseResult): HTMLTableElement[] {
    const t = r.lecture;
    if (!t) return [];
    const [small, large] = t.sizes.map((n) => n.toLocaleString('en-US'));
    const spread = (label: string, row: { std: [number, number]; ratio: number; predictedRatio: number }) =>
      [label, short(row.std[0]), short(row.std[1]), ctx.t('{0}× smaller (σ/√n: {1}×)', short(1 / row.ratio, 3), short(1 / row.predictedRatio, 3))];
    return [table([
      [ctx.t('mini-batch size'), small, large, ''],
      [ctx.t('computation'), '1×', `${short(t.computationRatio)}×`, ctx.t('{0}× more', short(t.computationRatio))],
      spread(ctx.t('spread, independent draws'), t.withReplacement),
      spread(ctx.t("spread, the trainer's batches (without replacement)"), t.withoutReplacement),
    ])];
  }

  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      root.append(el('h2', {}, ...withSubscripts(ctx.t('Spread of the mini-batch gradient, √E‖g_B − g‖², over random mini-batches of n samples, against σ/√n'))),
        el('div', { attrs: { class: 'controls' } }, labelled(ctx.t('Draws per batch size'), draws), runButton(ctx, send)), out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as NoiseResult;
      const logs = r.std.map((v) => Math.log10(v));
      const predicted = r.predicted.map((v) => Math.log10(v));
      const all = [...logs, ...predicted];
      // Half a dot's width beyond the first and last batch size, so the plot box does not clip their dots.
      const range = { x0: -0.2, x1: Math.log10(r.sizes[r.sizes.length - 1]) + 0.2, y0: Math.floor(Math.min(...all) - 0.2), y1: Math.ceil(Math.max(...all) + 0.2) };
      const f = frame(range, 420, 300);
      axes(f, range, `log₁₀ ${ctx.t('batch size n')}`, 'log₁₀ std');
      polyline(f, r.sizes.map((n, i) => [Math.log10(n), predicted[i]]), 'series-1 dashed');
      r.sizes.forEach((n, i) => dot(f, [Math.log10(n), logs[i]], 'point-0', 5));
      legend(f, [['std', 'point-0'], ['σ/√n', 'series-1 dashed']], 240, 14);
      out.replaceChildren(el('div', { attrs: { class: 'row' } }, f.svg, el('div', {},
        sentenceWithNumber(ctx.t("σ = {0}, from every sample's own gradient: σ² = (1/N) Σᵢ ‖gᵢ − g‖²", short(r.sigma)), r.sigma, 'noise.sigma'),
        sentenceWithNumber(ctx.t('Slope of log std against log n: {0} (σ/√n gives −0.5)', short(r.slope, 3)), r.slope, 'noise.slope'),
        ...lectureTable(r),
        table([['n', ...r.sizes.map(String)],
          ['std', ...r.std.map((v, i) => explorerNumber(v, `noise.std[${i}]`, 3))],
          ['σ/√n', ...r.predicted.map((v, i) => explorerNumber(v, `noise.predicted[${i}]`, 3))]]))));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
