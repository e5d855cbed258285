// Wide layers in the network diagram (issue 15 item 1), in Chromium, fed by the host's own builders:
// a 40-unit layer pages through its units so that every unit and every weight is reachable with its
// engine number; a 784-input layer is one block whose min and max are the input's; the digits
// dataset's 64 inputs are an 8×8 image whose pixels are the sample's inputs, as the CSV file has them;
// and no label, node, block or pager overlaps another at 420 px or at 1600 px.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type InspectorPage, launch, openInspector } from '../support/browserPage';
import { SessionHost } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';
import { nodeFileReader } from '../../src/engine/data/nodeFiles';
import { loadModel } from '../../src/engine/model/load';
import { Trainer } from '../../src/engine/trainer';
import type { LoadOptions } from '../../src/engine/model/load';
import type { ModelFile } from '../../src/engine/types';
import type { Browser } from 'playwright-core';

const ROOT = resolve(__dirname, '../..');
const STEP = 2;
const BATCH = 4;
const builtins: LoadOptions = { builtins: nodeFileReader(resolve(ROOT, 'datasets')) };
const wide = runSteps(syntheticModel([2, 40, 16, 3], ['tanh', 'relu', 'softmax'], 'cross-entropy', 12), STEP, BATCH);
const pixels784 = runSteps(syntheticModel([784, 16, 3], ['relu', 'softmax'], 'cross-entropy', 6), STEP, BATCH);
const digits: ModelFile = {
  name: 'digits', seed: 1, inputs: 64, layers: [{ units: 16, activation: 'relu' }, { units: 10, activation: 'softmax' }],
  loss: 'cross-entropy', optimizer: { type: 'sgd', learningRate: 0.01 }, data: { builtin: 'digits' },
  batch: { mode: 'mini-batch', size: BATCH, shuffle: false },
};

const columnMeans = (m: Float64Array, rows: number): number[] => {
  const cols = m.length / rows;
  return Array.from({ length: cols }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += m[r * cols + c];
    return s / rows;
  });
};

async function open(model: ModelFile, browser: Browser, width: number, options: LoadOptions = {}): Promise<InspectorPage> {
  const view = await openInspector({ theme: 'light', width, browser });
  const host = SessionHost.open(model, undefined, options);
  await view.send(host.init({}, 'en'));
  for (const message of await host.at(STEP)) await view.send(message);
  await view.page.waitForSelector('#diagram .column-label');
  return view;
}

/** What the diagram draws: its nodes' units and values, its edges' parameters and values. */
const drawn = (view: InspectorPage) => view.page.evaluate(() => ({
  nodes: [...document.querySelectorAll('#diagram .node')].map((g) => [(g as SVGElement).dataset.node!, Number(document.querySelectorAll('#diagram .node-value')[[...document.querySelectorAll('#diagram .node')].indexOf(g)].getAttribute('data-value'))] as const),
  edges: [...document.querySelectorAll('#diagram line.edge')].map((l) => [(l as SVGElement).dataset.param!, Number((l as SVGElement).dataset.value)] as const),
}));

/** Clicks a pager button and waits for the column's range to change. */
async function page(view: InspectorPage, column: number, direction: 'previous' | 'next'): Promise<void> {
  const before = await view.page.textContent(`[data-pager-range="${column}"]`);
  await view.page.click(`[data-pager="${column}:${direction}"]`);
  await view.page.waitForFunction(([c, b]) => document.querySelector(`[data-pager-range="${c}"]`)?.textContent !== b, [column, before] as const);
}

