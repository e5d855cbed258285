// The inspector and the status bar on a live PyTorch session (issue 14): the debug session as VS
// Code runs it inline (BackpropDebugSession, DAP messages in and out) on examples/pytorch/train.py
// with /usr/bin/python3, the launch hook the extension uses, and the LiveTraceSession + trace
// snapshot builder the inspector panel is given, and the LiveStatusBar (with the vscode stand-in).
// The numbers shown are checked against an independent autograd computation of the same step.
// Fails (never skips) when Python or torch is missing.
import '../unit/extension/useVscodeStub';
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BackpropDebugSession } from '../../src/extension/debug/backpropDebugSession';
import { LiveTraceSession, whenInspectable } from '../../src/extension/live/liveTraceSession';
import type { LiveDebugAdapter } from '../../src/extension/live/liveDebugAdapter';
import { buildTraceSnapshot } from '../../src/extension/traceSession';
import { HistoryCursor, buildInitMessage } from '../../src/extension/inspectorMessages';
import { apply, hostMessageProblem, initialState } from '../../src/webview/store';
import type { SessionChange } from '../../src/extension/session';
import { LiveStatusBar } from '../../src/extension/live/liveStatusBar';
import { statusBarItems } from '../unit/extension/vscodeStub';
import { type InspectorPage, ARTIFACTS, openInspector } from '../support/browserPage';

const root = join(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const TRAIN = join(root, 'examples', 'pytorch', 'train.py');
const DATA_PARALLEL = join(root, 'examples', 'pytorch', 'data_parallel.py');

/** BackpropDebugSession driven as VS Code's inline adapter drives it. */
class InlineClient {
  private seq = 1;
  private readonly waiting = new Map<number, (response: DebugProtocol.Response) => void>();
  private readonly eventWaiters: { event: string; resolve: (e: DebugProtocol.Event) => void }[] = [];
  live: LiveDebugAdapter | undefined;
  readonly session = new BackpropDebugSession(async () => ({ error: 'no model file in this test' }), false, (live) => (this.live = live));

  constructor() {
    this.session.onDidSendMessage((message) => {
      const m = message as DebugProtocol.ProtocolMessage;
      if (m.type === 'response') this.waiting.get((m as DebugProtocol.Response).request_seq)?.(m as DebugProtocol.Response);
      if (m.type === 'event') {
        const event = m as DebugProtocol.Event;
        const i = this.eventWaiters.findIndex((w) => w.event === event.event);
        if (i >= 0) this.eventWaiters.splice(i, 1)[0].resolve(event);
      }
    });
  }

  request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const done = new Promise<DebugProtocol.Response>((resolve) => this.waiting.set(seq, resolve));
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    return done.then((response) => {
      assert.ok(response.success, `${command}: ${response.message}`);
      return response;
    });
  }

  event(name: string): Promise<DebugProtocol.Event> {
    return new Promise((resolve) => this.eventWaiters.push({ event: name, resolve }));
  }

  async stepIn(): Promise<DebugProtocol.Event> {
    const stopped = this.event('stopped');
    await this.request('stepIn', { threadId: 1 });
    return stopped;
  }
}

