// Draws the walkthrough's SVG images from the engine's own functions, so each picture shows
// the curves the lessons compute. Colors are VS Code theme variables (walkthrough `svg` media
// resolves them), with fallbacks for viewers outside VS Code.
// Run: npx tsx scripts/make-walkthrough-images.ts
import { writeFileSync } from 'node:fs';
import { ELEMENTWISE_ACTIVATIONS } from '../src/engine/activations';
import { coinFlipEntropyCurve } from '../src/engine/information';
import { unitBallBoundary } from '../src/engine/norms';
import { createOptimizer } from '../src/engine/optimizers';
import type { OptimizerSpec } from '../src/engine/types';

const W = 480;
const H = 300;
const FG = 'var(--vscode-foreground, #333)';
const MUTED = 'var(--vscode-descriptionForeground, #777)';
const C1 = 'var(--vscode-charts-blue, #1a85ff)';
const C2 = 'var(--vscode-charts-orange, #d18616)';
const C3 = 'var(--vscode-charts-green, #388a34)';
const C4 = 'var(--vscode-charts-purple, #652d90)';
const C5 = 'var(--vscode-charts-red, #e51400)';

type Box = { x0: number; x1: number; y0: number; y1: number; left: number; top: number; width: number; height: number };
const sx = (b: Box, x: number) => b.left + ((x - b.x0) / (b.x1 - b.x0)) * b.width;
const sy = (b: Box, y: number) => b.top + (1 - (y - b.y0) / (b.y1 - b.y0)) * b.height;
const path = (b: Box, pts: Array<[number, number]>, close = false) =>
  pts.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(b, x).toFixed(1)},${sy(b, y).toFixed(1)}`).join('') + (close ? 'Z' : '');
const line = (d: string, color: string, width = 2.5, dash = '') =>
  `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`;
const text = (x: number, y: number, s: string, color = FG, size = 15, anchor = 'start') =>
  `<text x="${x}" y="${y}" fill="${color}" font-size="${size}" text-anchor="${anchor}" font-family="system-ui, sans-serif">${s}</text>`;
const axes = (b: Box) =>
  line(`M${b.left},${sy(b, 0)}H${b.left + b.width}M${sx(b, 0)},${b.top}V${b.top + b.height}`, MUTED, 1);
const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">\n${body}\n</svg>\n`;
const sample = (from: number, to: number, n: number, f: (x: number) => number): Array<[number, number]> =>
  Array.from({ length: n }, (_, i) => { const x = from + ((to - from) * i) / (n - 1); return [x, f(x)]; });

const images: Record<string, string> = {};

// 1. optimization: data points, the fitted line, residuals, J
{
  const b: Box = { x0: -0.5, x1: 4.5, y0: 0, y1: 10, left: 40, top: 30, width: 280, height: 240 };
  const xs = [0, 1, 2, 3, 4];
  const ts = [1.1, 2.9, 5.2, 6.8, 9.1];
  const fit = (x: number) => 2 * x + 1;
  let body = axes(b) + line(path(b, [[-0.3, fit(-0.3)], [4.3, fit(4.3)]]), C1);
  xs.forEach((x, i) => {
    body += line(`M${sx(b, x)},${sy(b, ts[i])}V${sy(b, fit(x))}`, C5, 1.5, '4 3');
    body += `<circle cx="${sx(b, x)}" cy="${sy(b, ts[i])}" r="5" fill="${C2}"/>`;
  });
  body += text(340, 90, 'min<tspan font-style="italic" font-size="11" dy="4">θ</tspan><tspan dy="-4"> J(θ)</tspan>', FG, 20);
  body += text(340, 130, 'J = ¹⁄ₙ Σ (t − y)²', FG, 15);
  body += text(340, 160, 'y = w·x + b', C1, 15);
  body += text(340, 190, 'θ = (w, b)', MUTED, 15);
  images['optimization'] = svg(body);
}

