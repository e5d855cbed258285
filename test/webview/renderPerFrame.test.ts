// When a step is rendered (src/webview/main.ts, ctx.invalidate): at once when an animation frame
// has begun since the last render, else in the next frame, so a burst of steps costs one render
// a frame. The inspector bundle in Chromium, fed by the host's own builders; each screen's J is
// held against the session's record of the step it claims to show.
import { strict as assert } from 'node:assert';
import { type InspectorPage, pack } from '../support/browserPage';
import { SessionHost, answerHost, openStepped } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';

const run = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 64), 16, 8);

/**
 * Renders `first`; in the next animation frame posts `second` and reads, in the task that delivers
 * it (a message listener added after the page's own, so its microtask runs after the page's render),
 * which step the page shows and its J. Page code as text: tsx's name helpers do not exist in the page.
 */
function postAfterAFrame(view: InspectorPage, first: unknown, second: unknown): Promise<{ step: string; loss: number }> {
  return view.page.evaluate(`((firstText, secondText) => new Promise((done) => {
    document.body.addEventListener('inspector-shown', () => requestAnimationFrame(() => {
      window.addEventListener('message', () => queueMicrotask(() => done({
        step: document.getElementById('app').dataset.step,
        loss: Number(document.getElementById('loss-value').dataset.value),
      })), { once: true });
      window.postMessage(window.__unpack(secondText), '*');
    }), { once: true });
    window.postMessage(window.__unpack(firstText), '*');
  }))(${JSON.stringify(pack(first))}, ${JSON.stringify(pack(second))})`) as Promise<{ step: string; loss: number }>;
}

/**
 * Posts `messages` in one burst (a task each) and counts the renders (`inspector-shown`) begun
 * between successive animation frames until the page has settled; resolves with those counts and the step shown.
 */
function burst(view: InspectorPage, messages: unknown[]): Promise<{ perFrame: number[]; step: string }> {
  return view.page.evaluate(`((texts) => new Promise((done) => {
    const perFrame = [0];
    const count = () => perFrame[perFrame.length - 1]++;
    document.body.addEventListener('inspector-shown', count);
    let frames = true;
    const frame = () => {
      if (!frames) return;
      perFrame.push(0);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const applied = Number(document.body.dataset.applied ?? 0) + texts.length;
    const rendered = (event) => {
      if (event.detail.applied < applied) return;
      document.body.removeEventListener('inspector-rendered', rendered);
      document.body.removeEventListener('inspector-shown', count);
      frames = false;
      done({ perFrame, step: document.getElementById('app').dataset.step });
    };
    document.body.addEventListener('inspector-rendered', rendered);
    for (const text of texts) window.postMessage(window.__unpack(text), '*');
  }))(${JSON.stringify(messages.map(pack))})`) as Promise<{ perFrame: number[]; step: string }>;
}

describe('one render a frame, and no wait for a frame already begun', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let host: SessionHost;
  before(async () => {
    ({ view, host } = await openStepped({ theme: 'light', width: 1280, height: 900 }, run.model, 2));
  });
  after(async () => view?.close());

  it('a step that arrives once a frame has begun since the last render is on screen in the task that brought it', async () => {
    for (const k of [3, 5, 7, 9, 11]) {
      const from = view.posted.length;
      const seen = await postAfterAFrame(view, await host.next(k), await host.next(k + 1));
      assert.equal(seen.step, String(k + 1), `step ${k + 1} is shown without waiting for another frame`);
      assert.equal(seen.loss, host.record(k + 1).loss, `J is step ${k + 1}'s`);
      await view.page.waitForSelector(`body[data-rendered-step="${k + 1}"]`, { state: 'attached' });
      await answerHost(view, host, from);
    }
  });

  it('a burst of steps is rendered at most once a frame and ends on the last step', async () => {
    const from = view.posted.length;
    const messages = [];
    for (let k = 13; k <= 16; k++) messages.push(await host.next(k));
    const { perFrame, step } = await burst(view, messages);
    assert.ok(perFrame.every((renders) => renders <= 1), `renders begun between frames: ${perFrame.join(', ')}`);
    assert.ok(perFrame.reduce((sum, renders) => sum + renders, 0) < messages.length, `four steps in one burst: fewer renders than steps (${perFrame.join(', ')})`);
    assert.equal(step, '16');
    await answerHost(view, host, from);
    assert.equal(Number(await view.page.$eval('#loss-value', (e) => (e as HTMLElement).dataset.value)), host.record(16).loss);
  });
});
