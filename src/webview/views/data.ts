// Data: 2-D inputs as points (train, validation, test marked; the current batch ringed) over the
// host's decision grid; 1-D regression as points and the model's curve; otherwise the batch table.
// The plot has axes with round-number ticks and the inputs' names; its legend lists only the splits
// that have points, and for classifiers the class colours (the same in the prediction bars).
import type { DataView } from '../../protocol/messages';
import type { Context } from '../store';
import { el, section } from '../dom';
import { setNumber, short } from '../format';
import { type Palette, readPalette, withAlpha } from '../theme';
import type { View } from './view';

const SIZE = 260;
/** Room around the plot for the axes: tick labels and the axis titles. */
const AXES = { left: 46, bottom: 36, top: 8, right: 10 };
const MAX_TABLE_COLUMNS = 10;

function bounds(values: ArrayLike<number>, stride: number, offset: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < values.length; i += stride) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const pad = (hi - lo) * 0.08 || 1;
  return [lo - pad, hi + pad];
}

/** Round-number ticks (1, 2 or 5 × 10ⁿ apart) inside [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  // Multiples of the step, computed from integers so 0.1 + 0.2 never shows as 0.30000000000000004.
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

function marker(g: CanvasRenderingContext2D, x: number, y: number, split: number): void {
  g.beginPath();
  if (split === 0) g.arc(x, y, 4, 0, Math.PI * 2);
  else if (split === 1) g.rect(x - 3.5, y - 3.5, 7, 7);
  else {
    g.moveTo(x, y - 4.5);
    g.lineTo(x + 4.5, y + 3.5);
    g.lineTo(x - 4.5, y + 3.5);
    g.closePath();
  }
}

export function createData(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('data', t('Data'));
  let palette: Palette | undefined;
  let drawn: DataView | undefined;

  function plot(view: Extract<DataView, { kind: 'points' | 'curve' }>): HTMLElement {
    const p = palette!;
    const canvas = el('canvas', { id: 'data-plot', attrs: { role: 'img', 'aria-label': t('Data') } });
    const ratio = window.devicePixelRatio || 1;
    const [width, height] = [AXES.left + SIZE + AXES.right, AXES.top + SIZE + AXES.bottom];
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const g = canvas.getContext('2d')!;
    g.scale(ratio, ratio);
    g.translate(AXES.left, AXES.top);
    const twoD = view.kind === 'points';
    // A regression's ranges hold both the samples and the model's curve, so neither leaves the axes.
    const [x0, x1] = twoD ? (view.grid ? [view.grid.xMin, view.grid.xMax] : bounds(view.x, 2, 0)) : bounds([...view.x, ...view.curve.x], 1, 0);
    const [y0, y1] = twoD ? (view.grid ? [view.grid.yMin, view.grid.yMax] : bounds(view.x, 2, 1)) : bounds([...view.y, ...view.curve.y], 1, 0);
    const sx = (v: number) => ((v - x0) / (x1 - x0)) * SIZE;
    const sy = (v: number) => SIZE - ((v - y0) / (y1 - y0)) * SIZE;
    if (view.kind === 'points' && view.grid) {
      const grid = view.grid;
      const cw = SIZE / grid.nx;
      const ch = SIZE / grid.ny;
      for (let r = 0; r < grid.ny; r++) {
        for (let c = 0; c < grid.nx; c++) {
          const v = grid.values[r * grid.nx + c];
          g.fillStyle = grid.kind === 'class'
            ? withAlpha(p.classes[Math.round(v) % p.classes.length], 0.22)
            : grid.kind === 'probability'
              ? withAlpha(v >= 0.5 ? p.classes[1] : p.classes[0], 0.08 + 0.4 * Math.abs(v - 0.5))
              : withAlpha(p.positive, 0.1);
          g.fillRect(c * cw, SIZE - (r + 1) * ch, cw + 0.5, ch + 0.5);
        }
      }
    }
    g.strokeStyle = p.grid;
    g.strokeRect(0.5, 0.5, SIZE - 1, SIZE - 1);
    const names = state.model?.dataset.inputNames;
    const xTicks = niceTicks(x0, x1);
    const yTicks = niceTicks(y0, y1);
    drawAxes(g, p, xTicks.map((v) => [sx(v), v]), yTicks.map((v) => [sy(v), v]),
      names?.[0] ?? (twoD ? 'x₁' : 'x'), twoD ? names?.[1] ?? 'x₂' : t('target y'));
    Object.assign(canvas.dataset, {
      plotLeft: String(AXES.left), plotTop: String(AXES.top), xRange: `${x0},${x1}`, yRange: `${y0},${y1}`,
      xTicks: xTicks.join(','), yTicks: yTicks.join(','),
    });
    if (view.kind === 'curve') {
      g.strokeStyle = p.series[1];
      g.lineWidth = 2;
      g.beginPath();
      view.curve.x.forEach((cx, i) => (i ? g.lineTo(sx(cx), sy(view.curve.y[i])) : g.moveTo(sx(cx), sy(view.curve.y[i]))));
      g.stroke();
    }
    const inBatch = new Set(view.batch);
    const n = view.split.length;
    // What the picture shows, in words, for screen readers and tests.
    const count = (k: number) => view.split.reduce((sum, s) => sum + (s === k ? 1 : 0), 0);
    canvas.setAttribute('aria-label', `${t('Data')}: ${t('train')} ${count(0)}, ${t('validation')} ${count(1)}, ${t('test')} ${count(2)}; ${t('current batch')} ${view.batch.length}`);
    Object.assign(canvas.dataset, { train: String(count(0)), validation: String(count(1)), test: String(count(2)), batch: view.batch.join(','), size: String(SIZE) });
    for (let i = 0; i < n; i++) {
      const px = sx(view.x[twoD ? 2 * i : i]);
      const py = sy(twoD ? view.x[2 * i + 1] : (view as { y: Float64Array }).y[i]);
      const label = view.kind === 'points' ? view.label[i] : 0;
      const color = view.kind === 'points' && state.model?.dataset.task === 'classification' ? p.classes[Math.round(label) % p.classes.length] : p.series[0];
      marker(g, px, py, view.split[i]);
      g.fillStyle = view.split[i] === 0 ? color : withAlpha(color, 0.35);
      g.fill();
      g.strokeStyle = p.background;
      g.lineWidth = 1;
      g.stroke();
      if (inBatch.has(view.index ? view.index[i] : i)) {
        g.beginPath();
        g.arc(px, py, 8, 0, Math.PI * 2);
        g.strokeStyle = p.foreground;
        g.lineWidth = 1.5;
        g.stroke();
      }
    }
    return canvas;
  }

  /** Tick marks and labels on the left and bottom edges of the plot, and the axes' names. */
  function drawAxes(g: CanvasRenderingContext2D, p: Palette, xTicks: [number, number][], yTicks: [number, number][], xName: string, yName: string): void {
    g.save();
    g.strokeStyle = p.muted;
    g.fillStyle = p.muted;
    g.lineWidth = 1;
    g.font = `10px ${p.monospace}`;
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const [px, v] of xTicks) {
      g.beginPath();
      g.moveTo(Math.round(px) + 0.5, SIZE);
      g.lineTo(Math.round(px) + 0.5, SIZE + 4);
      g.stroke();
      g.fillText(short(v, 3), px, SIZE + 6);
    }
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const [py, v] of yTicks) {
      g.beginPath();
      g.moveTo(-4, Math.round(py) + 0.5);
      g.lineTo(0, Math.round(py) + 0.5);
      g.stroke();
      g.fillText(short(v, 3), -6, py);
    }
    g.fillStyle = p.foreground;
    g.font = '11px sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'bottom';
    g.fillText(xName, SIZE / 2, SIZE + AXES.bottom - 2);
    g.translate(-AXES.left + 2, SIZE / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = 'top';
    g.fillText(yName, 0, 0);
    g.restore();
  }

  /** The marks of the splits that have points, the batch ring, and the class colours of a classifier. */
  function legend(view: Extract<DataView, { kind: 'points' | 'curve' }>): HTMLElement {
    const item = (cls: string, text: string) => el('span', { className: 'legend-item', attrs: { 'data-legend': cls } }, el('span', { className: `swatch ${cls}` }), text);
    const splits = (['train', 'validation', 'test'] as const).filter((_, k) => view.split.includes(k)).map((name) => item(name, t(name)));
    const classifier = state.model?.dataset.task === 'classification' && view.kind === 'points';
    // Class k is drawn in palette.classes[k]; without names (one sigmoid output) the labels are the classes.
    const classCount = classifier ? state.model?.dataset.classNames?.length ?? Math.max(...view.label) + 1 : 0;
    const classes = Array.from({ length: classCount }, (_, k) => {
      const name = state.model?.dataset.classNames?.[k] ?? t('class {0}', k);
      const swatch = el('span', { className: 'swatch class' });
      swatch.style.background = palette!.classes[k % palette!.classes.length];
      return el('span', { className: 'legend-item', attrs: { 'data-legend': `class-${k}` } }, swatch, name);
    });
    return el('div', { className: 'legend' }, ...splits, item('batch', t('current batch')), ...classes);
  }

  function table(view: Extract<DataView, { kind: 'table' }>): HTMLElement {
    const cols = view.columns.slice(0, MAX_TABLE_COLUMNS);
    const width = view.columns.length;
    const inputs = view.inputColumns;
    // Dataset sample n's input c is dataset.x[n][c]; its target dataset.t[n] (one column) or dataset.t[n][k].
    const quantity = (n: number, c: number) =>
      c < inputs ? `dataset.x[${n}][${c}]` : width - inputs === 1 ? `dataset.t[${n}]` : `dataset.t[${n}][${c - inputs}]`;
    return el('div', { className: 'scroll' }, el('table', { className: 'matrix data-table' },
      el('thead', {}, el('tr', {}, el('th', { text: '#' }), ...cols.map((c) => el('th', { text: c })), width > cols.length ? el('th', { text: '⋯' }) : undefined)),
      el('tbody', {}, ...Array.from({ length: view.rows }, (_, r) => el('tr', {}, el('th', { className: 'muted', text: String(view.batch[r]) }),
        ...cols.map((_, c) => {
          const td = el('td', { className: 'num', attrs: { 'data-row': String(r), 'data-column': String(c) } });
          setNumber(td, view.values[r * width + c], quantity(view.batch[r], c));
          return td;
        }))))));
  }

  return {
    root: card.root,
    render(themeChanged) {
      // The host sends a new data view when the data or the model changes; redraw only then.
      if (state.dataView === drawn && !themeChanged && palette) return;
      if (!palette || themeChanged) palette = readPalette();
      const view = state.dataView;
      drawn = view;
      card.root.hidden = !view;
      card.body.replaceChildren();
      if (!view) return;
      if (view.kind === 'table') card.body.append(el('p', { className: 'muted', text: t('Batch of {0} samples', view.rows) }), table(view));
      else card.body.append(plot(view), legend(view));
    },
  };
}
