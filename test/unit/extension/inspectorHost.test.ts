import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeWebviewMessage, SnapshotPoster, type InspectorActions } from '../../../src/extension/inspectorRouter';
import { persistedDocumentUri, restoreView, type PersistedPanelState } from '../../../src/extension/panelState';
import { TrainingSession } from '../../../src/extension/session';
import { problemRange, toVscodeDiagnostics } from '../../../src/extension/modelDiagnostics';
import { parseModelFile } from '../../../src/engine/model';
import { contentSecurityPolicy, inspectorHtml } from '../../../src/extension/inspectorHtml';
import { buildInitMessage, buildSnapshotMessages, HistoryCursor } from '../../../src/extension/inspectorMessages';
import { apply, initialState } from '../../../src/webview/store';
import type { ViewState } from '../../../src/protocol/messages';
import { toStepTrace } from '../../../src/engine/trace';

const XOR = readFileSync(join(__dirname, '../../../examples/xor.backprop.json'), 'utf8');

function open(): TrainingSession {
  const result = TrainingSession.load('file:///ws/xor.backprop.json', XOR);
  if (!result.ok) throw new Error('xor example does not load');
  return result.session;
}

function recordingActions() {
  const calls: string[] = [];
  const actions: InspectorActions = {
    ready: () => void calls.push('ready'),
    command: (c) => void calls.push(`command:${c.name}`),
    select: (m) => void calls.push(`select:${m.layer}`),
    requestTensor: (m) => void calls.push(`tensor:${m.name}`),
    show: (m) => void calls.push(`show:${m.tensors.map((t) => `${t.name}#${t.parts.join('+')}`).join(',')}`),
    requestExplanation: () => void calls.push('explanation'),
    savePicture: (m) => void calls.push(`picture:${m.view}:${m.format}`),
    copyText: (m) => void calls.push(`copy:${m.format}`),
    viewState: () => void calls.push('viewState'),
    protocolError: () => void calls.push('protocolError'),
  };
  return { calls, actions };
}

describe('inspector message routing', () => {
  const context = () => open().validationContext;

  it('hands checked messages to their action', async () => {
    const { calls, actions } = recordingActions();
    const log: string[] = [];
    assert.equal(await routeWebviewMessage({ type: 'command', command: { name: 'step' } }, context(), actions, (l) => log.push(l)), true);
    assert.equal(await routeWebviewMessage({ type: 'select', layer: 1 }, context(), actions, (l) => log.push(l)), true);
    assert.deepEqual(calls, ['command:step', 'select:1']);
    assert.deepEqual(log, []);
  });

  const malformed: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'step'],
    ['an unknown type', { type: 'rm -rf' }],
    ['an unknown command', { type: 'command', command: { name: 'format' } }],
    ['a layer out of range', { type: 'select', layer: 7 }],
    ['a negative step', { type: 'command', command: { name: 'goToStep', step: -1 } }],
    ['a weight outside W', { type: 'requestExplanation', step: 1, parameter: { kind: 'weight', layer: 0, out: 9, in: 0 } }],
    ['a NaN run-until value', { type: 'command', command: { name: 'runUntil', until: { kind: 'lossBelow', value: NaN } } }],
    ['a speed of a million', { type: 'command', command: { name: 'run', stepsPerSecond: 1e6 } }],
  ];
  for (const [what, raw] of malformed) {
    it(`rejects ${what} without throwing and logs why`, async () => {
      const { calls, actions } = recordingActions();
      const log: string[] = [];
      assert.equal(await routeWebviewMessage(raw, context(), actions, (l) => log.push(l)), false);
      assert.deepEqual(calls, []);
      assert.equal(log.length, 1);
      assert.match(log[0], /rejected a webview message/);
    });
  }

  it('accepts only ready before a model is loaded', async () => {
    const { calls, actions } = recordingActions();
    const log: string[] = [];
    assert.equal(await routeWebviewMessage({ type: 'command', command: { name: 'step' } }, undefined, actions, (l) => log.push(l)), false);
    assert.equal(await routeWebviewMessage({ type: 'ready' }, undefined, actions, (l) => log.push(l)), true);
    assert.deepEqual(calls, ['ready']);
  });

  it('logs an action that throws instead of throwing into the message event', async () => {
    const { actions } = recordingActions();
    actions.command = () => {
      throw new Error('boom');
    };
    const log: string[] = [];
    await routeWebviewMessage({ type: 'command', command: { name: 'reset' } }, context(), actions, (l) => log.push(l));
    assert.deepEqual(log, ['command reset failed: boom']);
  });
});

