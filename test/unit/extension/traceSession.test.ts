// Open Trace's read-only session, driven as the inspector panel drives it: the trace file read by
// the shipped reader, the host's snapshot builder for traces, the webview message router with the
// trace's validation context, and the command handler the palette and the webview share.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';
import { readJsonLinesTrace } from '../../../src/protocol/traceFile';
import { decodeStepRecord } from '../../../src/protocol/traceCodec';
import { type ExplanationMessage, type HostMessage, LOSS_FIELDS, type StepMessage } from '../../../src/protocol/messages';
import { apply, hostMessageProblem, initialState } from '../../../src/webview/store';
import { TraceSession, buildTraceSnapshot } from '../../../src/extension/traceSession';
import { openingReport, runTraceCommand } from '../../../src/extension/traceCommands';
import { buildExplanationMessage, buildInitMessage, HistoryCursor } from '../../../src/extension/inspectorMessages';
import { noteText } from '../../../src/engine/chainRule';
import { routeWebviewMessage, type InspectorActions } from '../../../src/extension/inspectorRouter';
import { TrainingSession } from '../../../src/extension/session';
import { traceChunks } from '../../../src/extension/traceExport';

const root = join(__dirname, '../../..');

function cliTrace(model: string, steps: number): string {
  let out = '';
  assert.equal(runCli(['run', join(root, 'examples', model), '--steps', String(steps), '--json'], { out: (t) => (out += t), err: () => {}, color: false }), 0);
  return out;
}

function open(text: string, name = 'run.trace.jsonl'): TraceSession {
  return new TraceSession(`file:///ws/${name}`, name, readJsonLinesTrace(text, name));
}

const stepOf = (messages: HostMessage[]) => messages.find((m): m is StepMessage => m.type === 'step')!;

