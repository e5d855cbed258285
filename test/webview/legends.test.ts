// Every view explains itself (issue 15 item 1), in Chromium, fed by the host's own builders
// (test/support/sessionHost.ts): the colour scales' ranges are the max |value| of what they colour,
// computed here from an independent Trainer run (test/support/engineSteps.ts); heatmaps of one kind
// share one scale; the data plot's ticks cover its data; every quantity name has its meaning in
// English and Korean; the buttons name their shortcuts; nothing overflows a 420 px panel.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type InspectorPage, launch, openInspector } from '../support/browserPage';
import { SessionHost } from '../support/sessionHost';
import { type EngineRun, runSteps, syntheticModel } from '../support/engineSteps';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import type { LayerRecord } from '../../src/engine/types';
import type { Browser } from 'playwright-core';

const ROOT = resolve(__dirname, '../..');
const BATCH = 4;
const STEP = 5;
// 4 layers, two of them wider than the diagram draws unit by unit.
const deep = runSteps(syntheticModel([2, 16, 16, 8, 1], ['tanh', 'relu', 'tanh', 'sigmoid'], 'binary-cross-entropy', 24), STEP, BATCH);
const korean: Record<string, string> = JSON.parse(readFileSync(resolve(ROOT, 'l10n/bundle.l10n.ko.json'), 'utf8'));
const english = Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]));
const koreanStrings = Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, korean[s]]));

const maxAbs = (...arrays: ArrayLike<number>[]) => Math.max(...arrays.flatMap((a) => Array.from(a, Math.abs)));
/** Column means of a rows × cols matrix: the batch mean of a per-sample quantity. */
const columnMeans = (m: Float64Array, rows: number): Float64Array => {
  const cols = m.length / rows;
  return Float64Array.from({ length: cols }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += m[r * cols + c];
    return s / rows;
  });
};
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

async function open(run: EngineRun, options: { width?: number; strings?: Record<string, string>; locale?: string; browser?: Browser; theme?: 'light' | 'dark' } = {}) {
  const view = await openInspector({ theme: options.theme ?? 'light', width: options.width, lang: options.locale, browser: options.browser });
  const host = SessionHost.open(run.model);
  await view.send(host.init(options.strings ?? english, options.locale ?? 'en'));
  for (const message of await host.at(STEP)) await view.send(message);
  return view;
}

const scaleMax = (view: InspectorPage, kind: string) =>
  view.page.$eval(`[data-scale="${kind}"] [data-quantity="scale.${kind}.max"]`, (e) => Number((e as HTMLElement).dataset.value));

