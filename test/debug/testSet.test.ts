// Evaluate on Test Set from the debug console (issue 10 item 10), through dist/debugAdapter.js over
// DAP: `evaluateTestSet()` typed in the console gives the test figures of the weights the debugger
// stands at (checked against `node dist/cli.js evaluate --json` of the same model, another
// process), warns from the second look on, refuses watches and hovers, and says when a model has
// no test split.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = join(__dirname, '..', '..');
const adapter = join(root, 'dist', 'debugAdapter.js');
const cli = join(root, 'dist', 'cli.js');
const LESSON_8 = join(root, 'examples', '08-data-splits.backprop.json');
const XOR = join(root, 'examples', 'xor.backprop.json');

function cliTestFigures(model: string, steps: number): Record<string, number> {
  return JSON.parse(execFileSync(process.execPath, [cli, 'evaluate', model, '--steps', String(steps), '--json'], { encoding: 'utf8' })) as Record<string, number>;
}

describe('debug console: evaluateTestSet() (DAP over stdio)', function () {
  this.timeout(30_000);
  let dc: DebugClient;

  beforeEach(async () => {
    dc = new DebugClient(process.execPath, adapter, 'backprop');
    dc.defaultTimeout = 15_000;
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop();
  });

  async function launch(model: string): Promise<void> {
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch({ model, stopOnEntry: true }),
    ]);
    await stopped;
  }
  async function next(): Promise<void> {
    const stopped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    await stopped;
  }
  const evaluate = (expression: string, context = 'repl') => dc.evaluateRequest({ expression, context, frameId: 1 });

  it('gives the test loss of the weights the debugger stands at, then warns on the second look with the earlier step', async () => {
    await launch(LESSON_8);
    for (let i = 0; i < 4; i++) await next();
    const first = await evaluate('evaluateTestSet()');
    const step = Number(/^Test set at step (\d+) \(8 samples\)/.exec(first.body.result)?.[1]);
    assert.equal(step, 4, first.body.result);
    assert.match(first.body.result, /This is the first look/);
    const expected = cliTestFigures(LESSON_8, step);
    const figures = (await dc.variablesRequest({ variablesReference: first.body.variablesReference })).body.variables;
    const shown = (name: string) => Number(figures.find((v) => v.name === name)?.value);
    assert.ok(Math.abs(shown('loss') - expected.loss) <= 1e-5 * expected.loss, `${shown('loss')} vs ${expected.loss}`);
    assert.equal(shown('samples'), expected.samples);
    assert.equal(shown('step'), 4);
    assert.match(first.body.result, new RegExp(`J = ${String(Number(expected.loss.toPrecision(6))).replace('.', '\\.')} `));

    await next();
    await next();
    const second = await evaluate('  evaluateTestSet()  ');
    assert.match(second.body.result, /^Test set at step 6 .*Warning: the test set was opened 1 time\(s\) before, at step\(s\) 4\./);
  });

  it('refuses watches and hovers (they would open the test set at every stop)', async () => {
    await launch(LESSON_8);
    await assert.rejects(evaluate('evaluateTestSet()', 'watch'), /type it in the debug console/);
    await assert.rejects(evaluate('evaluateTestSet()', 'hover'), /type it in the debug console/);
    // Neither counted as a look: the first typed one is still the first.
    const look = await evaluate('evaluateTestSet()');
    assert.match(look.body.result, /first look/);
  });

  it('a model without a test split: the console says so and how to add one', async () => {
    await launch(XOR);
    await assert.rejects(evaluate('evaluateTestSet()'), /this model has no test split: give "split\.test" a share of the data/);
  });
});