describe('SnapshotPoster', () => {
  it('keeps one post in flight and sends only the newest state after it', async () => {
    let state = 0;
    const posted: number[] = [];
    const resolvers: Array<() => void> = [];
    const poster = new SnapshotPoster(
      () => state,
      (m) => {
        posted.push(m);
        return new Promise<boolean>((resolve) => resolvers.push(() => resolve(true)));
      },
      () => true,
    );
    state = 1;
    poster.invalidate();
    for (const next of [2, 3, 4, 5]) {
      state = next;
      poster.invalidate();
    }
    assert.deepEqual(posted, [1]);
    resolvers.shift()!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(posted, [1, 5]);
  });

  it('posts nothing while hidden and a fresh snapshot when shown', () => {
    let visible = false;
    const posted: string[] = [];
    const poster = new SnapshotPoster(() => 'snapshot', (m) => (posted.push(m), Promise.resolve(true)), () => visible);
    poster.invalidate();
    poster.invalidate();
    assert.deepEqual(posted, []);
    visible = true;
    poster.shown();
    assert.deepEqual(posted, ['snapshot']);
  });
});

describe('inspector snapshots', () => {
  it('send each step loss once and truncate history when stepping back', async () => {
    const session = open();
    const cursor = new HistoryCursor();
    await session.step();
    await session.step();
    const first = buildSnapshotMessages(session, cursor);
    const step = first.find((m) => m.type === 'step');
    assert.ok(step && step.type === 'step');
    assert.deepEqual([step.history.from, step.history.loss.length], [1, 2]);
    await session.stepBack();
    const back = buildSnapshotMessages(session, cursor).find((m) => m.type === 'step');
    assert.ok(back && back.type === 'step');
    assert.deepEqual([back.position.step, back.history.from, back.history.loss.length], [1, 2, 0]);
  });
});

describe('panel serializer state', () => {
  const view = (over: Partial<ViewState> = {}): ViewState => ({
    step: 3,
    selectedLayer: 1,
    selectedParameter: { kind: 'weight', layer: 1, out: 0, in: 2 },
    sample: 1,
    diagramMode: 'gradient',
    detailMode: 'heatmap',
    speed: 8,
    ...over,
  });

  it('round-trips through JSON and restores the same step and selection', async () => {
    const saved: PersistedPanelState = { documentUri: 'file:///ws/xor.backprop.json', view: view() };
    const revived = JSON.parse(JSON.stringify(saved)) as unknown;
    assert.equal(persistedDocumentUri(revived), saved.documentUri);
    const session = open();
    assert.deepEqual(await restoreView(session, revived), { ok: true });
    assert.equal(session.position.step, 3);
    assert.deepEqual(session.selection, { layer: 1, parameter: { kind: 'weight', layer: 1, out: 0, in: 2 }, sample: 1 });
    assert.deepEqual(session.viewState, view());
    const stepped = open();
    for (let i = 0; i < 3; i++) await stepped.step();
    assert.deepEqual(toStepTrace(session.record!), toStepTrace(stepped.record!));
  });

  it('ignores a state that does not fit the model, staying at step 0', async () => {
    const session = open();
    const result = await restoreView(session, { documentUri: 'file:///ws/xor.backprop.json', view: view({ selectedLayer: 5 }) });
    assert.equal(result.ok, false);
    assert.equal(session.position.step, 0);
    assert.equal(persistedDocumentUri({ documentUri: 42 }), undefined);
    assert.equal(persistedDocumentUri(undefined), undefined);
  });
});

