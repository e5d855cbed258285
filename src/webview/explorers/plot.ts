// SVG drawing for the explorers: axes, lines, contours (marching squares over the host's grid)
// and a simple 3-D wireframe. Colors come from CSS classes bound to --vscode-* variables.
// Data is drawn inside a clip of the plot box: a curve that leaves the box is cut at its edge,
// never flattened onto it (a ReLU clamped at the top would look as if it saturated).
import type { SurfaceGrid } from '../../protocol/explorers';
import { short } from '../format';

// `s` is the webview's one SVG builder (../dom.ts), short here because plots call it on every line.
import { svg as s } from '../dom';

export interface Frame {
  svg: SVGSVGElement;
  /** The group clipped to the plot box, where curves, points and contours go. */
  data: SVGGElement;
  x(v: number): number;
  y(v: number): number;
  /** The data x at an SVG x coordinate (where a click on the plot lands). */
  xAt(px: number): number;
}

let clipCount = 0;

export interface Range { x0: number; x1: number; y0: number; y1: number }

/** Margins around the plot box: the legend above, tick labels and the axis label below and left. */
const MARGIN = { left: 40, right: 12, top: 24, bottom: 40 };

/** An SVG with a data window mapped onto its plot box. */
export function frame(range: Range, width = 420, height = 300, label?: string): Frame {
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot', role: 'img' });
  if (label) svg.setAttribute('aria-label', label);
  const box = { x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
  const x = (v: number) => box.x + ((v - range.x0) / (range.x1 - range.x0)) * box.width;
  const y = (v: number) => box.y + box.height - ((v - range.y0) / (range.y1 - range.y0)) * box.height;
  const clipId = `plot-clip-${++clipCount}`;
  const data = s('g', { class: 'plot-data', 'clip-path': `url(#${clipId})` });
  svg.append(s('defs', {}, s('clipPath', { id: clipId }, s('rect', box))), s('rect', { ...box, class: 'plot-area' }), data);
  const xAt = (px: number) => range.x0 + ((px - box.x) / box.width) * (range.x1 - range.x0);
  return { svg, data, x, y, xAt };
}

export function axes(f: Frame, range: Range, xLabel = '', yLabel = ''): void {
  const g = s('g', { class: 'axis' });
  const ticks = (lo: number, hi: number) => {
    const step = 10 ** Math.floor(Math.log10((hi - lo) / 4));
    const nice = [1, 2, 5, 10].map((m) => m * step).find((st) => (hi - lo) / st <= 6) ?? step * 10;
    const out: number[] = [];
    for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(Number(v.toPrecision(6)));
    return out;
  };
  for (const v of ticks(range.x0, range.x1)) {
    g.append(s('line', { x1: f.x(v), x2: f.x(v), y1: f.y(range.y0), y2: f.y(range.y0) + 4 }), s('text', { x: f.x(v), y: f.y(range.y0) + 16, 'text-anchor': 'middle' }, tickLabel(v)));
  }
  for (const v of ticks(range.y0, range.y1)) {
    g.append(s('line', { x1: f.x(range.x0) - 4, x2: f.x(range.x0), y1: f.y(v), y2: f.y(v) }), s('text', { x: f.x(range.x0) - 6, y: f.y(v) + 4, 'text-anchor': 'end' }, tickLabel(v)));
  }
  if (range.y0 < 0 && range.y1 > 0) g.append(s('line', { x1: f.x(range.x0), x2: f.x(range.x1), y1: f.y(0), y2: f.y(0), class: 'zero' }));
  if (range.x0 < 0 && range.x1 > 0) g.append(s('line', { x1: f.x(0), x2: f.x(0), y1: f.y(range.y0), y2: f.y(range.y1), class: 'zero' }));
  if (xLabel) g.append(s('text', { x: f.x((range.x0 + range.x1) / 2), y: f.y(range.y0) + 34, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  // High enough that its subscripts clear the top tick's label ("log₁₀ J" sat on the "1").
  if (yLabel) g.append(s('text', { x: 4, y: f.y(range.y1) - 14, class: 'axis-label' }, yLabel));
  f.svg.insertBefore(g, f.data);
}

/** Short enough for the margin at any scale (1e+20 would otherwise print as 21 digits). */
const tickLabel = (v: number) => short(v, 3);

export function polyline(f: Frame, points: ReadonlyArray<readonly [number, number]>, cls: string, close = false): SVGPathElement {
  const d = points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
    .map(([a, b], i) => `${i ? 'L' : 'M'}${f.x(a).toFixed(1)},${f.y(b).toFixed(1)}`).join('') + (close ? 'Z' : '');
  const path = s('path', { d, class: cls, fill: 'none' });
  f.data.append(path);
  return path;
}

export function dot(f: Frame, [a, b]: readonly [number, number], cls: string, r = 3.5): SVGCircleElement {
  const circle = s('circle', { cx: f.x(a), cy: f.y(b), r, class: cls });
  f.data.append(circle);
  return circle;
}

/** A key above the plot: a short line for a series, a dot for points drawn with dot() (class point-…). */
export function legend(f: Frame, entries: Array<[string, string]>, x = 44, y = 16, spacing = 96): void {
  entries.forEach(([label, cls], i) => {
    const gx = x + i * spacing;
    const mark = cls.startsWith('point-') ? s('circle', { cx: gx + 8, cy: y, r: 4, class: cls }) : s('line', { x1: gx, x2: gx + 16, y1: y, y2: y, class: cls });
    f.svg.append(mark, s('text', { x: gx + 20, y: y + 4, class: 'legend' }, label));
  });
}

/** Contour lines of values[j][i] at (xs[i], ys[j]) for the given levels (marching squares). */
export function contours(f: Frame, xs: number[], ys: number[], values: number[][], levels: number[]): void {
  const g = s('g', { class: 'contour' });
  for (const level of levels) {
    let d = '';
    for (let j = 0; j + 1 < ys.length; j++) {
      for (let i = 0; i + 1 < xs.length; i++) {
        const corners: Array<[number, number, number]> = [
          [xs[i], ys[j], values[j][i]], [xs[i + 1], ys[j], values[j][i + 1]],
          [xs[i + 1], ys[j + 1], values[j + 1][i + 1]], [xs[i], ys[j + 1], values[j + 1][i]],
        ];
        const crossings: Array<[number, number]> = [];
        for (let k = 0; k < 4; k++) {
          const [ax, ay, av] = corners[k];
          const [bx, by, bv] = corners[(k + 1) % 4];
          if ((av - level) * (bv - level) < 0) {
            const t = (level - av) / (bv - av);
            crossings.push([ax + t * (bx - ax), ay + t * (by - ay)]);
          }
        }
        for (let k = 0; k + 1 < crossings.length; k += 2) {
          d += `M${f.x(crossings[k][0]).toFixed(1)},${f.y(crossings[k][1]).toFixed(1)}L${f.x(crossings[k + 1][0]).toFixed(1)},${f.y(crossings[k + 1][1]).toFixed(1)}`;
        }
      }
    }
    g.append(s('path', { d, fill: 'none' }));
  }
  f.data.append(g);
}

/** A (w, b) plane with the contours of J over the host's grid, for paths to be drawn on. */
export function surfaceContours({ ws, bs, values }: SurfaceGrid, width: number, height: number): Frame {
  const range = { x0: ws[0], x1: ws[ws.length - 1], y0: bs[0], y1: bs[bs.length - 1] };
  const f = frame(range, width, height);
  axes(f, range, 'w', 'b');
  contours(f, ws, bs, values, contourLevels(values));
  return f;
}

/** Levels spaced evenly in log(J − min), so both the bowl's floor and its walls get lines. */
export function contourLevels(values: number[][], count = 12): number[] {
  const flat = values.flat().filter(Number.isFinite);
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const span = hi - lo || 1;
  return Array.from({ length: count }, (_, k) => lo + span * Math.exp(Math.log(1e-3) * (1 - (k + 1) / count)));
}

/** A wireframe of the surface seen from above at an angle, with the path lifted onto it. */
export function wireframe(xs: number[], ys: number[], values: number[][], path: ReadonlyArray<readonly [number, number]>, losses: number[], width = 420, height = 300): SVGSVGElement {
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot', role: 'img' });
  const flat = values.flat().filter(Number.isFinite);
  const zMin = Math.min(...flat);
  const zMax = Math.max(...flat);
  const azimuth = -0.7;
  const elevation = 0.55;
  const project = (x: number, y: number, z: number): [number, number] => {
    const u = (x - xs[0]) / (xs[xs.length - 1] - xs[0]) - 0.5;
    const v = (y - ys[0]) / (ys[ys.length - 1] - ys[0]) - 0.5;
    const w = (Math.min(z, zMax) - zMin) / (zMax - zMin || 1) - 0.5;
    const px = u * Math.cos(azimuth) - v * Math.sin(azimuth);
    const depth = u * Math.sin(azimuth) + v * Math.cos(azimuth);
    const py = w * Math.cos(elevation) - depth * Math.sin(elevation);
    return [width / 2 + px * width * 0.62, height / 2 - py * height * 0.75];
  };
  const g = s('g', { class: 'mesh' });
  const every = Math.max(1, Math.floor(xs.length / 20));
  for (let j = 0; j < ys.length; j += every) {
    g.append(s('path', { d: xs.map((x, i) => `${i ? 'L' : 'M'}${project(x, ys[j], values[j][i]).map((c) => c.toFixed(1)).join(',')}`).join(''), fill: 'none' }));
  }
  for (let i = 0; i < xs.length; i += every) {
    g.append(s('path', { d: ys.map((y, j) => `${j ? 'L' : 'M'}${project(xs[i], y, values[j][i]).map((c) => c.toFixed(1)).join(',')}`).join(''), fill: 'none' }));
  }
  svg.append(g);
  const inside = (x: number, y: number) => x >= xs[0] && x <= xs[xs.length - 1] && y >= ys[0] && y <= ys[ys.length - 1];
  const lifted = path.map(([x, y], k) => [x, y, losses[k]] as const).filter(([x, y, z]) => inside(x, y) && Number.isFinite(z));
  svg.append(s('path', { d: lifted.map(([x, y, z], k) => `${k ? 'L' : 'M'}${project(x, y, z).map((c) => c.toFixed(1)).join(',')}`).join(''), class: 'series-0', fill: 'none' }));
  return svg;
}