// 2. norms and information: unit balls for p = 1, 2, 4, ∞ and the coin-flip entropy curve
{
  const b: Box = { x0: -1.25, x1: 1.25, y0: -1.25, y1: 1.25, left: 20, top: 30, width: 220, height: 220 };
  let body = axes(b);
  const balls: Array<[number, string, string]> = [[1, C1, 'p=1'], [2, C3, 'p=2'], [4, C4, 'p=4'], [Infinity, C2, 'p=∞']];
  balls.forEach(([p, color, label], i) => {
    body += line(path(b, unitBallBoundary(p, 200), true), color);
    body += text(30 + i * 55, 280, label, color, 14);
  });
  const e: Box = { x0: 0, x1: 1, y0: 0, y1: 1.05, left: 280, top: 50, width: 180, height: 180 };
  const curve = coinFlipEntropyCurve(101, 2);
  body += line(`M${e.left},${e.top}V${e.top + e.height}H${e.left + e.width}`, MUTED, 1);
  body += line(path(e, curve.heads.map((h, i) => [h, curve.entropy[i]])), C5);
  body += text(e.left + 90, e.top + e.height + 22, 'p', MUTED, 14, 'middle');
  body += text(e.left + 90, 36, 'H(p) = −Σ p log p', FG, 14, 'middle');
  images['norms-information'] = svg(body);
}

// 3. gradient descent: contours of an elongated bowl and two paths (small α, large α)
{
  const b: Box = { x0: -3, x1: 3, y0: -2, y1: 2, left: 20, top: 20, width: 440, height: 260 };
  const a = 1;
  const c = 6; // J = (a·u² + c·v²)/2
  let body = '';
  for (const level of [0.25, 1, 2.5, 5, 9, 14]) {
    const pts = sample(0, 2 * Math.PI, 120, (t) => t).map(([t]) => [Math.sqrt((2 * level) / a) * Math.cos(t), Math.sqrt((2 * level) / c) * Math.sin(t)] as [number, number]);
    body += line(path(b, pts, true), MUTED, 1);
  }
  const descend = (alpha: number, steps: number) => {
    const pts: Array<[number, number]> = [[-2.6, 1.2]];
    for (let k = 0; k < steps; k++) {
      const [u, v] = pts[pts.length - 1];
      pts.push([u - alpha * a * u, v - alpha * c * v]);
    }
    return pts;
  };
  const small = descend(0.03, 40);
  const large = descend(0.32, 12);
  body += line(path(b, small), C1) + line(path(b, large), C5);
  for (const [u, v] of large) body += `<circle cx="${sx(b, u)}" cy="${sy(b, v)}" r="3" fill="${C5}"/>`;
  body += text(30, 40, 'θ⁺ = θ − α ∂J/∂θ', FG, 17);
  body += text(30, 270, 'α small', C1, 14) + text(120, 270, 'α large', C5, 14);
  images['gradient-descent'] = svg(body);
}

// 4. chain rule: the graph of z = (2x + y)² with forward values and backward gradients
{
  const node = (x: number, y: number, label: string, value: string, grad: string) =>
    `<circle cx="${x}" cy="${y}" r="24" fill="none" stroke="${FG}" stroke-width="2"/>` + text(x, y + 5, label, FG, 16, 'middle') +
    text(x, y - 32, value, C1, 13, 'middle') + text(x, y + 44, grad, C5, 13, 'middle');
  const edge = (x1: number, y1: number, x2: number, y2: number) => line(`M${x1 + 24},${y1}L${x2 - 24},${y2}`, MUTED, 1.5);
  let body = edge(60, 80, 170, 110) + edge(60, 170, 170, 110) + edge(170, 110, 290, 150) + edge(170, 230, 290, 150) + edge(290, 150, 410, 150);
  body += node(60, 80, '2', '2', '') + node(60, 170, 'x', 'x=1', '∂=16') + node(170, 110, '×', '2', '8') + node(170, 230, 'y', 'y=2', '∂=8');
  body += node(290, 150, '+', 't=4', '8') + node(410, 150, '^2', 'z=16', '1');
  body += text(20, 290, '∂z/∂x = 2t · 2 = 8x + 4y', FG, 15);
  images['chain-rule'] = svg(body);
}

