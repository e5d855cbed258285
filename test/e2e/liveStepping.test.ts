// Stepping through a running PyTorch script in a real VS Code workbench (issue 14): a workspace
// with examples/pytorch/train.py (XOR, 2-3-1, the Recorder) and a launch configuration with
// "program"; F5 starts it with /usr/bin/python3 (the `backprop.python` setting) and stops at the
// first operation; F11 goes on operation by operation; the live inspector opens once step 1 is
// complete and shows it (its loss against an independent autograd computation), F11 moves its
// highlighted layer, the status bar names the paused operation; stopping hides it. The time from
// F11 to the status bar showing the next operation is printed (pause-to-screen latency). Then
// examples/pytorch/data_parallel.py on 2 gloo ranks: both step together and the live inspector's
// Ranks card shows their local gradients, the mean and the reduced gradient (one process's
// full-batch gradient, computed by PyTorch here) with max |mean − reduced| = 0 up to rounding.
// Screenshots go to test-artifacts/e2e/live-*.png. This file alone:
//   npx mocha --no-config --require tsx/cjs --extension ts --timeout 180000 --exit test/e2e/liveStepping.test.ts
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWorkbench, projectRoot, readDataValue, reportFailures, waitForRenderedStep, Workbench } from './harness';

const PYTHON = '/usr/bin/python3';