describe('wide layers in the network diagram (Chromium)', function () {
  this.timeout(180000);
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('a 40-unit layer pages through its units: every unit and every weight is reachable, each with the engine\'s number', async () => {
    const view = await open(wide.model, browser, 1000);
    try {
      const layers = wide.records[STEP - 1].layers;
      const rows = layers[0].rows;
      const a1 = columnMeans(layers[0].a!, rows);
      const a2 = columnMeans(layers[1].a!, rows);
      assert.equal(await view.page.textContent('[data-pager-range="1"]'), '1–12 / 40');
      assert.equal(await view.page.getAttribute('[data-pager="1:previous"]', 'aria-disabled'), 'true', 'the first page has no previous page');
      const units = new Map<string, number>();
      const weights = new Map<string, number>();
      // Pages of column 1 (1–12, 13–24, 25–36, 29–40), and for each, both pages of column 2 (1–12, 5–16).
      for (let p1 = 0; p1 < 4; p1++) {
        for (let p2 = 0; p2 < 2; p2++) {
          const seen = await drawn(view);
          for (const [node, value] of seen.nodes) units.set(node, value);
          for (const [param, value] of seen.edges) weights.set(param, value);
          if (p2 === 0) await page(view, 2, 'next');
          else await page(view, 2, 'previous');
        }
        if (p1 < 3) await page(view, 1, 'next');
      }
      assert.equal(await view.page.textContent('[data-pager-range="1"]'), '29–40 / 40');
      assert.equal(await view.page.getAttribute('[data-pager="1:next"]', 'aria-disabled'), 'true', 'the last page has no next page');
      for (let u = 0; u < 40; u++) assert.equal(units.get(`1:${u}`), a1[u], `unit ${u + 1} of layer 1 is reachable and shows mean(a¹)`);
      for (let u = 0; u < 16; u++) assert.equal(units.get(`2:${u}`), a2[u], `unit ${u + 1} of layer 2`);
      for (let j = 0; j < 16; j++) {
        for (let i = 0; i < 40; i++) assert.equal(weights.get(`w:1:${j}:${i}`), layers[1].weights[j * 40 + i], `layers[1].weights[${j}][${i}] is reachable`);
      }
      assert.equal([...weights.keys()].filter((k) => k.startsWith('w:1:')).length, 16 * 40);
      // Every weight of layer 0 (40 × 2) too, through column 1's pages.
      assert.equal([...weights.keys()].filter((k) => k.startsWith('w:0:')).length, 40 * 2);
    } finally {
      await view.close();
    }
  });

  it('a 784-input layer is one block with its size and the input\'s min and max, and a click opens its layer', async () => {
    const view = await open(pixels784.model, browser, 1000);
    try {
      const layer = pixels784.records[STEP - 1].layers[0];
      const mean = columnMeans(layer.input!, layer.rows);
      const block = await view.page.$eval('[data-block="0"]', (g) => ({
        text: [...g.querySelectorAll('text')].map((t) => t.textContent),
        range: [...g.querySelectorAll('tspan')].map((t) => [t.getAttribute('data-quantity'), Number(t.getAttribute('data-value'))]),
      }));
      assert.equal(block.text[0], '784 inputs');
      const lo = mean.indexOf(Math.min(...mean));
      const hi = mean.indexOf(Math.max(...mean));
      assert.deepEqual(block.range, [[`mean(layers[0].input)[${lo}]`, mean[lo]], [`mean(layers[0].input)[${hi}]`, mean[hi]]]);
      assert.equal(await view.page.$$eval('#diagram [data-node^="0:"]', (ns) => ns.length), 0, 'no input is drawn unit by unit');
      const from = view.posted.length;
      await view.page.click('[data-block="0"]');
      const select = view.posted.slice(from).find((m) => m.type === 'select');
      assert.ok(select && 'layer' in select && select.layer === 0, 'clicking the block selects layer 1 (its weights are in the layer detail)');
    } finally {
      await view.close();
    }
  });

  it('the digits dataset\'s 64 inputs are an 8×8 image whose pixels are the chosen sample\'s inputs, as in datasets/digits.csv', async () => {
    const view = await open(digits, browser, 1000, builtins);
    try {
      // The reference: an independent engine run of the same file, and the CSV's own rows.
      const loaded = loadModel(JSON.stringify(digits), builtins);
      const trainer = new Trainer(loaded.model!, loaded.data!);
      let record = trainer.step();
      for (let s = 1; s < STEP; s++) record = trainer.step();
      const input = record.layers[0].input!;
      const csv = readFileSync(resolve(ROOT, 'datasets/digits.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 64).map(Number).join());
      for (const sample of [0, 2]) {
        await view.page.selectOption('#sample-select', String(sample));
        await view.page.waitForFunction((s) => document.querySelector('[data-pixel="0"]')?.getAttribute('data-quantity') === `layers[0].input[${s}][0]`, sample);
        const shown = await view.page.$$eval('#diagram .pixel', (rs) => rs.map((r) => ({
          value: Number(r.getAttribute('data-value')), x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), pixel: Number((r as SVGElement).dataset.pixel),
        })));
        assert.equal(shown.length, 64);
        const row = Array.from(input.subarray(sample * 64, sample * 64 + 64));
        assert.deepEqual(shown.map((p) => p.value), row, `sample ${sample + 1}: the pixels are layers[0].input[${sample}]`);
        assert.ok(csv.includes(row.join()), `sample ${sample + 1}: the image is a row of datasets/digits.csv`);
        // Row-major, 8 across: pixel k sits in row ⌊k/8⌋, column k mod 8.
        const xs = [...new Set(shown.map((p) => p.x))].sort((a, b) => a - b);
        const ys = [...new Set(shown.map((p) => p.y))].sort((a, b) => a - b);
        assert.equal(xs.length, 8);
        assert.equal(ys.length, 8);
        for (const p of shown) assert.deepEqual([xs.indexOf(p.x), ys.indexOf(p.y)], [p.pixel % 8, Math.floor(p.pixel / 8)]);
      }
      assert.equal(await view.page.textContent('[data-block="0"] text'), '8×8 image');
    } finally {
      await view.close();
    }
  });

  for (const width of [420, 1600]) {
    it(`nothing in the diagram overlaps at ${width} px (wide layer, 784-input block, digits image)`, async () => {
      for (const [what, model, options] of [['40 units', wide.model, {}], ['784 inputs', pixels784.model, {}], ['digits', digits, builtins]] as const) {
        const view = await open(model, browser, width, options);
        try {
          const overlaps: string[] = await view.page.evaluate(`(() => {
            const items = [
              ...[...document.querySelectorAll('#diagram .column-label, #diagram .column-sub, #diagram .more, #diagram .pager, #diagram .block')].map((e) => [e, e.getAttribute('class')]),
              ...[...document.querySelectorAll('#diagram .node-value')].filter((t) => t.textContent).map((e) => [e, 'value']),
              ...[...document.querySelectorAll('#diagram .node circle:not(.saturation-ring)')].map((e) => [e, 'node ' + e.parentNode.dataset.node]),
            ].map(([e, name]) => [e.getBoundingClientRect(), name]);
            const out = [];
            for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
              const [a, an] = items[i];
              const [b, bn] = items[j];
              if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) out.push(an + ' × ' + bn);
            }
            return out;
          })()`);
          assert.deepEqual(overlaps, [], `${what} at ${width} px`);
          const pageWidth = await view.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.equal(pageWidth, 0, `${what} at ${width} px: the page does not scroll sideways (the diagram scrolls in its frame)`);
        } finally {
          await view.close();
        }
      }
    });
  }
});