// 5. backpropagation: the lecture's 2-layer network, the common part ∂J/∂nₘ highlighted
{
  const circle = (x: number, y: number, label: string, color = FG) =>
    `<circle cx="${x}" cy="${y}" r="20" fill="none" stroke="${color}" stroke-width="2"/>` + text(x, y + 5, label, color, 14, 'middle');
  let body = '';
  const inputs: Array<[number, number]> = [[60, 90], [60, 200]];
  const hidden: Array<[number, number]> = [[220, 90], [220, 200]];
  for (const [ix, iy] of inputs) for (const [hx, hy] of hidden) body += line(`M${ix + 20},${iy}L${hx - 20},${hy}`, hy === 90 ? C2 : MUTED, hy === 90 ? 2.5 : 1);
  for (const [hx, hy] of hidden) body += line(`M${hx + 20},${hy}L${360},${145}`, hy === 90 ? C2 : MUTED, hy === 90 ? 2.5 : 1);
  body += circle(60, 90, 'x₁') + circle(60, 200, 'x₂') + circle(220, 90, 'h₁', C2) + circle(220, 200, 'h₂') + circle(380, 145, 'y');
  body += text(220, 50, 'ReLU', MUTED, 13, 'middle') + text(380, 110, 'Identity', MUTED, 13, 'middle') + text(440, 150, 'J', FG, 16, 'middle');
  body += text(20, 262, '∂J/∂w¹ₙₘ = ∂J/∂y · ∂y/∂n · w²ₘ · ReLU′(nₘ) · xₙ', FG, 14);
  body += text(20, 286, '∂J/∂nₘ: computed once per unit', C2, 14);
  images['backpropagation'] = svg(body);
}

// 6. activations: f (solid) and f′ (dashed) for sigmoid, tanh, ReLU, leaky ReLU
{
  const b: Box = { x0: -4, x1: 4, y0: -1.2, y1: 2.2, left: 20, top: 20, width: 440, height: 240 };
  let body = axes(b);
  // Curves are clipped at the box, never flattened onto its edge (ReLU does not saturate); ReLU is
  // drawn wider, under leaky ReLU, so it shows where the two coincide (z > 0).
  let curves = '';
  const fs: Array<[keyof typeof ELEMENTWISE_ACTIVATIONS, string, string, number]> = [['sigmoid', C1, 'sigmoid', 2.5], ['tanh', C3, 'tanh', 2.5], ['relu', C2, 'ReLU', 6], ['leaky-relu', C4, 'leaky ReLU', 2.5]];
  fs.forEach(([name, color, label, width], i) => {
    const f = ELEMENTWISE_ACTIVATIONS[name];
    const slope = 0.1; // steeper than 0.01 so the leak is visible in a small picture
    curves += line(path(b, sample(-4, 4, 161, (z) => f.value(z, slope))), color, width);
    curves += line(path(b, sample(-4, 4, 161, (z) => f.derivative(z, f.value(z, slope), slope))), color, 1.5, '6 4');
    body += text(30 + i * 105, 288, label, color, 14);
  });
  body += `<defs><clipPath id="box"><rect x="${b.left}" y="${b.top}" width="${b.width}" height="${b.height}"/></clipPath></defs><g clip-path="url(#box)">${curves}</g>`;
  body += text(440, 40, 'f  ── ', FG, 13, 'end') + text(440, 58, "f′ - - ", FG, 13, 'end');
  images['activations'] = svg(body);
}

// 7. optimizer race: a curved valley (Rosenbrock with b = 10) and 150 steps of three optimizers from one start
{
  const b: Box = { x0: -2, x1: 2, y0: -1, y1: 3, left: 20, top: 10, width: 440, height: 280 };
  const rosen = (u: number, v: number) => (1 - u) ** 2 + 10 * (v - u * u) ** 2;
  let body = '';
  // contour lines by marching along each column: cheap dots are enough for a picture
  for (const level of [0.3, 1, 3, 8, 20]) {
    for (let i = 0; i < 220; i++) {
      const u = -2 + (4 * i) / 219;
      for (let j = 0; j < 200; j++) {
        const v = -1 + (4 * j) / 199;
        const next = -1 + (4 * (j + 1)) / 199;
        if ((rosen(u, v) - level) * (rosen(u, next) - level) < 0) body += `<circle cx="${sx(b, u).toFixed(1)}" cy="${sy(b, v).toFixed(1)}" r="0.8" fill="${MUTED}"/>`;
      }
    }
  }
  // Real paths: the engine's optimizers on this valley (gradient written next to the function).
  const gradient = (u: number, v: number) => [-2 * (1 - u) - 40 * u * (v - u * u), 20 * (v - u * u)];
  const racers: Array<[string, OptimizerSpec, string]> = [
    ['SGD', { type: 'sgd', learningRate: 0.003 }, C1],
    ['Momentum', { type: 'sgd', learningRate: 0.004, momentum: 0.9 }, C3],
    ['Adam', { type: 'adam', learningRate: 0.3 }, C5],
  ];
  racers.forEach(([label, spec, color], i) => {
    const optimizer = createOptimizer(spec, { names: ['theta'], sizes: [2] });
    const theta = new Float64Array([-1.5, 2.5]);
    const pts: Array<[number, number]> = [[theta[0], theta[1]]];
    for (let k = 0; k < 150; k++) {
      optimizer.step([theta], [new Float64Array(gradient(theta[0], theta[1]))]);
      pts.push([theta[0], theta[1]]);
    }
    body += line(path(b, pts), color) + text(40 + i * 120, 285, label, color, 14);
  });
  body += `<circle cx="${sx(b, 1)}" cy="${sy(b, 1)}" r="5" fill="${FG}"/>`;
  images['optimizer-race'] = svg(body);
}

