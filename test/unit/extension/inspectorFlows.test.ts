// Host flows around the session: going far ahead (full speed, cancellable) lands where stepping
// does; the reset-on-edit offer; a panel revived after a window reload comes back on the right
// document at the same step and selection, whether or not the webview's saved state names it.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../../src/extension/session';
import { offerResetOnEdit, type OfferUi } from '../../../src/extension/modelChangeOffer';
import { matchSavedState, panelStateOf, persistedDocumentUri, restoreView, type PersistedPanelState } from '../../../src/extension/panelState';
import { parameters } from '../../../src/engine/network';
import { toStepTrace } from '../../../src/engine/trace';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../../src/protocol/messages';

const examples = join(__dirname, '../../../examples');
const XOR = readFileSync(join(examples, 'xor.backprop.json'), 'utf8');
const SPIRAL = readFileSync(join(examples, '07-optimizer-race.backprop.json'), 'utf8');

function open(text: string, uri = 'file:///ws/xor.backprop.json'): TrainingSession {
  const result = TrainingSession.load(uri, text);
  if (!result.ok) throw new Error(JSON.stringify(result.loaded.diagnostics));
  return result.session;
}

function params(session: TrainingSession): number[][] {
  return parameters(session.engine.network).map((p) => Array.from(p));
}

describe('Go To Step far ahead', () => {
  for (const [name, text, steps] of [['xor', XOR, 1000], ['spiral (adam, validation split)', SPIRAL, 120]] as const) {
    it(`${name}: going to step ${steps} gives the state, record, loss history and epoch figures of stepping there`, async () => {
      const jumped = open(text);
      const changes: string[] = [];
      jumped.onDidChange((c) => changes.push(c.kind));
      let reported = 0;
      const outcome = await jumped.goToStep(steps, { onStep: (done) => (reported = done) });
      assert.deepEqual(outcome, { kind: 'condition', reason: { kind: 'steps' } });
      assert.equal(reported, steps);
      const stepped = open(text);
      for (let s = 0; s < steps; s++) await stepped.step();
      assert.equal(jumped.position.step, steps);
      assert.deepEqual(jumped.position, stepped.position);
      assert.deepEqual(params(jumped), params(stepped));
      assert.deepEqual(toStepTrace(jumped.record!), toStepTrace(stepped.record!));
      assert.deepEqual(jumped.lossHistory(1), stepped.lossHistory(1), 'loss before and after every step');
      assert.deepEqual(jumped.epochs, stepped.epochs);
      assert.equal(jumped.engine.tracing, true, 'tracing is back on after the run');
      // Untraced steps are silent: only each slice's last (traced) step is announced. (Failing this
      // would take a 12 ms stall right at the start of every one of the slices.)
      const announced = changes.filter((c) => c === 'step').length;
      assert.ok(announced >= 1 && announced < steps, `${announced} step changes for ${steps} steps`);
      // Back and forward again from the middle of a step.
      await jumped.goToStep(steps / 2);
      await jumped.stepInto();
      await jumped.goToStep(steps);
      assert.deepEqual(toStepTrace(jumped.record!), toStepTrace(stepped.record!));
      assert.deepEqual(params(jumped), params(stepped));
    });
  }

  it('stops where it is when cancelled, at a step that stepping reaches too', async () => {
    const session = open(XOR);
    let done = 0;
    const outcome = await session.goToStep(5000, { onStep: (n) => (done = n), isCancellationRequested: () => done >= 37 });
    assert.deepEqual(outcome, { kind: 'cancelled' });
    assert.equal(session.position.step, 37);
    assert.equal(session.running, false);
    const stepped = open(XOR);
    for (let s = 0; s < 37; s++) await stepped.step();
    assert.deepEqual(toStepTrace(session.record!), toStepTrace(stepped.record!));
    assert.deepEqual(session.lossHistory(1), stepped.lossHistory(1));
  });

  it('a Pause during the jump ends it', async () => {
    const session = open(XOR);
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const jump = session.goToStep(1_000_000, { onStep: () => started() });
    await running;
    await session.pause();
    assert.deepEqual(await jump, { kind: 'paused' });
    assert.ok(session.position.step < 1_000_000);
    assert.equal(session.engine.tracing, true);
  });
});

