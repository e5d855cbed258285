// The page's `data-awaiting` mark (README, "Reading the screen"): set when the page posts a request
// whose answer the screen waits for, cleared only once that answer is applied and rendered. The
// inspector bundle in Chromium, fed by the host's own builders and router (test/support/sessionHost.ts),
// every post of the page (its `ready` first) routed to the host as the panel routes it.
import { strict as assert } from 'node:assert';
import type { Browser } from 'playwright-core';
import { type InspectorPage, launch, openInspector } from '../support/browserPage';
import { SessionHost, answerHost, choose } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';

const STEPS = 3;
const run = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 8), STEPS, 8);

const awaitingMark = (view: InspectorPage) => view.page.evaluate(() => document.body.dataset.awaiting);
const shownNumber = async (view: InspectorPage, selector: string) => Number(await view.page.$eval(selector, (e) => (e as HTMLElement).dataset.value));

/** H(p) of a sigmoid output a, the distribution (1 − a, a), in nats: the closed form. */
const binaryEntropy = (a: number) => -(a * Math.log(a) + (1 - a) * Math.log(1 - a));

describe('data-awaiting covers every host answer the screen waits for', function () {
  this.timeout(120000);
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => browser?.close());

  it('a new sample: set on the choice, kept through a step the host built before it heard the choice, cleared with the answer (that sample\'s prediction)', async () => {
    const host = SessionHost.open(run.model);
    const view = await openInspector({ theme: 'dark', browser });
    try {
      await view.send(host.init());
      for (let k = 1; k <= STEPS; k++) {
        const from = view.posted.length;
        await view.send(await host.next(k));
        // From 0 the first time: the page's `ready` starts the count the host keeps (StepMessage.heard).
        await answerHost(view, host, k === 1 ? 0 : from);
      }
      assert.equal(await awaitingMark(view), undefined, 'nothing asked, nothing awaited');
      // Sample 1 first, so that the choice of sample 2 is a choice between samples.
      await choose(view, host, '#sample-select', '1');
      assert.equal(await awaitingMark(view), undefined, 'sample 1 answered');
      const before = await shownNumber(view, '#prediction-entropy');
      // A step on its way before the host hears the choice (a run, say): it is not the answer.
      const stale = await host.next(STEPS);
      const asked = view.posted.length;
      await view.page.selectOption('#sample-select', '2');
      await view.page.waitForFunction(() => document.body.dataset.awaiting === 'true');
      await view.send(stale);
      // The views read sample 2's slices now (index ranges), so the page says so too: with sample 1's
      // on the record it had, then, on the stale step's record, sample 2's alone.
      assert.deepEqual([...new Set(view.posted.slice(asked).map((m) => m.type))], ['viewState', 'show'], 'the choice asked nothing but the step');
      assert.equal(await awaitingMark(view), 'true', 'a step built before the host heard the choice leaves the mark');
      assert.equal(await shownNumber(view, '#prediction-entropy'), before, 'and the prediction is still the one the host had');
      await answerHost(view, host, asked);
      assert.equal(await awaitingMark(view), undefined, 'the answer rendered, the mark gone');
      const a = host.record(STEPS).layers[2].a![2];
      const entropy = await shownNumber(view, '#prediction-entropy');
      assert.ok(Math.abs(entropy - binaryEntropy(a)) <= 1e-12, `H(p) of sample 2: ${entropy} on screen, ${binaryEntropy(a)} from its output ${a}`);
      assert.notEqual(entropy, before, 'another sample, another prediction');
    } finally {
      await view.close();
    }
  });

  it('a chain rule: set when the weight is clicked, cleared when the explanation is rendered; a refused request clears it with its error', async () => {
    const host = SessionHost.open(run.model);
    const view = await openInspector({ theme: 'light', browser });
    try {
      await view.send(host.init());
      await view.send(await host.next(STEPS));
      await answerHost(view, host, 0);
      assert.equal(await awaitingMark(view), undefined);
      let asked = view.posted.length;
      await view.page.focus('[data-param="w:1:2:3"]');
      await view.page.keyboard.press('Enter');
      await view.page.waitForFunction(() => document.body.dataset.awaiting === 'true');
      await answerHost(view, host, asked);
      assert.equal(await awaitingMark(view), undefined, 'the explanation rendered, the mark gone');
      const gradient = host.record(STEPS).layers[1].gradWeights![2 * 8 + 3];
      assert.ok(Math.abs(await shownNumber(view, '#chain-gradient') - gradient) <= 1e-12, 'the chain rule on screen is the clicked weight\'s');
      // The host refuses a chain rule it cannot show with an error naming the request (InspectorPanel).
      asked = view.posted.length;
      await view.page.focus('[data-param="w:1:0:1"]');
      await view.page.keyboard.press('Enter');
      await view.page.waitForFunction(() => document.body.dataset.awaiting === 'true');
      await view.send({ type: 'error', message: 'not known', where: 'requestExplanation' });
      assert.equal(await awaitingMark(view), undefined, 'the error answered the request');
      assert.ok(view.posted.slice(asked).some((m) => m.type === 'requestExplanation'));
    } finally {
      await view.close();
    }
  });
});
