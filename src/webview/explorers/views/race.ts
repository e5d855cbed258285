import type { ExplorerResult, RaceResult } from '../../../protocol/explorers';
import { countIn, errorBox, explorerNumber, labelled, numberInput, runButton, table, type ExplorerViewModule, type ViewContext } from '../context';
import { el } from '../../dom';
import { sub } from '../../format';
import { axes, dot, frame, polyline, surfaceContours } from '../plot';

export function raceView(): ExplorerViewModule {
  let ctx: ViewContext;
  let out: HTMLElement;
  const steps = numberInput(60, { min: '1', max: '500', step: '1' });
  const send = () => ctx.request({ view: 'race', steps: countIn(steps, 60, 1, 500) });
  return {
    mount(root, context) {
      ctx = context;
      out = el('div', { attrs: { class: 'output' } });
      root.append(el('h2', {}, ctx.t('Optimizer race')), el('p', { attrs: { class: 'note' } }, ctx.t('Every optimizer starts from the same (w, b) on one sigmoid unit fitted with MSE.')),
        el('div', { attrs: { class: 'controls' } }, labelled(ctx.t('Steps'), steps), runButton(ctx, send)), out);
    },
    activate() { send(); },
    show(result: ExplorerResult) {
      const r = result as RaceResult;
      const f = surfaceContours(r.grid, 460, 360);
      const running = r.racers.map((racer, i) => ({ ...racer, index: i, cls: `series-${i}` })).filter((racer) => !racer.unavailable);
      for (const racer of running) polyline(f, racer.path, racer.cls);
      if (running[0]) dot(f, running[0].path[0], 'point-1', 5);
      const all = running.flatMap((racer) => racer.losses).filter((l) => Number.isFinite(l) && l > 0);
      const lo = Math.floor(Math.log10(Math.min(...all)));
      const hi = Math.ceil(Math.log10(Math.max(...all)));
      const lossRange = { x0: 0, x1: Math.max(...running.map((racer) => racer.losses.length - 1), 1), y0: lo, y1: hi };
      const lossPlot = frame(lossRange, 460, 300);
      axes(lossPlot, lossRange, ctx.t('Steps'), 'log₁₀ J');
      for (const racer of running) polyline(lossPlot, racer.losses.map((l, k) => [k, Math.log10(Math.max(l, 10 ** lo))]), racer.cls);
      const key = el('div', { attrs: { class: 'legend-list' } }, ...running.map((racer) => el('span', { attrs: { class: `key ${racer.cls}` } }, racer.name)));
      out.replaceChildren(key, el('div', { attrs: { class: 'row' } }, f.svg, el('figure', {}, lossPlot.svg, el('figcaption', {}, ctx.t('Loss per step (log scale)')))),
        table([['', `J${sub(0)}`, `J${r.racers[0]?.losses.length ? sub(r.racers[0].losses.length - 1) : ''}`], ...running.map((racer) => {
          const last = racer.losses.length - 1;
          return [racer.name, explorerNumber(racer.losses[0], `race.racers[${racer.index}].losses[0]`), explorerNumber(racer.losses[last], `race.racers[${racer.index}].losses[${last}]`)];
        })]),
        ...r.racers.filter((racer) => racer.unavailable).map((racer) => el('p', { attrs: { class: 'note' } }, ctx.t('{0} is not available: {1}', racer.name, racer.unavailable!))));
    },
    showError(message) { out.replaceChildren(errorBox(message)); },
  };
}
