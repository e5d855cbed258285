// What a step posts against what the page shows (issue 16 item 3): the inspector bundle in
// Chromium, fed by the host's own message builders (test/support/sessionHost.ts) with the page's
// `show` list routed back through the host's router, as the panel does. The numbers a step posts
// are held to the numbers on screen, the screen to a page sent every number, and a number the
// learner opens later (another layer, another sample) to the CLI's trace of the same file.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { type InspectorPage, launch, openInspector } from '../support/browserPage';
import { SessionHost, answerHost, choose } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';
import { cliTrace } from '../support/cliTrace';
import { shownNumbers } from '../support/screenTruth';
import type { ShowMessage, StepMessage } from '../../src/protocol/messages';
import { messageByteParts, messageBytes } from '../../src/protocol/traceCodec';

// The latency benchmark's networks (bench/webviewLatency.ts).
const STEPS = 8;
const run = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 64), STEPS, 8);
const big = runSteps(syntheticModel([784, 128, 10], ['relu', 'softmax'], 'cross-entropy', 64), STEPS, 32);

/** Bytes of the numbers a message carries (its typed arrays; the JSON around them aside). */
const numberBytes = (message: unknown) => messageByteParts(message).numbers;

/** Elements carrying a number, as the benchmark counts them. */
const numbersOnScreen = (view: InspectorPage) => view.page.$$eval('[data-value]', (elements) => elements.length);

/** Sends a step message the way the panel does (the host then hears what the page asks). */
async function step(view: InspectorPage, host: SessionHost, k: number): Promise<StepMessage> {
  const from = view.posted.length;
  const message = await host.next(k);
  await view.send(message);
  await answerHost(view, host, from);
  return message;
}

describe('the numbers a step posts are the numbers the page shows', function () {
  this.timeout(180000);
  let browser: Browser;
  const folder = mkdtempSync(join(tmpdir(), 'shown-payload-'));
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  for (const [network, { model }] of [['2-8-8-1', run], ['784-128-10', big]] as const) it(`${network}: posts at most 1.2 × 8 bytes per element carrying a number (tensor numbers and the JSON around them) once the page has said what its views read, and shows what a page sent everything shows`, async () => {
    const host = SessionHost.open(model);
    const everything = SessionHost.open(model);
    const narrowed = await openInspector({ theme: 'dark', browser });
    const whole = await openInspector({ theme: 'dark', browser });
    try {
      await narrowed.send(host.init());
      await whole.send(everything.init());
      const first = await step(narrowed, host, 1);
      const shows = narrowed.posted.filter((m): m is ShowMessage => m.type === 'show');
      assert.equal(shows.length, 1, 'the page says once what its views read');
      for (let k = 2; k <= STEPS; k++) {
        const message = await step(narrowed, host, k);
        // A freshly opened inspector's message: every part of every tensor, and the table.
        await whole.send(await everything.message(k, 'step'));
        const shown = await numbersOnScreen(narrowed);
        assert.ok(numberBytes(message) <= 1.2 * 8 * shown, `step ${k}: ${numberBytes(message)} bytes of numbers posted for ${shown} numbers on screen`);
        assert.ok(messageBytes(message) <= 1.2 * 8 * shown, `step ${k}: ${messageBytes(message)} bytes posted (the JSON around the numbers too) for ${shown} numbers on screen`);
        assert.ok(numberBytes(message) < numberBytes(first) / 3, `step ${k}: ${numberBytes(message)} bytes, the first step (before the page said) ${numberBytes(first)}`);
        assert.equal(message.record.table, undefined, `step ${k}: the table is the one the page has`);
        assert.deepEqual(await shownNumbers(narrowed.page), await shownNumbers(whole.page), `step ${k}: the same numbers as a page sent everything`);
      }
      assert.equal(narrowed.posted.filter((m) => m.type === 'show').length, 1, 'stepping with the same views asks nothing new');
    } finally {
      await narrowed.close();
      await whole.close();
    }
  });

  it('fetches what the learner opens (another layer, a sample) and shows it exact to the CLI trace', async () => {
    const file = join(folder, 'net.backprop.json');
    writeFileSync(file, JSON.stringify(run.model));
    const trace = cliTrace(file, STEPS);
    const host = SessionHost.open(run.model, `file://${file}`);
    const view = await openInspector({ theme: 'light', browser });
    try {
      await view.send(host.init());
      for (let k = 1; k <= STEPS; k++) await step(view, host, k);
      const before = await host.next(STEPS);
      assert.equal(before.record.layers, undefined, 'the record before the switch goes without its layout');
      const asked = view.posted.length;
      await view.page.click('#layer-tab-1');
      await answerHost(view, host, asked);
      await choose(view, host, '#sample-select', '2');
      const show = view.posted.slice(asked).filter((m): m is ShowMessage => m.type === 'show').pop();
      assert.deepEqual(show?.tensors.find((t) => t.name === 'layers[1].z')?.parts, ['full'], 'the page asks for the sample it now shows');
      const cells = await view.page.$$eval('td[data-tensor="layers[1].z"]', (tds) => tds.map((td) => [Number((td as HTMLElement).dataset.index), Number((td as HTMLElement).dataset.value)]));
      assert.equal(cells.length, 8);
      const z = trace.steps[STEPS - 1].layers[1].z as number[][];
      for (const [i, v] of cells) assert.equal(v, z[2][i], `layers[1].z[2][${i}]`);
      const w = await view.page.$$eval('td[data-tensor="layers[1].gradWeights"]', (tds) => tds.map((td) => Number((td as HTMLElement).dataset.value)));
      assert.deepEqual(w, (trace.steps[STEPS - 1].layers[1].gradWeights as number[][]).flat());
    } finally {
      await view.close();
    }
  });
});
