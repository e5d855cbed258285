// The screen's contract (README, "Reading the screen"): every number the inspector shows carries
// data-value (the exact number) and data-quantity (what it is), and the page root says which step
// and operation it shows. The page is fed by the host's own builders over a real TrainingSession;
// the numbers are held against the shipped command line's own output, `node dist/cli.js run
// --json` and `explain --json`, exactly as the README tells a reader to do.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type InspectorPage, openInspector } from '../support/browserPage';
import { SessionHost, answerHost, choose } from '../support/sessionHost';
import { HistoryCursor, buildSnapshotMessages } from '../../src/extension/inspectorMessages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import type { ModelFile } from '../../src/engine/types';

const ROOT = resolve(__dirname, '../..');
const FILE = resolve(ROOT, 'examples/08-data-splits.backprop.json'); // three layers, Adam (optimizer state)
const STEP = 3;
const WEIGHT = { layer: 1, out: 2, in: 3 };

const cli = (...args: string[]) => execFileSync(process.execPath, [resolve(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
/** The CLI's JSON: non-finite numbers are the strings "Infinity", "-Infinity", "NaN" (README). */
const parse = (line: string) => JSON.parse(line, (_k, v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v));
const traceLines = cli('run', FILE, '--steps', String(STEP), '--json').trim().split('\n').map(parse);
const explained = parse(cli('explain', FILE, '--step', String(STEP), '--layer', String(WEIGHT.layer), '--weight', `${WEIGHT.out},${WEIGHT.in}`, '--json'));

/** `a.b[2]["c"]` → ['a', 'b', 2, 'c']. */
function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const token = /\.?([A-Za-z_]\w*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  for (let m = token.exec(path); m; m = token.exec(path)) {
    keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(m[3])));
    if (token.lastIndex === path.length) return keys;
  }
  throw new Error(`not a path: ${path}`);
}

function at(root: unknown, keys: (string | number)[], path: string): unknown {
  let value = root;
  for (const key of keys) {
    if (value === null || typeof value !== 'object' || !(key in (value as object))) throw new Error(`${path}: no ${String(key)}`);
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/**
 * The number a data-quantity names, from the CLI's output for the step on screen, or undefined for
 * the names read from elsewhere (the dataset, the model's settings, the host's evaluations).
 */
function expected(quantity: string, step: number): number | undefined {
  const trace = traceLines[step - 1];
  const mean = /^mean\((layers\[\d+\]\.\w+)\)((?:\[\d+\])+)$/.exec(quantity);
  if (mean) {
    // The mean over the batch's samples, in sample order (as the host sums it).
    const rows = at(trace, pathKeys(mean[1]), quantity) as unknown[];
    let sum = 0;
    for (const row of rows) sum += at(row, pathKeys(mean[2]), quantity) as number;
    return sum / rows.length;
  }
  const history = /^step\((\d+)\)\.(loss)$/.exec(quantity);
  if (history) return traceLines[Number(history[1]) - 1].loss;
  if (quantity === 'lossAfter - loss') return trace.lossAfter - trace.loss;
  if (quantity.startsWith('chainRule.')) return at(explained, pathKeys(quantity.slice('chainRule.'.length)), quantity) as number;
  if (/^(loss|dataLoss|regLoss|lossAfter|layers\[|optimizer\.)/.test(quantity)) return at(trace, pathKeys(quantity), quantity) as number;
  return undefined;
}

/** Every marked number on the page, and every visible number that is not marked. */
async function readScreen(view: InspectorPage) {
  return view.page.evaluate(() => {
    const marked = Array.from(document.querySelectorAll('#app [data-value]'), (node) => ({
      value: node.getAttribute('data-value')!, quantity: node.getAttribute('data-quantity'), tag: node.tagName,
    }));
    // A number as the screen writes one: 0.1235, −2.5e−4, 12.5%, +∞, NaN, 3.
    const number = /^[−+-]?(\d+(\.\d+)?(e[−+-]?\d+)?%?|∞|NaN)$/;
    const unmarked: string[] = [];
    let numbers = 0;
    const walker = document.createTreeWalker(document.getElementById('app')!, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const content = text.textContent!.trim();
      const parent = text.parentElement!;
      // Headers (row and column numbers, "#") and choices in a <select> are labels, not values.
      if (!number.test(content) || parent.closest('th, option, [hidden]') || !parent.getClientRects().length) continue;
      numbers++;
      if (!parent.closest('[data-value][data-quantity]')) unmarked.push(`${parent.outerHTML.slice(0, 120)}`);
    }
    return { marked, unmarked, numbers, step: document.getElementById('app')!.dataset.step, op: document.getElementById('app')!.dataset.op };
  });
}

describe('the screen\'s contract: data-value and data-quantity (Chromium, against the CLI)', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let host: SessionHost;

  /** Every marked number equals the CLI's number for its quantity, exactly; no visible number is unmarked. */
  async function checkScreen(what: string): Promise<number> {
    const screen = await readScreen(view);
    assert.deepEqual(screen.unmarked, [], `${what}: numbers without data-value/data-quantity`);
    assert.ok(screen.numbers > 40, `${what}: only ${screen.numbers} visible numbers found`);
    let checked = 0;
    for (const { value, quantity, tag } of screen.marked) {
      assert.ok(quantity, `${what}: a ${tag} with data-value ${value} has no data-quantity`);
      const want = expected(quantity, Number(screen.step));
      if (want === undefined) continue;
      assert.equal(value, String(want), `${what}: ${quantity}`);
      checked++;
    }
    return checked;
  }

  before(async () => {
    view = await openInspector({ theme: 'light' });
    host = SessionHost.open(JSON.parse(readFileSync(FILE, 'utf8')) as ModelFile);
    await view.send(host.init(Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]))));
    for (const message of await host.at(STEP)) await view.send(message);
  });
  after(async () => view?.close());

  it('the root says the step and the operation on screen', async () => {
    const screen = await readScreen(view);
    assert.equal(screen.step, String(STEP));
    assert.equal(screen.op, 'complete');
  });

  it('known quantities carry the CLI trace\'s exact numbers', async () => {
    const trace = traceLines[STEP - 1];
    const shown = (quantity: string) => view.page.$eval(`[data-quantity='${quantity}']`, (node) => node.getAttribute('data-value'));
    assert.equal(await shown('loss'), String(trace.loss));
    assert.equal(await view.page.$eval('#loss-value', (node) => node.getAttribute('data-quantity')), 'loss', 'the toolbar\'s J');
    assert.equal(await shown('lossAfter'), String(trace.lossAfter));
    assert.equal(await shown(`step(${STEP}).loss`), String(trace.loss), 'the loss chart\'s last point');
    await view.page.click('#layer-tab-1');
    await choose(view, host, '#sample-select', '2');
    assert.equal(await shown('layers[1].z[2][5]'), String(trace.layers[1].z[2][5]));
    assert.equal(await shown('layers[1].gradWeights[0][3]'), String(trace.layers[1].gradWeights[0][3]));
    assert.equal(await shown('layers[1].update.weights[2][1]'), String(trace.layers[1].update.weights[2][1]));
    assert.equal(await shown('layers[1].bias[4]'), String(trace.layers[1].bias[4]));
    assert.equal(await shown('optimizer.state["layers[1].weights"].m[0]'), String(trace.optimizer.state['layers[1].weights'].m[0]));
    assert.equal(await shown('optimizer.state.t'), String(trace.optimizer.state.t));
  });

  it('every marked number in every mode equals the CLI\'s, and no visible number is unmarked', async () => {
    let checked = 0;
    for (const layer of ['0', '1', '2']) {
      await view.page.click(`#layer-tab-${layer}`);
      for (const sample of ['0', '5', 'mean']) {
        await choose(view, host, '#sample-select', sample);
        for (const mode of ['value', 'gradient', 'update']) {
          await view.page.click(`#diagram-mode-${mode}`);
          checked += await checkScreen(`layer ${layer}, sample ${sample}, diagram ${mode}`);
        }
      }
    }
    // The chain rule of one weight, against `explain --json`.
    const from = view.posted.length;
    await view.page.focus(`[data-param="w:${WEIGHT.layer}:${WEIGHT.out}:${WEIGHT.in}"]`);
    await view.page.keyboard.press('Enter');
    await answerHost(view, host, from);
    const chain = await view.page.$$eval('#chain-rule [data-quantity^="chainRule."]', (nodes) => nodes.length);
    assert.ok(chain > 10, `chain-rule numbers marked: ${chain}`);
    checked += await checkScreen('chain rule');
    assert.ok(checked > 500, `numbers checked against the CLI: ${checked}`);
  });

  it('the operation on screen follows Step Into', async () => {
    const from = view.posted.length;
    await view.page.click('#step-into');
    const command = view.posted.slice(from).find((m) => m.type === 'command');
    assert.deepEqual(command, { type: 'command', command: { name: 'stepInto' } });
    await host.session.stepInto();
    for (const message of buildSnapshotMessages(host.session, new HistoryCursor())) await view.send(message);
    const screen = await readScreen(view);
    assert.equal(screen.step, String(STEP + 1));
    assert.equal(screen.op, 'forward:1', 'after the first layer\'s forward, the second layer\'s is next');
  });
});