describe('Open Trace: the read-only trace session', () => {
  const xor = cliTrace('xor.backprop.json', 5); // 2 batches per epoch: steps 1–2 epoch 1, 3–4 epoch 2, 5 epoch 3

  it('opens at the first recorded step; Step, Step Back, Go To Step and Reset move through the recorded steps', async () => {
    const session = open(xor);
    assert.deepEqual(session.position, { step: 1, epoch: 1, batchInEpoch: 1, batchesPerEpoch: 2, latestStep: 5, running: false });
    assert.equal(await runTraceCommand(session, { name: 'step' }), undefined);
    assert.equal(session.position.step, 2);
    await runTraceCommand(session, { name: 'goToStep', step: 4 });
    assert.deepEqual([session.position.step, session.position.epoch, session.position.batchInEpoch], [4, 2, 2]);
    await runTraceCommand(session, { name: 'stepBack' });
    assert.equal(session.position.step, 3);
    await runTraceCommand(session, { name: 'reset' });
    assert.equal(session.position.step, 1);
    await runTraceCommand(session, { name: 'goToStep', step: 99 });
    assert.equal(await runTraceCommand(session, { name: 'step' }), 'The trace ends at step 5.');
    assert.equal(session.position.step, 5);
  });

  it('Run Epoch, Run Until and Run read the recorded steps; Step Into says why it is not available', async () => {
    const session = open(xor);
    await runTraceCommand(session, { name: 'runEpoch' });
    assert.equal(session.position.step, 2);
    await runTraceCommand(session, { name: 'runEpoch' });
    assert.equal(session.position.step, 4);
    await runTraceCommand(session, { name: 'reset' });
    const losses = session.records.map((r) => r.loss!);
    const target = losses[3];
    await runTraceCommand(session, { name: 'runUntil', until: { kind: 'lossBelow', value: target + 1e-12 } });
    assert.equal(session.position.step, losses.findIndex((l, i) => i > 0 && l < target + 1e-12) + 1);
    assert.match((await runTraceCommand(session, { name: 'runUntil', until: { kind: 'lossBelow', value: -1 } }))!, /No recorded step after this one meets the condition; the trace ends at step 5/);
    await runTraceCommand(session, { name: 'reset' });
    assert.equal(await runTraceCommand(session, { name: 'run', stepsPerSecond: 0 }), undefined);
    assert.equal(session.position.step, 5);
    assert.match((await runTraceCommand(session, { name: 'stepInto' }))!, /Step Into is not available/);
  });

  it('the snapshot is the recorded step, every tensor as in the file, with the recorded loss history', () => {
    const session = open(xor);
    const read = readJsonLinesTrace(xor, 'x.jsonl');
    const cursor = new HistoryCursor();
    session.goToStep(3);
    const messages = buildTraceSnapshot(session, cursor);
    for (const message of messages) assert.equal(hostMessageProblem(message), undefined, `${message.type} passes the webview's checks`);
    const step = stepOf(messages);
    for (const heard of [undefined, 1.5, '1']) assert.equal(hostMessageProblem({ ...step, heard }), 'step: heard must be a whole number', `heard: ${heard}`);
    // The step goes once, as the position's; the record decodes with it.
    assert.equal('step' in step.record, false);
    const decoded = decodeStepRecord(step);
    assert.equal(decoded.step, 3);
    const expected = read.records[2];
    // The losses go once, in the history; the webview's record takes them from its step's entry.
    assert.equal(decoded.loss, undefined);
    const state = initialState();
    apply(state, step);
    for (const key of LOSS_FIELDS) assert.equal(state.record![key], expected[key], key);
    assert.deepEqual(Array.from(decoded.tensor('layers[0].gradWeights')!.full!), Array.from(expected.layers[0].gradWeights!));
    assert.deepEqual(Array.from(decoded.tensor('layers[1].localGrad')!.full!), Array.from(expected.layers[1].localGrad!));
    assert.deepEqual(Array.from(step.history.loss), read.records.slice(0, 3).map((r) => r.loss));
    // Moving on sends only the history the webview lacks.
    session.step();
    assert.equal(stepOf(buildTraceSnapshot(session, cursor)).history.from, 4);
    const init = buildInitMessage(session, { strings: {}, locale: 'en', theme: 'dark' });
    assert.equal(hostMessageProblem(init), undefined);
    assert.deepEqual(init.model.layers, [{ units: 3, activation: 'relu' }, { units: 1, activation: 'sigmoid' }]);
    assert.equal(init.model.loss, null);
    assert.equal(init.documentUri, 'file:///ws/run.trace.jsonl');
  });

  it('the webview\'s requests are checked against the trace\'s network and answered from the recorded numbers', async () => {
    const session = open(xor);
    const answered: unknown[] = [];
    const actions: InspectorActions = {
      ready: () => {},
      command: (c) => void runTraceCommand(session, c),
      select: (m) => session.select({ layer: m.layer, parameter: m.parameter }),
      requestTensor: () => {},
      show: () => {},
      requestExplanation: async (m) => void answered.push(await buildExplanationMessage(session, m)),
      viewState: () => {},
      protocolError: () => {},
      savePicture: () => {},
      copyText: () => {},
    };
    const log: string[] = [];
    assert.equal(await routeWebviewMessage({ type: 'select', layer: 2 }, session.validationContext, actions, (l) => log.push(l)), false);
    assert.match(log[0], /layer/);
    assert.equal(await routeWebviewMessage({ type: 'requestExplanation', step: 1, parameter: { kind: 'weight', layer: 0, out: 2, in: 1 } }, session.validationContext, actions, (l) => log.push(l)), true);
    const { explanation } = answered[0] as ExplanationMessage;
    const record = session.records[0];
    assert.equal(explanation.engineGradient, record.layers[0].gradWeights![2 * 2 + 1]);
    assert.equal(explanation.finiteDifference, undefined);
    assert.match(noteText(explanation.notes[0]), /The finite-difference check is not available here/);
    // The notes are l10n keys: the webview shows their Korean from the bundle.
    const korean = JSON.parse(readFileSync(join(root, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
    assert.match(korean[explanation.notes[0].text], /유한 차분 검사는 여기서 할 수 없습니다/);
    // xor has an L2 penalty: the note says the recorded gradient holds its derivative.
    assert.match(noteText(explanation.notes[1]), /regularization part \(\d/);
    assert.match(korean[explanation.notes[1].text], /정규화 항\(\{0\}\)/);
    await routeWebviewMessage({ type: 'command', command: { name: 'goToStep', step: 4 } }, session.validationContext, actions, () => {});
    assert.equal(session.position.step, 4);
  });

  it('a recorder trace with every-k steps, nulls and an opaque layer: gaps in the history, what is not known left out', () => {
    const lines = xor.trimEnd().split('\n').map((l) => JSON.parse(l));
    const header = { format: 'backprop-stepper-trace', version: 1, producer: { name: 'backprop_stepper' }, dtype: 'float64', every: 2 };
    const kept = [lines[0], lines[2], lines[4]].map((l) => ({ ...l, lossAfter: null, layers: [...l.layers, { index: 2, kind: 'opaque', module: 'head', type: 'Dropout', input: [[1]], output: [[1]] }] }));
    const contents = readJsonLinesTrace([header, ...kept].map((l) => JSON.stringify(l)).join('\n'), 'every2.jsonl');
    const session = new TraceSession('file:///every2.jsonl', 'every2.jsonl', contents);
    session.goToStep(4);
    assert.equal(session.position.step, 3, 'the last recorded step at or before 4');
    assert.deepEqual([session.position.epoch, session.position.batchInEpoch, session.position.batchesPerEpoch], [2, 1, 2]);
    const step = stepOf(buildTraceSnapshot(session, new HistoryCursor()));
    assert.deepEqual(Array.from(step.history.loss).map((v) => (Number.isNaN(v) ? 'gap' : v)), [lines[0].loss, 'gap', lines[2].loss]);
    assert.ok(step.history.lossAfter.every(Number.isNaN));
    const report = openingReport(contents);
    assert.equal(report.error, undefined);
    assert.deepEqual(report.warnings, ['The inspector shows the dense layers (nn.Linear and its activation) of this trace; these modules are not shown, as their local gradients are not recorded: head (Dropout).']);
  });

  it('a file written by Export Trace (a range of a session\'s steps) opens the same way, at its first step', async () => {
    const model = TrainingSession.load('file:///ws/xor.backprop.json', readFileSync(join(root, 'examples', 'xor.backprop.json'), 'utf8'));
    if (!model.ok) throw new Error('xor does not load');
    for (let s = 0; s < 5; s++) await model.session.step();
    const text = [...traceChunks(model.session, { from: 2, through: 5 }, 2)].map((c) => c.text).join('');
    const session = open(text, 'export.trace.jsonl');
    assert.deepEqual(session.records.map((r) => r.step), [2, 3, 4, 5]);
    assert.deepEqual([session.position.step, session.position.epoch, session.position.batchInEpoch, session.position.batchesPerEpoch], [2, 1, 2, 2]);
    assert.equal(session.record.loss, model.session.recordAt(2)!.loss);
    assert.deepEqual(Array.from(session.record.layers[1].delta!), Array.from(model.session.recordAt(2)!.layers[1].delta!));
  });

  it('a bad line: the good steps before it open, with a warning naming the line; nothing good: an error', () => {
    const text = xor.split('\n');
    text[3] = text[3].slice(0, 50);
    const contents = readJsonLinesTrace(text.join('\n'), 'bad.jsonl');
    const report = openingReport(contents);
    assert.equal(report.error, undefined);
    assert.match(report.warnings[0], /^bad\.jsonl:4: not valid JSON .*\. The 3 steps before it are open\.$/);
    assert.equal(new TraceSession('file:///bad.jsonl', 'bad.jsonl', contents).latestStep, 3);
    const newer = readJsonLinesTrace(`${JSON.stringify({ format: 'backprop-stepper-trace', version: 2 })}\n${xor}`, 'new.jsonl');
    assert.equal(openingReport(newer).error, 'new.jsonl:1: trace format version 2 is newer than this reader (1); update Backprop Stepper');
  });
});
