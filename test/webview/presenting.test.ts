// Presenting and online training in the inspector webview (Chromium, the host's own message
// builders over a real TrainingSession): the fontScale message zooms the whole page (text and
// charts in proportion, applied live), and an online model's loss chart has the moving-average
// series the host sends. Screenshots: test-artifacts/webview/presenting-*.png.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector } from '../support/browserPage';
import { TrainingSession } from '../../src/extension/session';
import { buildInitMessage, buildSnapshotMessages, HistoryCursor } from '../../src/extension/inspectorMessages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import { ONLINE_LOSS_WINDOW } from '../../src/engine/movingAverage';

const text = readFileSync(join(__dirname, '../../examples/online-linear.backprop.json'), 'utf8');

describe('inspector webview: font scale and the online loss chart (Chromium, the host\'s builders)', function () {
  this.timeout(60000);
  let view: InspectorPage;

  before(async () => {
    const loaded = TrainingSession.load('file:///ws/online-linear.backprop.json', text);
    assert.ok(loaded.ok);
    const session = loaded.session;
    view = await openInspector({ theme: 'dark', width: 900 });
    const strings = Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]));
    await view.send(buildInitMessage(session, { strings, locale: 'en', theme: 'dark' }));
    for (let s = 0; s < 40; s++) await session.step();
    for (const message of buildSnapshotMessages(session, new HistoryCursor())) await view.send(message);
  });
  after(async () => view?.close());

  it('the loss chart of an online model names its moving-average series', async () => {
    const legend = await view.page.$$eval('#loss-chart .u-legend .u-label', (labels) => labels.map((l) => l.textContent));
    assert.ok(legend.includes(`Moving average of the last ${ONLINE_LOSS_WINDOW} steps`), legend.join(' | '));
    await view.page.locator('#loss-chart').screenshot({ path: join(ARTIFACTS, 'presenting-online-loss.png') });
  });

  it('fontScale 2 doubles the size of text on screen, live; a bad scale is refused with a protocol error', async () => {
    const size = () => view.page.$eval('.card h2, h2', (h) => {
      const r = h.getBoundingClientRect();
      return { width: r.width, height: r.height };
    });
    const before = await size();
    await view.send({ type: 'fontScale', scale: 2 });
    const after = await size();
    assert.ok(Math.abs(after.height / before.height - 2) < 0.15, `height ${before.height} → ${after.height}`);
    assert.equal(await view.page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--font-scale').trim()), '2');
    await view.page.screenshot({ path: join(ARTIFACTS, 'presenting-font-scale-2.png') });
    await view.send({ type: 'fontScale', scale: 1 });
    const back = await size();
    assert.ok(Math.abs(back.height - before.height) < 0.5, `back to ${back.height}`);
    const errorsBefore = view.posted.filter((m) => m.type === 'protocolError').length;
    await view.deliver({ type: 'fontScale', scale: 'huge' });
    await view.page.waitForTimeout(100);
    assert.equal(view.posted.filter((m) => m.type === 'protocolError').length, errorsBefore + 1);
  });
});
