// Evaluate on Test Set in the inspector (issue 10 item 10), in Chromium: the toolbar button posts
// the command, the host's router validates it and the host's own SessionCommands runs it on a real
// session (the `vscode` stand-in records the notification), and the host's own snapshot builders
// send the looks back; the loss view lists each look with its exact value and, from the second on,
// the warning with the steps the test set was opened at.
import '../unit/extension/useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InspectorPage, openInspector } from '../support/browserPage';
import { SessionRegistry, TrainingSession } from '../../src/extension/session';
import { SessionCommands } from '../../src/extension/sessionCommands';
import { type InspectorActions, routeWebviewMessage } from '../../src/extension/inspectorRouter';
import { HistoryCursor, buildInitMessage, buildSnapshotMessages } from '../../src/extension/inspectorMessages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import { shownMessages } from '../unit/extension/vscodeStub';

const FILE = '08-data-splits.backprop.json';
const text = readFileSync(join(__dirname, '../../examples', FILE), 'utf8');

describe('inspector: Evaluate on Test Set (Chromium, the host\'s router, commands and builders)', function () {
  this.timeout(60000);
  let view: InspectorPage;
  let session: TrainingSession;
  let commands: SessionCommands;
  const cursor = new HistoryCursor();
  const sendSnapshot = async () => {
    for (const message of buildSnapshotMessages(session, cursor)) await view.send(message);
  };
  const problems: string[] = [];
  const actions = (): InspectorActions => ({
    ready: () => undefined,
    command: (command) => commands.run(session, command),
    select: () => undefined,
    requestTensor: () => undefined,
    show: () => undefined,
    requestExplanation: () => undefined,
    savePicture: () => undefined,
    copyText: () => undefined,
    viewState: () => undefined,
    protocolError: (reason) => void problems.push(reason),
  });
  /** Clicks the toolbar button and routes what the page posted as the panel does; then the panel's snapshot. */
  const clickEvaluate = async () => {
    const before = view.posted.length;
    await view.page.click('#evaluate-test');
    for (let i = 0; i < 50 && !view.posted.slice(before).some((m) => m.type === 'command'); i++) await new Promise((r) => setTimeout(r, 20));
    const posted = view.posted.slice(before).filter((m) => m.type === 'command');
    assert.equal(posted.length, 1);
    assert.equal(await routeWebviewMessage(posted[0], session.validationContext, actions(), (line) => problems.push(line)), true);
    await sendSnapshot();
  };
  const shown = (quantity: string) => view.page.$eval(`[data-quantity="${quantity}"]`, (node) => (node as HTMLElement).dataset.value);

  before(async () => {
    const loaded = TrainingSession.load(`file:///ws/${FILE}`, text);
    assert.ok(loaded.ok);
    session = loaded.session;
    const registry = new SessionRegistry();
    registry.add(session);
    commands = new SessionCommands(registry);
    view = await openInspector({ theme: 'light' });
    const strings = Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]));
    await view.send(buildInitMessage(session, { strings, locale: 'en', theme: 'light' }));
    await sendSnapshot();
  });
  after(async () => view?.close());

  it('before any look: no test section', async () => {
    assert.equal(await view.page.$eval('#test-looks', (node) => (node as HTMLElement).hidden), true);
  });

  it('first look at step 5: the loss view shows the host\'s test loss exactly, the notification says it is the first look', async () => {
    await session.goToStep(5);
    await sendSnapshot();
    shownMessages.length = 0;
    await clickEvaluate();
    const looks = session.testLooks;
    assert.deepEqual(looks.map((e) => e.step), [5]);
    assert.equal(await shown('testLooks[0].loss'), String(looks[0].loss));
    assert.equal(await view.page.$eval('#test-looks', (node) => (node as HTMLElement).hidden), false);
    assert.equal(await view.page.$eval('#test-warning', (node) => (node as HTMLElement).hidden), true);
    assert.equal(shownMessages.length, 1);
    assert.equal(shownMessages[0].severity, 'information');
    assert.match(shownMessages[0].text, /^Test set at step 5 \(8 samples\): J = .*This is the first look/);
  });

  it('second look at step 9: both looks listed, the warning names the earlier steps; a Step Back keeps them', async () => {
    await session.goToStep(9);
    await sendSnapshot();
    shownMessages.length = 0;
    await clickEvaluate();
    assert.equal(shownMessages[0].severity, 'warning');
    assert.match(shownMessages[0].text, /opened 1 time\(s\) before, at step\(s\) 5\./);
    assert.equal(await shown('testLooks[1].loss'), String(session.testLooks[1].loss));
    assert.equal(await view.page.$eval('#test-warning', (node) => (node as HTMLElement).hidden), false);
    assert.equal(await view.page.textContent('#test-warning'), 'Opened 2 times, at steps 5, 9: after the first look the test set is a validation set.');
    await session.stepBack();
    await sendSnapshot();
    assert.equal(await view.page.$$eval('#test-figures [data-quantity]', (nodes) => nodes.length), 2);
    assert.deepEqual(problems, []);
  });
});