describe('reset-on-edit offer', () => {
  const edited = XOR.replace('"learningRate": 0.1', '"learningRate": 0.5');

  function ui(answer: (choices: string[]) => string | undefined) {
    const asked: string[] = [];
    const errors: string[] = [];
    const fake: OfferUi = {
      ask: (message, ...choices) => {
        asked.push(message);
        return Promise.resolve(answer(choices));
      },
      showError: (message) => void errors.push(message),
    };
    return { fake, asked, errors };
  }

  async function sessionAtStep3(): Promise<TrainingSession> {
    const session = open(XOR);
    for (let s = 0; s < 3; s++) await session.step();
    return session;
  }

  it('accepted: the session starts over on the new model (step 0, new optimizer settings, reload announced)', async () => {
    assert.notEqual(edited, XOR);
    const session = await sessionAtStep3();
    const changes: string[] = [];
    session.onDidChange((c) => changes.push(c.kind));
    const { fake, asked } = ui((choices) => choices[0]);
    assert.equal(await offerResetOnEdit(session, () => edited, {}, fake), 'reset');
    assert.equal(asked.length, 1);
    assert.match(asked[0], /Step 3/);
    assert.equal(session.position.step, 0);
    assert.equal(session.text, edited);
    assert.equal(session.model.optimizer.learningRate, 0.5);
    assert.deepEqual(changes, ['reload']);
    const fresh = open(edited);
    await session.step();
    await fresh.step();
    assert.deepEqual(toStepTrace(session.record!), toStepTrace(fresh.record!));
  });

  for (const [what, answer] of [['declined', (choices: string[]) => choices[1]], ['dismissed', () => undefined]] as const) {
    it(`${what}: nothing changes`, async () => {
      const session = await sessionAtStep3();
      const before = toStepTrace(session.record!);
      const { fake } = ui(answer);
      assert.equal(await offerResetOnEdit(session, () => edited, {}, fake), 'kept');
      assert.equal(session.position.step, 3);
      assert.equal(session.text, XOR);
      assert.equal(session.model.optimizer.learningRate, 0.1);
      assert.deepEqual(toStepTrace(session.record!), before);
    });
  }

  it('accepted but the text no longer trains: says why and keeps the session', async () => {
    const session = await sessionAtStep3();
    const { fake, errors } = ui((choices) => choices[0]);
    const broken = XOR.replace('"units": 1, "activation": "sigmoid"', '"units": 1, "activation": "sigmoidal"');
    assert.equal(await offerResetOnEdit(session, () => broken, {}, fake), 'failed');
    assert.equal(errors.length, 1);
    assert.match(errors[0], /layers\[1\]\.activation/);
    assert.equal(session.position.step, 3);
    assert.equal(session.text, XOR);
  });
});