// 8. data: population → observed sample → train / validation / test (words in English and Korean)
const DATA_WORDS = {
  en: { world: 'world', sample: 'sample', observed: 'observed data', train: 'train', validation: 'validation', test: 'test', time: 'time' },
  ko: { world: '모집단', sample: '샘플링', observed: '관측 데이터', train: '훈련', validation: '검증', test: '테스트', time: '계산 시간' },
};
for (const [language, words] of Object.entries(DATA_WORDS)) {
  const suffix = language === 'en' ? '' : `.${language}`;
  let body = '';
  const rows = [[C1, 0.6, words.train], [C2, 0.2, words.validation], [C3, 0.2, words.test]] as const;
  body += `<ellipse cx="90" cy="140" rx="70" ry="100" fill="none" stroke="${MUTED}" stroke-width="2"/>` + text(90, 270, words.world, MUTED, 14, 'middle');
  for (let i = 0; i < 40; i++) {
    const t = i * 2.399;
    const r = 60 * Math.sqrt((i + 0.5) / 40);
    body += `<circle cx="${(90 + r * Math.cos(t) * 0.95).toFixed(1)}" cy="${(140 + r * 1.4 * Math.sin(t)).toFixed(1)}" r="2.5" fill="${i % 5 === 0 ? FG : MUTED}"/>`;
  }
  body += line('M170,140H230', FG, 2) + text(200, 130, words.sample, MUTED, 12, 'middle');
  let x = 240;
  rows.forEach(([color, share, label], i) => {
    const width = 220 * share;
    body += `<rect x="${x}" y="115" width="${width - 4}" height="50" fill="${color}" opacity="0.85" rx="4"/>`;
    body += text(x + width / 2 - 2, 190 + 20 * i, label, color, 13, 'middle');
    x += width;
  });
  body += text(240, 90, words.observed, FG, 14);
  images[`data-splits${suffix}`] = svg(body);


  // 9. training units: σ/√n and the 100 vs 10,000 table
  {
  const b: Box = { x0: 1, x1: 4, y0: 0, y1: 1.05, left: 40, top: 30, width: 230, height: 200 };
  let body = line(`M${b.left},${b.top}V${b.top + b.height}H${b.left + b.width}`, MUTED, 1);
  body += line(path(b, sample(1, 4, 100, (e) => 1 / Math.sqrt(10 ** e) * Math.sqrt(10))), C1);
  body += text(b.left + b.width / 2, b.top + b.height + 24, 'n (10 → 10,000, log scale)', MUTED, 12, 'middle');
  body += text(b.left + 10, b.top + 10, 'σ/√n', C1, 16);
  const table = [['n', '100', '10,000'], [words.time, '1×', '100×'], ['σ/√n', 'σ/10', 'σ/100']];
  table.forEach((row, r) => row.forEach((cell, c) => {
    body += text(290 + c * 64, 100 + r * 34, cell, r === 0 || c === 0 ? MUTED : FG, 15);
  }));
  images[`training-units${suffix}`] = svg(body);
  }
}

for (const [name, content] of Object.entries(images)) writeFileSync(`media/walkthrough/${name}.svg`, content);
console.log(`wrote ${Object.keys(images).length} images to media/walkthrough/`);
