// Step 0 in the inspector (issue 10 items 3 and 5), fed by the host's own message builders over a
// real TrainingSession: the initial weights and biases are on screen, Step Back is disabled, and
// after Step ×3 and Step Back ×3 the inspector shows step 0 again.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InspectorPage, openInspector } from '../support/browserPage';
import { TrainingSession } from '../../src/extension/session';
import { buildInitMessage, buildSnapshotMessages, HistoryCursor } from '../../src/extension/inspectorMessages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import type { ModelFile } from '../../src/engine/types';

const FILE = '06-activations-dead-relu.backprop.json'; // states its weights and biases
const text = readFileSync(join(__dirname, '../../examples', FILE), 'utf8');
const model = JSON.parse(text) as ModelFile;

describe('inspector webview at step 0 (Chromium, the host\'s builders)', function () {
  this.timeout(60000);
  let view: InspectorPage;
  let session: TrainingSession;
  const cursor = new HistoryCursor();
  const sendSnapshot = async () => {
    for (const message of buildSnapshotMessages(session, cursor)) await view.send(message);
  };
  const stepBackDisabled = () => view.page.$eval('#step-back', (b) => b.hasAttribute('disabled'));
  const shownWeights = () =>
    view.page.$$eval('td[data-tensor="layers[0].weights"]', (tds) => tds.map((td) => Number((td as HTMLElement).dataset.value)));

  before(async () => {
    const loaded = TrainingSession.load(`file:///ws/${FILE}`, text);
    assert.ok(loaded.ok);
    session = loaded.session;
    view = await openInspector({ theme: 'light' });
    const strings = Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]));
    await view.send(buildInitMessage(session, { strings, locale: 'en', theme: 'light' }));
    await sendSnapshot();
  });
  after(async () => view?.close());

  it('before the first step: the initial W shown, Step Back disabled', async () => {
    assert.equal(await stepBackDisabled(), true);
    assert.deepEqual(await shownWeights(), model.layers[0].weights!.flat());
  });

  it('Step enables Step Back; Step ×3 then Step Back ×3 shows step 0 again with the initial W', async () => {
    for (let s = 0; s < 3; s++) {
      await session.step();
      await sendSnapshot();
    }
    assert.equal(await stepBackDisabled(), false);
    assert.notDeepEqual(await shownWeights(), model.layers[0].weights!.flat(), 'step 3 shows the weights it used');
    for (let s = 0; s < 3; s++) {
      await session.stepBack();
      await sendSnapshot();
    }
    assert.equal(await view.page.$eval('#status-step', (e) => e.closest('[hidden]') !== null || (e as HTMLElement).hidden), true, 'no "Step 1" chip at step 0');
    assert.equal(await stepBackDisabled(), true);
    assert.deepEqual(await shownWeights(), model.layers[0].weights!.flat());
  });
});