describe('e2e: stepping through a live PyTorch script in a real VS Code workbench', function () {
  this.timeout(180_000);
  let workbench: Workbench | undefined;
  let reference: { loss: number };

  before(async function () {
    this.timeout(600_000);
    const available = ensureWorkbench();
    if ('unavailable' in available) {
      console.warn(`skipping the live PyTorch scenario: ${available.unavailable}`);
      this.skip();
    }
    reference = JSON.parse(execFileSync(PYTHON, [join(projectRoot, 'test', 'debug', 'fixtures', 'pytorch', 'xor_reference.py')], { encoding: 'utf8' }));
    const workspace = mkdtempSync(join(tmpdir(), 'backprop-e2e-live-'));
    cpSync(join(projectRoot, 'examples', 'pytorch', 'train.py'), join(workspace, 'train.py'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(join(workspace, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{
        type: 'backprop', request: 'launch', name: 'Step through train.py',
        program: '${workspaceFolder}/train.py', args: ['--steps', '6', '--trace', 'train.trace.jsonl'],
      }],
    }, null, 2));
    workbench = await Workbench.start({ entry: available.entry, workspaceSource: workspace, settings: { 'backprop.python': PYTHON } });
  });
  afterEach(reportFailures(() => workbench));
  after(async () => {
    await workbench?.dispose();
  });

  const wb = () => workbench!;
  const page = () => wb().page;
  const inspector = () => wb().webview();
  const status = () => wb().statusBarItem('backprop.liveStatus');
  const callStack = () => page().locator('.debug-call-stack .monaco-list-row');
  /** Presses F11 and waits until the status bar names `operation` of `step`; returns the milliseconds it took. */
  async function stepInto(step: number, operation: string): Promise<number> {
    const start = performance.now();
    await page().keyboard.press('F11');
    await status().filter({ hasText: `Step ${step} · ${operation}` }).waitFor({ timeout: 60_000 });
    return performance.now() - start;
  }

  it('F5 with a "program" launch configuration starts the script and stops at the first operation', async () => {
    await wb().openFile('train.py');
    await page().locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page().keyboard.press('F5');
    await callStack().filter({ hasText: 'forward · layer 1' }).first().waitFor({ timeout: 90_000 });
    await callStack().filter({ hasText: 'step 1 (epoch 1)' }).first().waitFor({ timeout: 30_000 });
    await status().filter({ hasText: 'train.py · Step 1 · forward through layer 1' }).waitFor({ timeout: 30_000 });
    await wb().screenshot('live-1-first-operation');
  });

  it('F11 through step 1: the live inspector opens and shows step 1, its loss the autograd loss', async () => {
    for (const operation of ['forward through layer 2', 'loss', 'backward through layer 2', 'backward through layer 1', 'update']) await stepInto(1, operation);
    await stepInto(2, 'forward through layer 1');
    await page().locator('.tabs-container .tab', { hasText: 'train.py (live)' }).first().waitFor({ timeout: 30_000 });
    await waitForRenderedStep(inspector(), 1, 60_000);
    const loss = await readDataValue(inspector(), '#loss-value');
    assert.ok(Math.abs(loss - reference.loss) <= 1e-12, `inspector ${loss}, autograd ${reference.loss}`);
    await inspector().locator('#layer-tab-0[aria-selected="true"]').waitFor({ timeout: 30_000 });
    await wb().screenshot('live-2-inspector-step-1');
  });

  it('F11 moves the inspector\'s highlighted layer to the paused one, then to step 2 once it completes', async () => {
    await stepInto(2, 'forward through layer 2');
    await inspector().locator('#layer-tab-1[aria-selected="true"]').waitFor({ timeout: 30_000 });
    await wb().screenshot('live-3-next-layer');
    for (const operation of ['loss', 'backward through layer 2', 'backward through layer 1', 'update']) await stepInto(2, operation);
    await stepInto(3, 'forward through layer 1');
    await waitForRenderedStep(inspector(), 2, 60_000);
    await inspector().locator('#layer-tab-0[aria-selected="true"]').waitFor({ timeout: 30_000 });
  });

  it('pause-to-screen: F11 to the status bar showing the next operation (printed), then stopping hides the status', async () => {
    const times: number[] = [];
    for (const step of [3, 4, 5]) {
      for (const operation of ['forward through layer 2', 'loss', 'backward through layer 2', 'backward through layer 1', 'update']) times.push(await stepInto(step, operation));
      times.push(await stepInto(step + 1, 'forward through layer 1'));
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(0);
    console.log(`      F11 → status bar in the workbench (${times.length} operations): median ${at(0.5)} ms, 90th percentile ${at(0.9)} ms, max ${at(1)} ms`);
    await page().keyboard.press('Shift+F5');
    await status().waitFor({ state: 'hidden', timeout: 60_000 });
    await wb().screenshot('live-4-stopped');
  });
  it('a data-parallel script on 2 gloo ranks: the live inspector shows the ranks side by side, the reduced gradient their mean', async function () {
    this.timeout(600_000);
    const examples = join(projectRoot, 'examples', 'pytorch');
    cpSync(join(examples, 'data_parallel.py'), join(wb().workspace, 'data_parallel.py'));
    const fullBatch = JSON.parse(execFileSync(PYTHON, ['-c', [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(examples)})`,
      'from data_parallel import full_batch_gradient',
      'print(json.dumps(full_batch_gradient()[0][0].flatten().tolist()))',
    ].join('\n')], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(projectRoot, 'python') } })) as number[];
    await wb().runCommand('View: Close All Editors');
    await wb().openFile('data_parallel.py');
    await wb().runCommand('Backprop: Step Through PyTorch Script…');
    await status().filter({ hasText: 'data_parallel.py · Step 1 · forward through layer 1' }).waitFor({ timeout: 180_000 });
    assert.match((await status().textContent()) ?? '', /2 ranks/);
    for (const operation of ['forward through layer 2', 'loss', 'backward through layer 2', 'backward through layer 1', 'update']) await stepInto(1, operation);
    await stepInto(2, 'forward through layer 1');
    await page().locator('.tabs-container .tab', { hasText: 'data_parallel.py (live)' }).first().waitFor({ timeout: 60_000 });
    await waitForRenderedStep(inspector(), 1, 60_000);
    const ranks = inspector().locator('#ranks');
    await ranks.locator('tr[data-rank-row="rank-1"]').first().waitFor({ timeout: 60_000 });
    const cell = async (row: string) => Number(await ranks.locator(`tr[data-rank-row="${row}"] td[data-kind="weights"] .num[data-value]`).first().getAttribute('data-value'));
    const [rank0, rank1, mean, reduced] = [await cell('rank-0'), await cell('rank-1'), await cell('mean'), await cell('reduced')];
    assert.notEqual(rank0, rank1, 'each rank\'s half of the batch gives its own gradient');
    assert.equal(mean, (rank0 + rank1) / 2);
    assert.ok(Math.abs(reduced - fullBatch[0]) <= 1e-12, `reduced ${reduced}, one process's full batch ${fullBatch[0]}`);
    const difference = Number(await inspector().locator('#ranks-max-difference[data-value]').getAttribute('data-value'));
    assert.ok(difference <= 1e-12, `max |mean − reduced| on screen = ${difference}`);
    assert.equal(await inspector().locator('#ranks-check').getAttribute('data-agrees'), 'true');
    await ranks.scrollIntoViewIfNeeded();
    await wb().screenshot('live-5-ranks');
    await page().keyboard.press('Shift+F5');
    await status().waitFor({ state: 'hidden', timeout: 60_000 });
  });
});