describe('model diagnostics', () => {
  it('place a semantic error on the offending value, with its JSON path', () => {
    const model = JSON.parse(XOR);
    model.layers[0].weights = [[0.1, -0.2], [0.3, 0.4]]; // 2 rows for 3 units
    const text = JSON.stringify(model, null, 2);
    const problems = parseModelFile(text).diagnostics;
    assert.ok(problems.length > 0);
    const [diagnostic] = toVscodeDiagnostics(problems, text);
    const start = text.indexOf('"weights"');
    const lineOfWeights = text.slice(0, start).split('\n').length - 1;
    assert.ok(diagnostic.range.start.line >= lineOfWeights, `range starts at line ${diagnostic.range.start.line}`);
    assert.match(diagnostic.message, /layers\[0\]\.weights/);
    assert.equal(diagnostic.source, 'backprop');
  });

  it('place a syntax error at its line and column', () => {
    const text = '{\n  "inputs": 2,\n  "layers": [ }\n}';
    const problems = parseModelFile(text).diagnostics;
    const range = problemRange(problems[0], text);
    assert.equal(range.start.line, 2);
    assert.equal(range.start.character, problems[0].column! - 1);
  });

  it('fall back to line/column, then to the first line', () => {
    const text = 'ab\r\ncdef\n';
    const byLine = problemRange({ path: 'x', message: 'm', severity: 'error', line: 2, column: 2 }, text);
    assert.deepEqual([byLine.start.line, byLine.start.character, byLine.end.line, byLine.end.character], [1, 1, 1, 4]);
    const whole = problemRange({ path: '', message: 'm', severity: 'error' }, text);
    assert.deepEqual([whole.start.line, whole.start.character, whole.end.character], [0, 0, 2]);
  });
});

describe('inspector HTML shell', () => {
  it('allows only nonce scripts and the extension origin, no remote or inline content', () => {
    const csp = contentSecurityPolicy('https://ext.example', 'abc123');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const html = inspectorHtml({ cspSource: 'https://ext.example', nonce: 'abc123', scriptUri: 'https://ext.example/webview.js', styleUris: ['https://ext.example/a.css'], lang: 'ko', title: 'T "<x>"' });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abc123" src="https:\/\/ext\.example\/webview\.js"><\/script>/);
    assert.match(html, /<html lang="ko">/);
    assert.match(html, /T &quot;&lt;x&gt;&quot;/);
  });

  it('links the codicon stylesheet with the id <vscode-icon> looks for, before the other stylesheets', () => {
    const html = inspectorHtml({ cspSource: 'https://ext.example', nonce: 'abc123', scriptUri: 'https://ext.example/webview.js', codiconUri: 'https://ext.example/dist/codicon.css', styleUris: ['https://ext.example/a.css'], lang: 'en', title: 'T' });
    const links = [...html.matchAll(/<link [^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(links, ['<link rel="stylesheet" id="vscode-codicon-stylesheet" href="https://ext.example/dist/codicon.css">', '<link rel="stylesheet" href="https://ext.example/a.css">']);
  });

  it('a page sent a snapshot at every change of Step Into holds each completed step\'s losses, though they are kept just after the change that completes the step', async () => {
    const session = open();
    const cursor = new HistoryCursor();
    const page = initialState();
    apply(page, buildInitMessage(session, { strings: {}, locale: 'en', theme: 'dark' }));
    // As a panel may: a snapshot built at every change, before the session has kept the step's losses.
    session.onDidChange(() => buildSnapshotMessages(session, cursor).forEach((message) => apply(page, message)));
    const engineLosses: number[] = [];
    for (let step = 1; step <= 3; step++) {
      await session.step();
      engineLosses.push(session.recordOnScreen.loss!);
    }
    while (session.position.step < 4 || session.position.next) await session.stepInto();
    engineLosses.push(session.recordOnScreen.loss!);
    buildSnapshotMessages(session, cursor).forEach((message) => apply(page, message));
    assert.equal(page.record!.step, 4);
    assert.equal(page.record!.loss, engineLosses[3], 'the toolbar\'s loss of the completed step');
    assert.deepEqual(Array.from(page.history.loss), engineLosses, 'the loss chart holds every completed step once');
  });
});