describe('legends, scales and explanations (Chromium)', function () {
  this.timeout(120000);
  let browser: Browser;
  let view: InspectorPage;
  const layers = (): LayerRecord[] => deep.records[STEP - 1].layers;
  before(async () => {
    browser = await launch();
    view = await open(deep, { browser });
  });
  after(async () => {
    await view?.close();
    await browser?.close();
  });

  it('network: one edge scale and one node scale per mode, each reaching the max |value| of what it colours', async () => {
    const rows = layers()[0].rows;
    const expected = {
      value: { edges: maxAbs(...layers().map((l) => l.weights)), nodes: maxAbs(columnMeans(layers()[0].input!, rows), ...layers().map((l) => columnMeans(l.a!, rows))) },
      gradient: { edges: maxAbs(...layers().map((l) => l.gradWeights!)), nodes: maxAbs(...layers().map((l) => columnMeans(l.delta!, rows))) },
      update: { edges: maxAbs(...layers().map((l) => l.updateWeights!)), nodes: maxAbs(...layers().map((l) => l.updateBias!)) },
    };
    for (const mode of ['value', 'gradient', 'update'] as const) {
      await view.page.click(`#diagram-mode-${mode}`);
      await view.page.waitForFunction((m) => document.querySelector(`#diagram-mode-${m}`)?.getAttribute('aria-checked') === 'true', mode);
      close(await scaleMax(view, 'edges'), expected[mode].edges, `${mode}: edge scale`);
      close(await scaleMax(view, 'nodes'), expected[mode].nodes, `${mode}: node scale`);
      // The legend's bar runs from −max to +max, and it names the quantity with its meaning.
      close(await view.page.$eval('[data-scale="edges"] [data-quantity="scale.edges.min"]', (e) => Number((e as HTMLElement).dataset.value)), -expected[mode].edges, `${mode}: −max`);
      assert.ok((await view.page.getAttribute('[data-scale="edges"]', 'title'))!.length > 20, `${mode}: the edge scale explains its quantity`);
      // Thickness: proportional to |value| on the one scale, so the widest edge drawn is at most the
      // widest width, and an edge's width gives back its |value|.
      const edges = await view.page.$$eval('#diagram line.edge', (ls) => ls.map((l) => [Number(l.getAttribute('stroke-width')), Math.abs(Number((l as SVGElement).dataset.value))]));
      assert.ok(edges.length > 0);
      for (const [width, value] of edges) assert.ok(Math.abs(width - (0.75 + 4.5 * value / expected[mode].edges)) < 0.006, `${mode}: width ${width} for |value| ${value}`);
    }
    await view.page.click('#diagram-mode-value');
  });

  it('network: every edge has a click target wider than its stroke, and value labels do not overlap the nodes', async () => {
    const hit = await view.page.$$eval('#diagram .edge-hit', (ls) => ls.map((l) => Number(getComputedStyle(l).strokeWidth.replace('px', ''))));
    assert.equal(hit.length, await view.page.$$eval('#diagram line.edge', (ls) => ls.length));
    assert.ok(hit.every((w) => w >= 10), 'hit strokes are at least 10 px wide');
    // Clicking 4 px beside an edge (outside its drawn stroke, a quarter of the way from its unit) selects that weight.
    const from = view.posted.length;
    const spot = await view.page.$eval('[data-param="w:3:0:3"]', (l) => {
      const line = l as SVGLineElement;
      const m = line.getScreenCTM()!;
      const a = new DOMPoint(line.x1.baseVal.value, line.y1.baseVal.value).matrixTransform(m);
      const b = new DOMPoint(line.x2.baseVal.value, line.y2.baseVal.value).matrixTransform(m);
      const drawn = Number(line.getAttribute('stroke-width')) * m.a;
      return { x: a.x + (b.x - a.x) / 4, y: a.y + (b.y - a.y) / 4 + drawn / 2 + 3 };
    });
    await view.page.mouse.click(spot.x, spot.y);
    const select = view.posted.slice(from).find((m) => m.type === 'select');
    assert.deepEqual(select && 'parameter' in select ? select.parameter : undefined, { kind: 'weight', layer: 3, out: 0, in: 3 });
    const overlaps = await view.page.evaluate(() => {
      const labels = [...document.querySelectorAll('#diagram .node-value')].filter((t) => t.textContent).map((t) => t.getBoundingClientRect());
      const nodes = [...document.querySelectorAll('#diagram .node circle:not(.saturation-ring)')].map((c) => c.getBoundingClientRect());
      return labels.flatMap((l, i) => nodes.filter((n) => l.left < n.right && n.left < l.right && l.top < n.bottom && n.top < l.bottom).map(() => i));
    });
    assert.deepEqual(overlaps, [], 'no value label overlaps a node');
    // A 16-unit layer is drawn as its first 12 units and says how many it has.
    assert.ok((await view.page.$$eval('#diagram .column-label', (ts) => ts.map((t) => t.textContent))).includes('Layer 1 · 16'));
  });

  it('heatmaps: one colour scale per kind of quantity, shared by its boxes and shown with its max |value|', async () => {
    await view.page.selectOption('#detail-mode', 'heatmap');
    await view.page.waitForSelector('canvas.heatmap');
    const l = layers()[1];
    const rows = l.rows;
    // Batch mean of the per-sample quantities, the parameters whole (the views' defaults).
    const expected = {
      value: maxAbs(columnMeans(l.input!, rows), columnMeans(l.z!, rows), columnMeans(l.a!, rows)),
      gradient: maxAbs(columnMeans(l.upstream!, rows), columnMeans(l.delta!, rows), l.gradWeights!, l.gradBias!),
      parameter: maxAbs(l.weights, l.weightsAfter!, l.bias, l.biasAfter!),
      update: maxAbs(l.updateWeights!, l.updateBias!),
    };
    await view.page.click('#layer-tab-1');
    await view.page.waitForFunction(() => document.querySelector('#layer-tab-1')?.getAttribute('aria-selected') === 'true');
    for (const [kind, max] of Object.entries(expected)) {
      const boxes = await view.page.$$eval(`figure[data-kind="${kind}"] canvas.heatmap`, (cs) => cs.map((c) => Number((c as HTMLElement).dataset.scaleMax)));
      assert.ok(boxes.length >= 2, `${kind}: ${boxes.length} boxes`);
      for (const b of boxes) close(b, max, `${kind}: a box's scale`);
      close(await scaleMax(view, kind), max, `${kind}: the scale shown`);
    }
    await view.page.selectOption('#detail-mode', 'numbers');
  });

  it('a tensor larger than its box can be shown whole, every number the engine\'s', async () => {
    await view.page.click('#layer-tab-1');
    await view.page.waitForSelector('[data-expand="layers[1].weights"]');
    assert.equal(await view.page.$$eval('td[data-tensor="layers[1].weights"]', (tds) => tds.length), 12 * 12);
    await view.page.click('[data-expand="layers[1].weights"]');
    await view.page.waitForFunction(() => document.querySelectorAll('td[data-tensor="layers[1].weights"]').length === 256);
    const cells = await view.page.$$eval('td[data-tensor="layers[1].weights"]', (tds) => tds.map((td) => [Number((td as HTMLElement).dataset.index), Number((td as HTMLElement).dataset.value)]));
    for (const [i, v] of cells) assert.equal(v, layers()[1].weights[i], `W[${i}]`);
    // The box scrolls to the rest rather than cutting it.
    const box = await view.page.$eval('figure[data-block="weights"] .block-content', (b) => ({ overflow: getComputedStyle(b).overflow, scroll: b.scrollHeight > b.clientHeight || b.scrollWidth > b.clientWidth }));
    assert.ok(box.scroll && box.overflow === 'auto', JSON.stringify(box));
  });

  it('every quantity\'s name has its meaning and formula as a tooltip, in English and in Korean', async () => {
    const tooltips = (page: InspectorPage) => page.page.$$eval('.q-title, #loss dt.explained', (ns) => ns.map((n) => [n.textContent, (n as HTMLElement).title]));
    const en = await tooltips(view);
    assert.equal(en.length, 14 + 5, 'the 14 layer quantities and the 5 loss figures');
    for (const [name, title] of en) assert.ok(title && title.length > 30 && /[=∂Σₙ‖]/.test(title), `${name}: "${title}"`);
    const ko = await open(deep, { browser, strings: koreanStrings, locale: 'ko' });
    try {
      const shown = await tooltips(ko);
      assert.equal(shown.length, en.length);
      shown.forEach(([name, title], i) => {
        assert.ok(/[가-힣]/.test(title!), `${name}: "${title}" is Korean`);
        assert.notEqual(title, en[i][1]);
      });
    } finally {
      await ko.close();
    }
  });

  it('the buttons name their shortcuts as package.json binds them, and the Keyboard help lists them', async () => {
    const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
    const key = (command: string) => manifest.contributes.keybindings.find((b: { command: string }) => b.command === command).key as string;
    assert.equal(key('backprop.step'), 'f10');
    assert.equal(await view.page.getAttribute('#step', 'title'), 'Step (F10)');
    assert.equal(key('backprop.stepBack'), 'shift+f11');
    assert.equal(await view.page.getAttribute('#step-back', 'title'), 'Step Back (Shift+F11)');
    await view.page.click('#keyboard-help summary');
    const listed = await view.page.$$eval('#keyboard-help kbd', (ks) => ks.map((k) => k.textContent));
    for (const shortcut of ['F10', 'F11', 'Shift+F11', 'F8', 'Shift+F10', 'Ctrl+Alt+R', 'Ctrl+G']) assert.ok(listed.includes(shortcut), `${shortcut} in ${listed}`);
  });

  it('the epoch chart has no legend entry for a split the model does not have', async () => {
    const legend = await view.page.$$eval('#epoch-chart .u-legend th', (ths) => ths.map((t) => t.textContent?.trim()));
    assert.ok(legend.includes('Train loss (epoch)'), legend.join(', '));
    assert.equal(deep.data.split.validation.length, 0);
    assert.ok(!legend.some((t) => t?.startsWith('Validation')), legend.join(', '));
  });

  it('the data plot\'s ticks cover its range, and the regression curve stays inside its axes', async () => {
    const regression = runSteps(syntheticModel([1, 6, 1], ['tanh', 'identity'], 'mse', 20), 3, BATCH);
    const plot = await open(regression, { browser });
    try {
      const d = await plot.page.$eval('#data-plot', (c) => ({ ...(c as HTMLElement).dataset }));
      for (const axis of ['x', 'y'] as const) {
        const [lo, hi] = d[`${axis}Range`]!.split(',').map(Number);
        const ticks = d[`${axis}Ticks`]!.split(',').map(Number);
        assert.ok(ticks.length >= 3, `${axis}: ${ticks}`);
        const step = ticks[1] - ticks[0];
        assert.ok(ticks.every((v, i) => v >= lo && v <= hi && (i === 0 || Math.abs(v - ticks[i - 1] - step) < 1e-9 * step)), `${axis} ticks ${ticks} evenly inside [${lo}, ${hi}]`);
        assert.ok(ticks[0] - lo <= step && hi - ticks[ticks.length - 1] <= step, `${axis} ticks ${ticks} cover [${lo}, ${hi}]`);
        assert.ok([1, 2, 5].some((m) => Math.abs(step / 10 ** Math.floor(Math.log10(step)) - m) < 1e-9), `${axis} tick step ${step} is 1, 2 or 5 × 10ⁿ`);
      }
      // Every sample and the whole curve inside the ranges the axes show.
      const [x0, x1] = d.xRange!.split(',').map(Number);
      const [y0, y1] = d.yRange!.split(',').map(Number);
      const xs = Array.from(regression.x);
      const ys = Array.from(regression.y);
      assert.ok(xs.every((x) => x > x0 && x < x1) && ys.every((y) => y > y0 && y < y1), 'the samples are inside the axes');
      const host = SessionHost.open(regression.model);
      const message = await host.message(STEP, 'dataView');
      const curve = (message.view as { curve: { x: Float64Array; y: Float64Array } }).curve;
      assert.ok(Array.from(curve.x).every((x) => x >= x0 && x <= x1) && Array.from(curve.y).every((y) => y >= y0 && y <= y1), 'the curve is inside the axes');
    } finally {
      await plot.close();
    }
  });

  for (const [language, strings] of [['English', english], ['Korean', koreanStrings]] as const) {
    it(`nothing overflows a 420 px panel (${language}): what is wider scrolls inside its box`, async () => {
      const narrow = await open(deep, { browser, width: 420, strings, locale: language === 'Korean' ? 'ko' : 'en', theme: 'dark' });
      try {
        await narrow.page.click('#keyboard-help summary');
        // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
        const outside: { page: number; cut: string[] } = await narrow.page.evaluate(`(() => {
          const width = document.documentElement.clientWidth;
          const scrolls = (e) => !!e && (['auto', 'scroll'].includes(getComputedStyle(e).overflowX) || scrolls(e.parentElement));
          return {
            page: document.documentElement.scrollWidth - width,
            cut: [...document.querySelectorAll('body *')].filter((e) => {
              const r = e.getBoundingClientRect();
              return r.width > 0 && r.right > width + 0.5 && !scrolls(e.parentElement);
            }).map((e) => e.tagName + '.' + e.getAttribute('class') + '#' + e.id),
          };
        })()`);
        assert.equal(outside.page, 0, 'the page does not scroll sideways');
        assert.deepEqual(outside.cut, [], 'every element wider than the panel is inside a box that scrolls');
        // A colour scale's −max, bar and +max stay on one line (a wrapped "+max" alone on a line reads as a stray number).
        const broken: string[] = await narrow.page.evaluate(`[...document.querySelectorAll('.colour-scale')]
          .filter((scale) => scale.getBoundingClientRect().width > 0)
          .filter((scale) => new Set([...scale.querySelectorAll('.scale-end, .scale-bar')].map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))).size > 1)
          .map((scale) => scale.getAttribute('data-scale'))`);
        assert.deepEqual(broken, [], 'colour scales split across lines');
      } finally {
        await narrow.close();
      }
    });
  }
});
