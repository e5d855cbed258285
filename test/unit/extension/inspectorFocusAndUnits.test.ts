// What the host adds to its snapshots for lesson 6 and for the debugger: the dead and saturated
// units of the step on screen (checked against z = W·x + b written out from the example files),
// and a focus message when the debugger's selected frame moves the session's focus.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../../src/extension/session';
import { buildSnapshotMessages, HistoryCursor } from '../../../src/extension/inspectorMessages';
import type { FocusMessage, HostMessage, StepMessage } from '../../../src/protocol/messages';
import type { ModelFile } from '../../../src/engine/types';
import { BackpropDebugSession } from '../../../src/extension/debug/backpropDebugSession';
import type { DebugProtocol } from '@vscode/debugprotocol';

const EXAMPLES = join(__dirname, '../../../examples');

function load(file: string): { session: TrainingSession; model: ModelFile } {
  const text = readFileSync(join(EXAMPLES, file), 'utf8');
  const result = TrainingSession.load(`file:///ws/${file}`, text);
  if (!result.ok) throw new Error(`${file} does not load`);
  return { session: result.session, model: JSON.parse(text) as ModelFile };
}

const stepOf = (messages: HostMessage[]) => messages.find((m): m is StepMessage => m.type === 'step');
const focusOf = (messages: HostMessage[]) => messages.filter((m): m is FocusMessage => m.type === 'focus');

/** z of the first layer, sample by sample, from the file's own weights: W·x + b written out. */
function firstLayerZ(model: ModelFile, rows: number[]): number[][] {
  const { weights, bias } = model.layers[0];
  const x = (model.data as { x: number[][] }).x;
  return rows.map((row) => weights!.map((w, j) => w.reduce((s, wji, i) => s + wji * x[row][i], bias![j])));
}

describe('inspector snapshots: dead and saturated units (lesson 6)', () => {
  it('marks the dead ReLU units of the dead-ReLU example: z ≤ 0 for every training sample', async () => {
    const { session, model } = load('06-activations-dead-relu.backprop.json');
    await session.step();
    const health = stepOf(buildSnapshotMessages(session, new HistoryCursor()))?.unitHealth;
    const z = firstLayerZ(model, session.engine.data.split.train);
    const dead = [0, 1, 2].filter((u) => z.every((row) => row[u] <= 0));
    assert.deepEqual(dead, [0, 1], 'the example says two of the three units have a bias of −5');
    assert.deepEqual(health, [{ dead, saturated: [] }, { dead: [], saturated: [] }]);
  });

  it('marks the saturated sigmoid units of the saturated example: σ′(z) < 0.1·¼ for every sample of the batch', async () => {
    const { session, model } = load('06-activations-saturated-sigmoid.backprop.json');
    await session.step();
    const health = stepOf(buildSnapshotMessages(session, new HistoryCursor()))?.unitHealth;
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const z = firstLayerZ(model, session.record!.batch.map((p) => session.engine.data.split.train[p]));
    const saturated = [0, 1, 2].filter((u) => z.every((row) => sigmoid(row[u]) * (1 - sigmoid(row[u])) < 0.025));
    assert.deepEqual(saturated, [0, 1, 2], 'the example says every hidden unit has |z| ≥ 4');
    assert.deepEqual(health, [{ dead: [], saturated }, { dead: [], saturated: [] }]);
  });

  it('marks only the layers already run forward while a step is in progress', async () => {
    const { session } = load('06-activations-saturated-sigmoid.backprop.json');
    await session.stepInto(); // forward of layer 1 only
    const health = stepOf(buildSnapshotMessages(session, new HistoryCursor()))?.unitHealth;
    assert.deepEqual(health, [{ dead: [], saturated: [0, 1, 2] }, { dead: [], saturated: [] }]);
  });
});