describe('inspector restored after a window reload', () => {
  const XOR_URI = 'file:///ws/xor.backprop.json';
  const SPIRAL_URI = 'file:///ws/07-optimizer-race.backprop.json';
  const view = (step: number, over: Partial<ViewState> = {}): ViewState => ({
    step, selectedLayer: 1, sample: 1, diagramMode: 'gradient', detailMode: 'heatmap', speed: 8, ...over,
  });

  /** What the host keeps in workspaceState, after a JSON round trip (as VS Code stores it). */
  function hostCopies(...states: PersistedPanelState[]): PersistedPanelState[] {
    return JSON.parse(JSON.stringify(states));
  }

  async function revive(webviewState: unknown, copies: PersistedPanelState[], claimed: Set<string>, texts: Record<string, string>) {
    const state = matchSavedState(webviewState, copies, claimed);
    const uri = persistedDocumentUri(state);
    assert.ok(uri, 'a document was found');
    const session = open(texts[uri], uri);
    assert.deepEqual(await restoreView(session, state), { ok: true });
    return session;
  }

  it('two inspectors whose webviews saved bare view states come back on their own documents, steps and selections', async () => {
    const xorView = view(7, { selectedParameter: { kind: 'weight', layer: 1, out: 0, in: 2 } });
    const spiralView = view(4, { selectedLayer: 2, sample: 5 });
    // Key order as the host's validation rebuilds it differs from the webview's: not a reason to mismatch.
    const reordered = Object.fromEntries(Object.entries(spiralView).reverse());
    const copies = hostCopies({ documentUri: XOR_URI, view: xorView }, { documentUri: SPIRAL_URI, view: reordered as unknown as ViewState });
    const texts = { [XOR_URI]: XOR, [SPIRAL_URI]: SPIRAL };
    const claimed = new Set<string>();
    // VS Code revives the panels in an order of its own: the spiral's first.
    const spiral = await revive(JSON.parse(JSON.stringify(spiralView)), copies, claimed, texts);
    const xor = await revive(JSON.parse(JSON.stringify(xorView)), copies, claimed, texts);
    assert.equal(spiral.uri, SPIRAL_URI);
    assert.equal(xor.uri, XOR_URI);
    assert.deepEqual([spiral.position.step, xor.position.step], [4, 7]);
    assert.deepEqual(spiral.selection, { layer: 2, parameter: undefined, sample: 5 });
    assert.deepEqual(xor.selection, { layer: 1, parameter: { kind: 'weight', layer: 1, out: 0, in: 2 }, sample: 1 });
    const stepped = open(XOR);
    for (let s = 0; s < 7; s++) await stepped.step();
    assert.deepEqual(toStepTrace(xor.record!), toStepTrace(stepped.record!));
  });

  it("the host's copy is the newest: taken for a webview state that names its document, or for a bare one that matches none", () => {
    const copies = hostCopies({ documentUri: XOR_URI, view: view(2) }, { documentUri: SPIRAL_URI, view: view(3) });
    const claimed = new Set<string>();
    assert.deepEqual(matchSavedState({ documentUri: SPIRAL_URI, view: view(1) }, copies, claimed), { documentUri: SPIRAL_URI, view: view(3) });
    assert.deepEqual(matchSavedState(view(1, { sample: 0 }), copies, claimed), { documentUri: XOR_URI, view: view(2) });
    assert.equal(matchSavedState(view(1), copies, claimed), undefined, 'nothing left to claim');
    const named = { documentUri: 'file:///ws/other.backprop.json', view: view(4) };
    assert.deepEqual(matchSavedState(named, copies, new Set()), named, 'a named document without a host copy keeps its own state');
  });

  it('stepping without touching the view is saved too: the reload comes back at the step on screen', async () => {
    const session = open(XOR, XOR_URI);
    for (let s = 0; s < 5; s++) await session.step();
    const saved = hostCopies(panelStateOf(session));
    assert.equal(saved[0].view?.step, 5);
    // The webview saved its (default) view before the first step.
    const state = matchSavedState({ ...DEFAULT_VIEW_STATE }, saved, new Set());
    const revived = open(XOR, persistedDocumentUri(state)!);
    assert.deepEqual(await restoreView(revived, state), { ok: true });
    assert.equal(revived.position.step, 5);
    assert.deepEqual(toStepTrace(revived.record!), toStepTrace(session.record!));
    // A later view change keeps the step on screen, not the one the webview last reported.
    session.viewState = view(1, { selectedLayer: 0 });
    await session.step();
    assert.deepEqual(panelStateOf(session).view, view(6, { selectedLayer: 0 }));
  });

  it('a saved step far ahead is reached through the given goTo, and a saved view that no longer fits is refused', async () => {
    const session = open(XOR);
    const asked: number[] = [];
    const result = await restoreView(session, { documentUri: XOR_URI, view: view(600) }, (step) => {
      asked.push(step);
      return session.goToStep(step);
    });
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(asked, [600]);
    assert.equal(session.position.step, 600);
    const refused = await restoreView(open(XOR), { documentUri: XOR_URI, view: view(600, { selectedLayer: 4 }) });
    assert.equal(refused.ok, false);
  });
});