describe('the inspector on a live PyTorch session (inline debug session, real Python)', function () {
  this.timeout(60_000);
  const scratch = mkdtempSync(join(tmpdir(), 'bps-live-inspector-'));

  const pythonPath = process.env.PYTHONPATH;
  before(() => {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'pipe' });
    // Run from source, the adapter's recorder folder (python/ next to dist/ once bundled) is not
    // beside this file: the recorder is found through the PYTHONPATH the script inherits.
    process.env.PYTHONPATH = join(root, 'python');
  });
  after(() => {
    if (pythonPath === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = pythonPath;
  });

  it('opens at the first stop after a completed step, shows the recorded numbers, follows F11 to the paused layer and step', async () => {
    const reference = JSON.parse(execFileSync(PYTHON, [join(__dirname, 'fixtures', 'pytorch', 'xor_reference.py')], { encoding: 'utf8' })) as { loss: number; gradWeights1: number[][]; gradWeights2: number[][] };
    const client = new InlineClient();
    await client.request('initialize', { adapterID: 'backprop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = client.event('initialized');
    const entry = client.event('stopped');
    await client.request('launch', { program: TRAIN, args: ['--steps', '3', '--trace', join(scratch, 'xor.trace.jsonl')], python: PYTHON, cwd: scratch });
    assert.ok(client.live, 'the extension is told of the live launch');
    const runtime = client.live.runtime;
    let session: LiveTraceSession | undefined;
    whenInspectable(runtime, () => (session = new LiveTraceSession('backprop-live:train.py', 'train.py (live)', runtime)));
    await initialized;
    await client.request('configurationDone');
    await entry;
    assert.equal(session, undefined, 'nothing to show before the first step completes');

    // Through step 1 (forward ×2, loss, backward ×2, update) to the first operation of step 2.
    for (let i = 0; i < 6 && !session; i++) await client.stepIn();
    assert.ok(session, 'the inspector opens once step 1 is complete');
    assert.deepEqual([runtime.current!.step, runtime.current!.phase, runtime.current!.layer], [2, 'forward', 0]);
    // Read through functions: assert.equal narrows what it checks, and these change as the session moves.
    const inspector = session;
    const onScreen = () => ({ step: inspector.position.step, latestStep: inspector.position.latestStep, layer: inspector.selection.layer });
    assert.deepEqual(onScreen(), { step: 1, latestStep: 1, layer: 0 }, 'the last completed step while step 2 is in progress, the paused layer highlighted');

    const messages = buildTraceSnapshot(session, new HistoryCursor());
    const init = buildInitMessage(session, { strings: {}, locale: 'en', theme: 'dark' });
    for (const message of [init, ...messages]) {
      assert.equal(hostMessageProblem(message), undefined, `${message.type} passes the webview's checks`);
    }
    // Read as the webview reads them: the step's losses travel once, in its history.
    const webview = initialState();
    for (const message of [init, ...messages]) apply(webview, message);
    const shown = webview.record!;
    assert.ok(Math.abs(shown.loss! - reference.loss) < 1e-12, `loss ${shown.loss} vs ${reference.loss}`);
    const close = (name: string, expected: number[][]) => {
      const actual = shown.tensor(name)?.full;
      assert.ok(actual, `${name} in ${shown.names.join(', ')}`);
      expected.flat().forEach((v, i) => assert.ok(Math.abs(actual[i] - v) <= 1e-12 * (1 + Math.abs(v)), `${name}[${i}]: ${actual[i]} vs ${v}`));
    };
    close(`layers[${shown.layers[0].index}].gradWeights`, reference.gradWeights1);
    close(`layers[${shown.layers[1].index}].gradWeights`, reference.gradWeights2);

    // F11: the next layer is highlighted; through step 2 the inspector moves to step 2.
    const changes: SessionChange['kind'][] = [];
    inspector.onDidChange((change) => changes.push(change.kind));
    await client.stepIn();
    assert.deepEqual(onScreen(), { step: 1, latestStep: 1, layer: 1 });
    assert.deepEqual(changes, ['selection']);
    const focus = buildTraceSnapshot(inspector, new HistoryCursor()).find((m) => m.type === 'focus');
    assert.deepEqual(focus, { type: 'focus', layer: 1, phase: { kind: 'forward', layer: 1 } }, 'the webview is told the paused operation');
    for (let i = 0; i < 5; i++) await client.stepIn();
    assert.deepEqual([runtime.current!.step, runtime.current!.layer], [3, 0]);
    assert.deepEqual(onScreen(), { step: 2, latestStep: 2, layer: 0 });
    assert.ok(changes.includes('moved'));

    const terminated = client.event('terminated');
    await client.request('disconnect', { terminateDebuggee: true });
    await terminated;
    inspector.dispose();
  });

  it('the status bar shows the script, step, operation and loss at every stop, "(history)" when stepped back, and hides when the session ends', async () => {
    const reference = JSON.parse(execFileSync(PYTHON, [join(__dirname, 'fixtures', 'pytorch', 'xor_reference.py')], { encoding: 'utf8' })) as { loss: number };
    const status = new LiveStatusBar();
    const item = statusBarItems.at(-1)!;
    assert.equal(item.id, 'backprop.liveStatus');
    const client = new InlineClient();
    await client.request('initialize', { adapterID: 'backprop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = client.event('initialized');
    const entry = client.event('stopped');
    await client.request('launch', { program: TRAIN, args: ['--steps', '3', '--trace', join(scratch, 'status.trace.jsonl')], python: PYTHON, cwd: scratch });
    status.follow(client.live!.runtime, TRAIN);
    assert.equal(item.visible, false, 'nothing shown before the first stop');
    await initialized;
    await client.request('configurationDone');
    await entry;

    // The 2-3-1 network's operations, in the order PyTorch runs them; the loss from the independent computation.
    const loss = reference.loss.toPrecision(4);
    const expected = [
      `$(debug-pause) train.py · Step 1 · forward through layer 1 · J —`,
      `$(debug-pause) train.py · Step 1 · forward through layer 2 · J —`,
      `$(debug-pause) train.py · Step 1 · loss · J ${loss}`,
      `$(debug-pause) train.py · Step 1 · backward through layer 2 · J ${loss}`,
      `$(debug-pause) train.py · Step 1 · backward through layer 1 · J ${loss}`,
      `$(debug-pause) train.py · Step 1 · update · J ${loss}`,
      `$(debug-pause) train.py · Step 2 · forward through layer 1 · J —`,
    ];
    const seen = [item.text];
    for (let i = 1; i < expected.length; i++) {
      assert.ok(item.visible);
      await client.stepIn();
      seen.push(item.text);
    }
    assert.deepEqual(seen, expected);
    assert.match(String(item.tooltip), /^train\.py \(live PyTorch\): paused at step 2, epoch 1, forward through layer 1\./);

    const back = client.event('stopped');
    await client.request('stepBack', { threadId: 1 });
    await back;
    assert.equal(item.text, `$(debug-pause) train.py · Step 1 · update · J ${loss} (history)`);

    const terminated = client.event('terminated');
    await client.request('disconnect', { terminateDebuggee: true });
    await terminated;
    assert.equal(item.visible, false, 'hidden once the session ended');
    status.dispose();
  });
  it('a live 2-rank gloo session: the Ranks card shows each rank\'s local gradient, their mean and the reduced one, as PyTorch computes them', async function () {
    this.timeout(180_000);
    // Independent: one process, the example's network and data, autograd on each rank's half of
    // the batch (its local gradient), their mean, and the whole batch (what the all-reduce must give).
    const reference = JSON.parse(execFileSync(PYTHON, ['-c', [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(root, 'examples', 'pytorch'))})`,
      'import torch',
      'from data_parallel import SAMPLES, data, mse, network',
      'x, t = data()',
      'def grads(rows):',
      '    model = network()',
      '    mse(model(x[rows]), t[rows]).backward()',
      '    return [[model[i].weight.grad, model[i].bias.grad] for i in (0, 2)]',
      'shares = [grads(s) for s in torch.arange(SAMPLES).chunk(2)]',
      'full = grads(torch.arange(SAMPLES))',
      'out = {"rank-0": shares[0], "rank-1": shares[1], "mean": [[(a + b) / 2 for a, b in zip(l0, l1)] for l0, l1 in zip(*shares)], "reduced": full}',
      'print(json.dumps({k: [[g.flatten().tolist() for g in layer] for layer in v] for k, v in out.items()}))',
    ].join('\n')], { encoding: 'utf8' })) as Record<string, [number[], number[]][]>;

    const client = new InlineClient();
    await client.request('initialize', { adapterID: 'backprop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = client.event('initialized');
    const entry = client.event('stopped');
    await client.request('launch', { program: DATA_PARALLEL, args: ['--workers', '2', '--steps', '2', '--trace', join(scratch, 'dp.rank{rank}.trace.jsonl')], python: PYTHON, cwd: scratch });
    const runtime = client.live!.runtime;
    let session: LiveTraceSession | undefined;
    whenInspectable(runtime, () => (session = new LiveTraceSession('backprop-live:data_parallel.py', 'data_parallel.py (live)', runtime)));
    await initialized;
    await client.request('configurationDone');
    await entry;
    for (let i = 0; i < 6 && !session; i++) await client.stepIn();
    assert.ok(session, 'the inspector opens once step 1 is complete');
    assert.deepEqual([runtime.current!.step, runtime.current!.phase, runtime.current!.ranks.length], [2, 'forward', 2], 'both ranks paused at step 2');

    let view: InspectorPage | undefined;
    try {
      view = await openInspector({ theme: 'light', height: 1400 });
      await view.send(buildInitMessage(session, { strings: {}, locale: 'en', theme: 'light' }));
      for (const message of buildTraceSnapshot(session, new HistoryCursor())) await view.send(message);
      const page = view.page;
      assert.equal(await page.$eval('#ranks', (e) => (e as HTMLElement).hidden), false, 'the Ranks card is shown live');
      const cells = (row: string, kind: string) =>
        page.$$eval(`#ranks tr[data-rank-row="${row}"] td[data-kind="${kind}"] .num`, (spans) => spans.map((s) => Number((s as HTMLElement).dataset.value)));
      for (const layer of [0, 1]) {
        if (layer === 1) {
          await page.click('#layer-tab-1');
          await page.waitForFunction(() => /Layer 2/.test(document.querySelector('#ranks h2')?.textContent ?? ''));
        }
        assert.match((await page.textContent('#ranks h2')) ?? '', new RegExp(`2 workers, one mini-batch · Layer ${layer + 1}`));
        for (const [k, kind] of (['weights', 'bias'] as const).entries()) {
          for (const row of ['rank-0', 'rank-1', 'mean', 'reduced']) {
            const shown = await cells(row, kind);
            const expected = reference[row][layer][k];
            assert.ok(shown.length > 0, `${row} ${kind} of layer ${layer + 1} on screen`);
            shown.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-12, `layer ${layer + 1} ${row} ${kind}[${i}]: ${v} on screen, PyTorch ${expected[i]}`));
          }
          const [r0, r1] = [await cells('rank-0', kind), await cells('rank-1', kind)];
          assert.ok(r0.some((v, i) => v !== r1[i]), 'the ranks\' halves give different local gradients');
        }
        const difference = Number(await page.$eval('#ranks-max-difference', (e) => (e as HTMLElement).dataset.value));
        assert.ok(difference <= 1e-12, `max |mean − reduced| on screen = ${difference}`);
        assert.equal(await page.$eval('#ranks-check', (e) => (e as HTMLElement).dataset.agrees), 'true');
      }
      await page.locator('#ranks').screenshot({ path: join(ARTIFACTS, 'ranks-live.png') });
    } finally {
      await view?.close();
      const terminated = client.event('terminated');
      await client.request('disconnect', { terminateDebuggee: true });
      await terminated;
      session.dispose();
    }
  });
});