describe('inspector snapshots: the debugger\'s focus', () => {
  it('sends a focus message when the session focuses an operation, once per change', async () => {
    const { session } = load('06-activations-dead-relu.backprop.json');
    await session.step();
    const cursor = new HistoryCursor();
    assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), [], 'no focus before the debugger sets one');
    session.focusOn({ kind: 'backward', layer: 1 }, 1);
    assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), [{ type: 'focus', layer: 1, phase: { kind: 'backward', layer: 1 } }]);
    assert.equal(session.selection.layer, 1, 'the layer detail follows');
    assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), [], 'an unchanged focus is not sent again');
    // The update works on no single layer: the layer shown stays.
    session.focusOn({ kind: 'update' });
    assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), [{ type: 'focus', layer: 1, phase: { kind: 'update' } }]);
  });

  it('fires a selection change only when the focus moves, and an inspector selection clears it without echo', async () => {
    const { session } = load('06-activations-dead-relu.backprop.json');
    const changes: string[] = [];
    session.onDidChange((c) => changes.push(c.kind));
    const cursor = new HistoryCursor();
    session.focusOn({ kind: 'forward', layer: 0 }, 0);
    session.focusOn({ kind: 'forward', layer: 0 }, 0);
    assert.deepEqual(changes, ['selection']);
    assert.equal(focusOf(buildSnapshotMessages(session, cursor)).length, 1);
    // A click on layer 2 in the inspector (the panel's select action): no focus, nothing sent back.
    session.select({ layer: 1, sample: session.selection.sample });
    assert.equal(session.selection.focus, undefined);
    assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), []);
    // The debugger selecting the same frame again is news to the webview.
    session.focusOn({ kind: 'forward', layer: 0 }, 0);
    assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), [{ type: 'focus', layer: 0, phase: { kind: 'forward', layer: 0 } }]);
    // A new page (init) gets the current focus again.
    cursor.restart();
    assert.equal(focusOf(buildSnapshotMessages(session, cursor)).length, 1);
  });

  it('the debugger\'s Variables for an operation frame focus the session on that operation (in-process adapter)', async () => {
    const { session } = load('06-activations-dead-relu.backprop.json');
    const adapter = new BackpropDebugSession(async () => ({ session }));
    // The adapter's inline channel takes one listener: it records stops and answers requests.
    let seq = 0;
    const stops: unknown[] = [];
    const pending = new Map<number, (response: DebugProtocol.Response) => void>();
    adapter.onDidSendMessage((m) => {
      const message = m as DebugProtocol.ProtocolMessage;
      if (message.type === 'event' && (message as DebugProtocol.Event).event === 'stopped') stops.push(message);
      if (message.type === 'response') pending.get((message as DebugProtocol.Response).request_seq)?.((message as DebugProtocol.Response));
    });
    const request = (command: string, args: object = {}) => new Promise<DebugProtocol.Response>((done) => {
      const id = ++seq;
      pending.set(id, done);
      adapter.handleMessage({ seq: id, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
    const stopped = async (count: number) => {
      while (stops.length < count) await new Promise((r) => setImmediate(r));
    };
    await request('initialize', { adapterID: 'backprop' });
    const launched = request('launch', { model: '/ws/06-activations-dead-relu.backprop.json', stopOnEntry: true });
    await request('configurationDone');
    await launched;
    await stopped(1);
    const cursor = new HistoryCursor();
    for (const [moves, phase, layer] of [[1, { kind: 'forward', layer: 0 }, 0], [2, { kind: 'loss' }, 1], [1, { kind: 'backward', layer: 1 }, 1]] as const) {
      for (let k = 0; k < moves; k++) {
        const before = stops.length;
        await request('stepIn', { threadId: 1 });
        await stopped(before + 1);
      }
      await request('stackTrace', { threadId: 1 });
      const scopes = await request('scopes', { frameId: 1 });
      assert.ok(scopes.success, scopes.message);
      assert.deepEqual(session.selection.focus, phase);
      assert.deepEqual(focusOf(buildSnapshotMessages(session, cursor)), [{ type: 'focus', layer, phase }]);
    }
    await request('disconnect');
  });
});
