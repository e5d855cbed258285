// Open Trace in the inspector bundle (headless Chromium), fed by the host's own trace builders
// (buildInitMessage, buildTraceSnapshot) and command handler: a trace recorded by plain PyTorch
// (the exported XOR script run by /usr/bin/python3 with the backprop_stepper Recorder) shows its
// recorded numbers, moves with the scrubber, and explains the chain rule from the recorded numbers
// with the finite-difference check shown as not available.
import '../unit/extension/useVscodeStub';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector, screenshotWholePage } from '../support/browserPage';
import { runCli } from '../../src/cli/main';
import { readTrace } from '../../src/protocol/traceFile';
import type { WebviewMessage } from '../../src/protocol/messages';
import { TraceSession, buildTraceSnapshot } from '../../src/extension/traceSession';
import { runTraceCommand } from '../../src/extension/traceCommands';
import { buildInitMessage, HistoryCursor } from '../../src/extension/inspectorMessages';
import { matchSavedState } from '../../src/extension/panelState';

const root = join(__dirname, '..', '..');

/** Records 4 steps of the XOR example with plain PyTorch: export-pytorch, then the script with --trace. */
function recordWithPytorch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-trace-view-'));
  const script = join(dir, 'xor.py');
  const trace = join(dir, 'xor.trace.jsonl');
  assert.equal(runCli(['export-pytorch', join(root, 'examples', 'xor.backprop.json'), '-o', script], { out: () => {}, err: () => {}, color: false }), 0);
  const run = spawnSync('/usr/bin/python3', [script, '--steps', '4', '--trace', trace], { env: { ...process.env, PYTHONPATH: join(root, 'python') }, encoding: 'utf8' });
  assert.equal(run.status, 0, `the exported script must run with /usr/bin/python3 and torch: ${run.stderr ?? run.error}`);
  return trace;
}

const value = (view: InspectorPage, selector: string) => view.page.$eval(selector, (e) => (e as HTMLElement).dataset.value ?? '');

describe('Open Trace in the inspector webview (Chromium): a PyTorch-recorded trace', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let session: TraceSession;
  const cursor = new HistoryCursor();

  /** Answers what the webview posted since `from` as the trace panel does, and sends the new snapshot. */
  async function answer(from: number): Promise<void> {
    for (const message of view.posted.slice(from) as WebviewMessage[]) {
      if (message.type === 'command') await runTraceCommand(session, message.command);
      if (message.type === 'requestExplanation') await view.send({ type: 'explanation', step: message.step, explanation: session.explain(message.step, message.parameter)! });
    }
    for (const message of buildTraceSnapshot(session, cursor)) await view.send(message);
  }

  before(async () => {
    const path = recordWithPytorch();
    session = new TraceSession(`file://${path}`, 'xor.trace.jsonl', readTrace(readFileSync(path), 'xor.trace.jsonl'));
    view = await openInspector({ theme: 'dark' });
    await view.send(buildInitMessage(session, { strings: {}, locale: 'en', theme: 'dark' }));
    for (const message of buildTraceSnapshot(session, cursor)) await view.send(message);
  });
  after(async () => view?.close());

  it('shows the recorded step: losses, z cell by cell, torch\'s optimizer state and settings', async () => {
    const record = session.record;
    assert.equal(record.step, 1);
    assert.equal(Number(await value(view, '#loss-value')), record.loss);
    assert.equal(Number(await value(view, '#loss-data-value')), record.dataLoss);
    await view.page.click('#layer-tab-0');
    await view.page.selectOption('#sample-select', '1');
    await view.page.waitForFunction(() => (document.querySelector('#sample-select') as HTMLSelectElement | null)?.value === '1');
    const z = await view.page.$$eval('td[data-tensor="layers[0].z"]', (tds) => tds.map((td) => [Number((td as HTMLElement).dataset.index), Number((td as HTMLElement).dataset.value)]));
    assert.equal(z.length, 3);
    for (const [i, v] of z) assert.equal(v, record.layers[0].z![3 + i], `z[1][${i}]`);
    const optimizer = await view.page.textContent('#optimizer');
    assert.match(optimizer ?? '', /momentum_buffer/);
    assert.match(optimizer ?? '', /momentum = 0\.9/);
  });

  it('Step and the scrubber move through the recorded steps', async () => {
    let from = view.posted.length;
    await view.page.click('#step');
    await answer(from);
    assert.equal(Number(await value(view, '#loss-value')), session.recordAt(2)!.loss);
    from = view.posted.length;
    await view.page.$eval('#history-slider', (e) => {
      const input = e as HTMLInputElement;
      input.value = '4';
      input.dispatchEvent(new Event('change'));
    });
    await answer(from);
    assert.equal(session.position.step, 4);
    assert.equal(Number(await value(view, '#loss-value')), session.recordAt(4)!.loss);
    assert.match(await view.page.textContent('#history-step') ?? '', /4 of 4/);
  });

  it('explains a weight from the recorded numbers: the factors\' product is the recorded ∂J/∂w, and no finite-difference check, as it says', async () => {
    const from = view.posted.length;
    await view.page.focus('[data-param="w:0:1:1"]');
    await view.page.keyboard.press('Enter');
    await answer(from);
    const record = session.record;
    const data = Number(await value(view, '#chain-data'));
    const recorded = record.layers[0].gradWeights![1 * 2 + 1];
    // xor has an L2 penalty in J: the recorded gradient is the product plus 2λ₂w.
    const w = record.layers[0].weights[1 * 2 + 1];
    assert.ok(Math.abs(data + 2 * 0.001 * w - recorded) <= 1e-12, `${data} + 2λ₂w vs recorded ${recorded}`);
    assert.equal(Number(await value(view, '#chain-gradient')), recorded, '∂J/∂w is the recorded gradient');
    assert.equal(await view.page.$('#chain-fd'), null, 'no finite-difference figure');
    const notes = await view.page.$$eval('#chain-rule .note', (ps) => ps.map((p) => p.textContent ?? ''));
    assert.ok(notes.some((n) => /finite-difference check is not available here/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /regularization part/.test(n)), notes.join('\n'));
    await screenshotWholePage(view.page, join(ARTIFACTS, 'trace-inspector-dark.png'));
  });
  it('keeps its document and the step on screen in its own saved state, which a reload revives from without the host\'s copy', async () => {
    // What VS Code hands the panel serializer after a window reload is what the webview last gave setState.
    const saved = await view.page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): unknown } }).acquireVsCodeApi().getState());
    const revived = matchSavedState(saved, [], new Set());
    assert.equal(revived?.documentUri, session.uri, 'the trace file, not a model');
    assert.equal(revived?.view?.step, session.position.step, 'the step on screen (stepped, not only chosen by the user)');
    assert.equal(revived?.view?.step, 4);
  });
});
