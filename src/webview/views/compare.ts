// Compare runs (issue 15 item 5): the runs the host trained from the same initial weights (the
// engine's compareRuns, as the CLI's `compare`), overlaid: J per step of each run, and each run's
// path on the 2-D slice of parameter space with the contours of J over it. Shown once the Compare
// Runs command has sent a comparison; hidden before.
import type { CompareResult } from '../../engine/experiments/compare';
import type { Context } from '../store';
import { el, section, setHidden } from '../dom';
import { numberSpan } from '../format';
import { axes, contourLevels, contours, dot, frame, polyline } from '../explorers/plot';
import type { View } from './view';

/** Colour classes of media/plot.css; more runs than this reuse them in turn. */
const SERIES = 9;
/** A loss range wider than this factor is drawn on a log scale, so every run stays readable. */
const LOG_SCALE_RATIO = 50;

export function createCompare(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('compare', t('Compare runs'));
  card.root.hidden = true;
  let drawn: CompareResult | undefined;
  let drawnLocale = '';

  function lossChart(r: CompareResult): SVGSVGElement {
    const finite = r.runs.flatMap((run) => run.stepLoss).filter((v) => Number.isFinite(v) && v > 0);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const log = hi / lo > LOG_SCALE_RATIO;
    const value = (v: number) => (log ? Math.log10(v) : v);
    const steps = Math.max(2, ...r.runs.map((run) => run.steps));
    const range = { x0: 1, x1: steps, y0: value(lo), y1: value(hi) > value(lo) ? value(hi) : value(lo) + 1 };
    const f = frame(range, 420, 240, t('Loss per step'));
    axes(f, range, t('step'), log ? 'log₁₀ J' : 'J');
    r.runs.forEach((run, i) => {
      const curve = polyline(f, run.stepLoss.map((v, k) => [k + 1, value(v)]), `series-${i % SERIES}`);
      curve.dataset.run = String(i);
      curve.dataset.points = String(run.stepLoss.length);
    });
    return f.svg;
  }

  function pathChart(r: CompareResult): SVGSVGElement {
    const { alphas, betas, loss } = r.grid;
    const range = { x0: alphas[0], x1: alphas[alphas.length - 1], y0: betas[0], y1: betas[betas.length - 1] };
    const f = frame(range, 420, 300, t('Paths on the slice'));
    axes(f, range, `α: ${r.slice.labels[0]}`, `β: ${r.slice.labels[1]}`);
    contours(f, alphas, betas, loss, contourLevels(loss));
    r.runs.forEach((run, i) => {
      const path = polyline(f, run.path, `series-${i % SERIES}`);
      path.dataset.run = String(i);
      path.dataset.points = String(run.path.length);
    });
    dot(f, [0, 0], 'point-1', 4);
    return f.svg;
  }

  function summary(r: CompareResult): HTMLTableElement {
    const head = el('tr', {}, ...[t('run'), t('optimizer'), t('training unit'), t('steps'), t('J at the start'), t('J after the last epoch')].map((h) => el('th', { text: h })));
    const rows = r.runs.map((run, i) => el('tr', { attrs: { 'data-run': String(i) } },
      el('td', {}, el('span', { className: `key series-${i % SERIES}`, text: run.label })),
      el('td', { text: run.optimizer.type }),
      el('td', { text: run.batch.mode === 'mini-batch' ? `mini-batch ${run.batch.size}` : run.batch.mode }),
      el('td', { className: 'num', text: String(run.steps) }),
      el('td', {}, numberSpan(run.epochLoss[0], `compare.runs[${i}].epochLoss[0]`)),
      el('td', {}, numberSpan(run.epochLoss[run.epochLoss.length - 1], `compare.runs[${i}].epochLoss[${run.epochLoss.length - 1}]`), run.stopped ? el('div', { className: 'warning', text: run.stopped }) : undefined)));
    return el('table', { className: 'compare-table' }, el('thead', {}, head), el('tbody', {}, ...rows));
  }

  return {
    root: card.root,
    render(themeChanged) {
      const r = state.compare;
      setHidden(card.root, !r);
      if (!r || (r === drawn && state.locale === drawnLocale && !themeChanged)) return;
      drawn = r;
      drawnLocale = state.locale;
      const slice = r.slice.kind === 'parameters'
        ? t('the plane of the two parameters (α, β: their change from the start)')
        : t('two random directions from the start (seed {0})', r.slice.seed ?? 0);
      card.body.replaceChildren(
        el('p', { className: 'note', text: t('{0} runs of {1} from the same initial weights, {2} epochs each.', r.runs.length, r.model, r.epochs) }),
        el('div', { className: 'compare-charts' },
          el('figure', {}, lossChart(r), el('figcaption', { text: t('Batch loss per step') })),
          el('figure', {}, pathChart(r), el('figcaption', { text: `${t('Paths on the slice')}: ${slice}` }))),
        el('div', { className: 'scroll' }, summary(r)));
    },
  };
}
