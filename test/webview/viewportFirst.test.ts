// A step's render writes what is near the viewport and leaves the rest to the settle pass
// (src/webview/main.ts, src/webview/viewport.ts). The inspector bundle in Chromium at 1280 × 900,
// fed by the host's own builders: the layer detail's last table (b after the update) lies far
// below the fold, the toolbar's J at the top. Every number is held against the session's own
// record of that step.
import { strict as assert } from 'node:assert';
import { type InspectorPage, pack } from '../support/browserPage';
import { SessionHost, answerHost, openStepped } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';

const STEPS = 5;
const run = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 64), STEPS, 8);
const FAR = '[data-quantity="layers[0].biasAfter[0]"]';

interface Seen { loss: number; far: number; awaiting: string | undefined; afterExport?: number }

/**
 * Posts a step and reads the page when `inspector-shown` fires (the marks a microtask later, when
 * the render has set them); `exportAt` clicks that card's SVG export button right then. Page code
 * as text: tsx's name helpers do not exist inside the page.
 */
function postAndLook(view: InspectorPage, message: unknown, exportAt?: string): Promise<Seen> {
  return view.page.evaluate(`((text, exportAt) => new Promise((done) => {
    document.body.addEventListener('inspector-shown', () => queueMicrotask(() => {
      const value = (selector) => Number(document.querySelector(selector).dataset.value);
      const seen = { loss: value('#loss-value'), far: value(${JSON.stringify(FAR)}), awaiting: document.body.dataset.awaiting };
      if (exportAt) {
        document.querySelector('button[data-export="' + exportAt + ':svg"]').click();
        seen.afterExport = value(${JSON.stringify(FAR)});
      }
      done(seen);
    }), { once: true });
    window.postMessage(window.__unpack(text), '*');
  }))(${JSON.stringify(pack(message))}, ${JSON.stringify(exportAt ?? '')})`) as Promise<Seen>;
}

describe('the viewport first: a step writes what is near the viewport, the settle pass the rest', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let host: SessionHost;
  before(async () => {
    ({ view, host } = await openStepped({ theme: 'dark', width: 1280, height: 900 }, run.model, 3));
  });
  after(async () => view?.close());

  it('the viewport shows the new step at once; a table far below keeps the last step\'s numbers, marked as awaited, until the settle pass writes the new ones', async () => {
    const from = view.posted.length;
    const seen = await postAndLook(view, await host.next(4));
    assert.equal(seen.loss, host.record(4).loss, 'the toolbar\'s J is step 4\'s when the viewport is shown');
    assert.equal(seen.far, host.record(3).layers[0].biasAfter![0], 'the far table still holds step 3\'s number');
    assert.notEqual(host.record(3).layers[0].biasAfter![0], host.record(4).layers[0].biasAfter![0], 'the two steps differ there');
    assert.equal(seen.awaiting, 'true', 'the page says it is not all there yet');
    await view.page.waitForSelector('body[data-rendered-step="4"]', { state: 'attached' });
    await answerHost(view, host, from);
    assert.equal(Number(await view.page.$eval(FAR, (e) => (e as HTMLElement).dataset.value)), host.record(4).layers[0].biasAfter![0], 'settled: step 4\'s number');
    assert.equal(await view.page.evaluate(() => document.body.dataset.awaiting), undefined, 'settled: nothing awaited');
  });

  it('an export writes the parts left behind before it draws the card', async () => {
    const from = view.posted.length;
    const seen = await postAndLook(view, await host.next(5), 'layer-detail');
    assert.equal(seen.far, host.record(4).layers[0].biasAfter![0], 'left behind by the step\'s render');
    assert.equal(seen.afterExport, host.record(5).layers[0].biasAfter![0], 'written by the export, before its picture');
    await answerHost(view, host, from);
    assert.ok(host.saved.some((s) => s.view === 'layer-detail'), 'the host got the picture');
  });
});
