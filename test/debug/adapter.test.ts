// The debug adapter over the Debug Adapter Protocol, as VS Code drives it: dist/debugAdapter.js in
// its own process, spoken to by @vscode/debugadapter-testsupport's DebugClient. Numbers are checked
// against the CLI's `--json` trace of the same model, computed in another process.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { stepping } from '../support/dap';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { StepTrace } from '../../src/engine/types';

const root = join(__dirname, '..', '..');
const adapter = join(root, 'dist', 'debugAdapter.js');
const cli = join(root, 'dist', 'cli.js');
const XOR = join(root, 'examples', 'xor.backprop.json');
const OVERFLOW = join(__dirname, 'fixtures', 'overflow.backprop.json');
const DIVERGING = join(__dirname, 'fixtures', 'diverging.backprop.json');

function cliTrace(model: string, steps: number): StepTrace[] {
  const out = execFileSync(process.execPath, [cli, 'run', model, '--steps', String(steps), '--json'], { encoding: 'utf8' });
  return out.trim().split('\n').map((line) => JSON.parse(line) as StepTrace);
}

/** The 1-based line on which `needle` first occurs in a file (how a reader finds a layer's line). */
function lineOf(file: string, needle: string, from = 0): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((line, n) => n >= from && line.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

const XOR_LAYER_1 = lineOf(XOR, '"units": 3');
const XOR_LAYER_2 = lineOf(XOR, '"units": 1');
const XOR_LOSS = lineOf(XOR, '"loss"');
const XOR_OPTIMIZER = lineOf(XOR, '"optimizer"');

describe('debug adapter (DAP over stdio)', function () {
  this.timeout(20_000);
  let dc: DebugClient;

  beforeEach(async () => {
    dc = new DebugClient(process.execPath, adapter, 'backprop');
    dc.defaultTimeout = 10_000;
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop();
  });

  async function launch(model: string, extra: Record<string, unknown> = {}, configure?: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent | undefined> {
    const stopped = extra.stopOnEntry === false ? undefined : dc.waitForEvent('stopped');
    await Promise.all([
      dc.waitForEvent('initialized').then(async () => {
        await configure?.();
        return dc.configurationDoneRequest();
      }),
      dc.launch({ model, stopOnEntry: true, ...extra }),
    ]);
    return stopped as Promise<DebugProtocol.StoppedEvent> | undefined;
  }

  async function top(): Promise<DebugProtocol.StackFrame[]> {
    return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  }

  const { stepIn, next, stepOut, stepBack, cont, reverse } = stepping(() => dc);

  async function where(): Promise<string> {
    const frames = await top();
    return `${frames[0].name} | ${frames[1].name} | line ${frames[0].line}`;
  }

  async function evaluate(expression: string, context = 'repl'): Promise<DebugProtocol.EvaluateResponse> {
    return dc.evaluateRequest({ expression, context, frameId: 1 });
  }

  it('launches and stops on entry before the first operation, at layer 1 of the model file', async () => {
    const stopped = await launch(XOR);
    assert.equal(stopped!.body.reason, 'entry');
    const frames = await top();
    assert.deepEqual(frames.map((f) => f.name), ['start · before forward · layer 1', 'step 1 (batch 1 of epoch 1)', 'epoch 1']);
    assert.equal(frames[0].line, XOR_LAYER_1);
    assert.equal(frames[0].source?.path, XOR);
  });

  it('steps in one operation at a time, over to the same operation of the next step, out to the step and epoch end, and back', async () => {
    await launch(XOR);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      await stepIn();
      seen.push(await where());
    }
    assert.deepEqual(seen, [
      `forward · layer 1 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_1}`,
      `forward · layer 2 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_2}`,
      `loss | step 1 (batch 1 of epoch 1) | line ${XOR_LOSS}`,
      `backward · layer 2 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_2}`,
      `backward · layer 1 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_1}`,
      `update | step 1 (batch 1 of epoch 1) | line ${XOR_OPTIMIZER}`,
    ]);
    await stepIn();
    await next();
    assert.equal(await where(), `forward · layer 1 | step 3 (batch 1 of epoch 2) | line ${XOR_LAYER_1}`);
    await stepOut();
    assert.equal(await where(), `update | step 3 (batch 1 of epoch 2) | line ${XOR_OPTIMIZER}`);
    // at a step's end, Step Out finishes the epoch (XOR: 2 batches per epoch)
    await stepOut();
    assert.equal(await where(), `update | step 4 (batch 2 of epoch 2) | line ${XOR_OPTIMIZER}`);
    await stepBack();
    assert.equal(await where(), `backward · layer 1 | step 4 (batch 2 of epoch 2) | line ${XOR_LAYER_1}`);
  });

  it('stepping back restores exactly the values the step had (every number at full precision, against the CLI)', async () => {
    const trace = cliTrace(XOR, 2);
    /** Every weight, bias and gradient of both layers and the losses, each evaluated alone (full precision, not a preview). */
    const numbers = async () => {
      const out: Record<string, number> = {};
      const names = ['loss', 'dataLoss', 'regLoss', 'lossAfter'];
      trace[1].layers.forEach((layer, l) => {
        layer.weights.forEach((row, r) => row.forEach((_, c) => names.push(`W[${l + 1}][${r}][${c}]`, `dW[${l + 1}][${r}][${c}]`, `WAfter[${l + 1}][${r}][${c}]`)));
        layer.biasAfter.forEach((_, r) => names.push(`b[${l + 1}][${r}]`, `db[${l + 1}][${r}]`));
      });
      for (const name of names) out[name] = Number((await evaluate(name)).body.result);
      return out;
    };
    await launch(XOR);
    await next();
    await next();
    const before = await numbers();
    // Independently: the CLI's trace of step 2 (W is before its update, WAfter after it).
    assert.equal(before.loss, trace[1].loss);
    assert.equal(before.lossAfter, trace[1].lossAfter);
    trace[1].layers.forEach((layer, l) => {
      layer.weights.forEach((row, r) => row.forEach((w, c) => assert.equal(before[`W[${l + 1}][${r}][${c}]`], w)));
      layer.weightsAfter.forEach((row, r) => row.forEach((w, c) => assert.equal(before[`WAfter[${l + 1}][${r}][${c}]`], w)));
      layer.gradWeights.forEach((row, r) => row.forEach((g, c) => assert.equal(before[`dW[${l + 1}][${r}][${c}]`], g)));
      layer.gradBias.forEach((g, r) => assert.equal(before[`db[${l + 1}][${r}]`], g));
    });
    await stepIn();
    await next();
    await stepBack();
    for (let i = 0; i < 6; i++) await stepBack();
    assert.equal(await where(), `update | step 2 (batch 2 of epoch 1) | line ${XOR_OPTIMIZER}`);
    assert.deepEqual(await numbers(), before);
  });

  it('stops at a line breakpoint on a layer: its forward and its backward', async () => {
    let verified: DebugProtocol.Breakpoint[] = [];
    await launch(XOR, {}, async () => {
      const response = await dc.setBreakpointsRequest({ source: { path: XOR }, breakpoints: [{ line: XOR_LAYER_2 }, { line: 1 }] });
      verified = response.body.breakpoints;
    });
    assert.equal(verified[0].verified, true);
    assert.equal(verified[0].line, XOR_LAYER_2);
    assert.equal(verified[1].verified, false, 'line 1 is no layer');
    assert.match(verified[1].message ?? '', /layer/);
    let stopped = await cont();
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal(await where(), `forward · layer 2 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_2}`);
    stopped = await cont();
    assert.equal(await where(), `backward · layer 2 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_2}`);
    // reverse continue goes back to the previous hit
    stopped = await reverse();
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal(await where(), `forward · layer 2 | step 1 (batch 1 of epoch 1) | line ${XOR_LAYER_2}`);
  });

  it('stops at a conditional function breakpoint, with hit counts', async () => {
    const trace = cliTrace(XOR, 6);
    await launch(XOR, {}, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'update', condition: 'step >= 3 && loss < 10' }, { name: 'backward:1', hitCondition: '5' }, { name: 'forward:9' }] }),
    );
    let stopped = await cont();
    assert.equal(stopped.body.reason, 'function breakpoint');
    assert.equal(await where(), `update | step 3 (batch 1 of epoch 2) | line ${XOR_OPTIMIZER}`);
    assert.equal(Number((await evaluate('loss')).body.result), trace[2].loss);
    // with the update breakpoint still set, backward:1's fifth hit is step 5; the update of step 4 comes first
    stopped = await cont();
    assert.equal(await where(), `update | step 4 (batch 2 of epoch 2) | line ${XOR_OPTIMIZER}`);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'backward:1', hitCondition: '5' }] });
    stopped = await cont();
    assert.equal(await where(), `backward · layer 1 | step 5 (batch 1 of epoch 3) | line ${XOR_LAYER_1}`);
    const bad = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'forward:9' }, { name: 'backward:1', condition: 'loss >' }] });
    assert.deepEqual(bad.body.breakpoints.map((b) => b.verified), [false, false]);
    assert.match(bad.body.breakpoints[0].message ?? '', /layers are numbered 1 to 2/);
    assert.match(bad.body.breakpoints[1].message ?? '', /column 7/);
  });

  it('the NaN filter stops at the operation that produced Infinity and names layer, unit and row', async () => {
    await launch(OVERFLOW);
    const stopped = await cont();
    assert.equal(stopped.body.reason, 'exception');
    // x = 1e200 times W₀₀ = 1e200 is beyond the largest float64 (≈1.8e308): z of layer 1, unit 0, batch row 1
    assert.match(stopped.body.description ?? '', /Infinity in z of layer 1 \(unit 0, batch row 1\) at forward · layer 1 of step 1/);
    assert.equal(await where(), `forward · layer 1 | step 1 (batch 1 of epoch 1) | line ${lineOf(OVERFLOW, '"units": 2')}`);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'nonFinite');
    assert.equal((await evaluate('z[1][1][0]')).body.result, 'Infinity');
  });

  it('the NaN filter on a diverging model names the layer the CLI names, at the same step', async () => {
    const run = spawnSync(process.execPath, [cli, 'run', DIVERGING, '--steps', '1000', '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    const cliStop = /training stopped at step (\d+) .*?, (loss|update: \w+(?: of layers\[(\d+)\])?|forward of layers\[(\d+)\]|backward of layers\[(\d+)\])/.exec(run.stderr);
    assert.ok(cliStop, run.stderr);
    const outputLayer = 2; // the losses (before and after the update) belong to the output layer
    const layer = cliStop[3] ?? cliStop[4] ?? cliStop[5];
    const expectedLayer = layer === undefined ? outputLayer : Number(layer) + 1;
    await launch(DIVERGING);
    const stopped = await cont();
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description ?? '', new RegExp(`of layer ${expectedLayer}\\b.* of step ${cliStop[1]}$`));
  });

  it("shows variables equal to the CLI's --json trace for the same model and step", async () => {
    const trace = cliTrace(XOR, 3);
    await launch(XOR);
    await next();
    await next();
    // the operations of step 3 up to backward · layer 1: every field of layer 1 is computed
    for (let i = 0; i < 5; i++) await stepIn();
    assert.equal(await where(), `backward · layer 1 | step 3 (batch 1 of epoch 2) | line ${XOR_LAYER_1}`);
    const expected = trace[2].layers[0];
    const scopes = (await dc.scopesRequest({ frameId: 1 })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Layer 1', 'Loss', 'Optimizer', 'Batch']);
    const fields = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    const byName = (label: string) => fields.find((f) => f.name === label)!;
    const pairs: [string, number[][] | number[]][] = [
      ['input', expected.input], ['z', expected.z], ['a = f(z)', expected.a], ['f′(z)', expected.localGrad as number[][]],
      ['∂J/∂a (upstream)', expected.upstream], ['∂J/∂z (delta)', expected.delta], ['W', expected.weights], ['b', expected.bias],
      ['∂J/∂W', expected.gradWeights], ['∂J/∂b', expected.gradBias],
    ];
    const sixDigits = (v: number) => String(Number(v.toPrecision(6)));
    for (const [label, values] of pairs) {
      const variable = byName(label);
      assert.ok(variable, label);
      assert.ok(variable.evaluateName, label);
      assert.equal(variable.indexedVariables, values.length, `${label} rows`);
      const rows = (await dc.variablesRequest({ variablesReference: variable.variablesReference, filter: 'indexed', start: 0, count: values.length })).body.variables;
      for (let r = 0; r < values.length; r++) {
        const row = values[r];
        if (typeof row === 'number') {
          assert.equal(rows[r].value, sixDigits(row), `${label}[${r}]`);
          assert.equal(Number((await evaluate(rows[r].evaluateName!)).body.result), row, `${label}[${r}] in full`);
          continue;
        }
        const cells = (await dc.variablesRequest({ variablesReference: rows[r].variablesReference })).body.variables;
        for (let c = 0; c < row.length; c++) {
          assert.equal(cells[c].value, sixDigits(row[c]), `${label}[${r}][${c}]`);
          assert.equal(Number((await evaluate(cells[c].evaluateName!)).body.result), row[c], `${label}[${r}][${c}] in full`);
        }
      }
    }
    assert.equal(byName('ΔW (added by the update)').value, 'not computed yet');
    // loss scope: total, data, regularization parts
    const loss = (await dc.variablesRequest({ variablesReference: scopes[1].variablesReference })).body.variables;
    assert.equal(loss[0].value, sixDigits(trace[2].loss));
    assert.equal(Number((await evaluate('loss')).body.result), trace[2].loss);
    assert.equal(Number((await evaluate('dataLoss')).body.result), trace[2].dataLoss);
    assert.equal(Number((await evaluate('regLoss')).body.result), trace[2].regLoss);
    const batch = (await dc.variablesRequest({ variablesReference: scopes[3].variablesReference })).body.variables;
    assert.equal(batch[0].value, `[${trace[2].batch.join(', ')}]`);
    // after the update: ΔW and the weights after it
    await stepIn();
    assert.equal(Number((await evaluate('updateW[2][0][1]')).body.result), trace[2].layers[1].update.weights[0][1]);
    assert.equal(Number((await evaluate('WAfter[1][2][0]')).body.result), trace[2].layers[0].weightsAfter[2][0]);
    assert.equal(Number((await evaluate('lossAfter')).body.result), trace[2].lossAfter);
  });

  it("names weights, gradients and updates in the lecture's notation (w¹ₙₘ from input n to unit m, counted from 1), evaluating by the code path", async function () {
    this.timeout(60_000); // ~40 DAP round trips: slow on a loaded machine
    const trace = cliTrace(XOR, 3);
    await launch(XOR);
    await next();
    await next();
    for (let i = 0; i < 6; i++) await stepIn(); // through backward · layer 1 to the update of step 3
    const expected = trace[2].layers[0];
    const scopes = (await dc.scopesRequest({ frameId: 1 })).body.scopes;
    const children = async (variable: { variablesReference: number }) => (await dc.variablesRequest({ variablesReference: variable.variablesReference })).body.variables;
    // at the update every layer is in scope: layer 1's fields
    const fields = await children((await children(scopes[0])).find((v) => v.name === 'layer 1')!);
    const field = (label: string) => {
      const found = fields.find((f) => f.name === label);
      assert.ok(found, `no ${label} in ${fields.map((f) => f.name).join(', ')}`);
      return found;
    };
    /** Each named number of a [unit][input] tensor: its name and the value its evaluateName gives. */
    const check = async (label: string, rowNames: string[], cellName: (n: number, m: number) => string, values: number[][]) => {
      const rows = await children(field(label));
      assert.deepEqual(rows.map((r) => r.name), rowNames, label);
      for (let m = 1; m <= values.length; m++) {
        const cells = await children(rows[m - 1]);
        assert.deepEqual(cells.map((c) => c.name), values[m - 1].map((_, n) => cellName(n + 1, m)), `${label} row ${m}`);
        for (let n = 1; n <= values[m - 1].length; n++) {
          assert.equal(Number((await evaluate(cells[n - 1].evaluateName!)).body.result), values[m - 1][n - 1], `${cells[n - 1].name} = ${cells[n - 1].evaluateName}`);
        }
      }
    };
    const sub = (k: number) => '₀₁₂₃₄₅₆₇₈₉'[k];
    const units = ['ₙ₁', 'ₙ₂', 'ₙ₃'];
    await check('W', units.map((u) => `w¹${u}`), (n, m) => `w¹${sub(n)}${sub(m)}`, expected.weights);
    await check('∂J/∂W', units.map((u) => `∂J/∂w¹${u}`), (n, m) => `∂J/∂w¹${sub(n)}${sub(m)}`, expected.gradWeights);
    await check('ΔW (added by the update)', units.map((u) => `Δw¹${u}`), (n, m) => `Δw¹${sub(n)}${sub(m)}`, expected.update.weights);
    await check('W after the update', units.map((u) => `w¹${u} after`), (n, m) => `w¹${sub(n)}${sub(m)} after`, expected.weightsAfter);
    // a bias is one number per unit: b¹ₘ
    const biases = await children(field('∂J/∂b'));
    assert.deepEqual(biases.map((b) => b.name), ['∂J/∂b¹₁', '∂J/∂b¹₂', '∂J/∂b¹₃']);
    for (let m = 0; m < 3; m++) assert.equal(Number((await evaluate(biases[m].evaluateName!)).body.result), expected.gradBias[m]);
    // batch quantities keep their row indices
    assert.deepEqual((await children(field('z'))).map((r) => r.name).slice(0, 2), ['[0]', '[1]']);
  });

  it('hovers on names in the model file show that layer\'s values', async () => {
    const trace = cliTrace(XOR, 1);
    await launch(XOR);
    await next();
    const hover = await dc.evaluateRequest({ expression: 'weights', context: 'hover', frameId: 1, line: XOR_LAYER_1 } as DebugProtocol.EvaluateArguments);
    assert.match(hover.body.result, /^3×2 /);
    assert.equal(hover.body.indexedVariables, 3);
    const rows = (await dc.variablesRequest({ variablesReference: hover.body.variablesReference })).body.variables;
    const cells = (await dc.variablesRequest({ variablesReference: rows[1].variablesReference })).body.variables;
    assert.equal(Number((await evaluate(cells[1].evaluateName!)).body.result), trace[0].layers[0].weights[1][1]);
  });

  it('answers bad expressions with a clear error naming the column, and keeps going', async () => {
    await launch(XOR);
    const failures: [string, RegExp][] = [
      ['loss >', /column 7: expected a number, a name or "\(", found the end/],
      ['detla[1]', /column 1: unknown name "detla"/],
      ['loss', /loss of step 1 is not computed yet/],
      ['max(abs(delta[3]))', /column 15: layer 3 does not exist/],
      ['step = 4', /column 6: unexpected character "="; compare with "=="/],
      ['process.exit(1)', /column 8: unexpected character "\."|unknown name "process"/],
      ['z[1] > 0', /column 1: z of layer 1 is not computed yet|compares numbers/],
    ];
    for (const [expression, message] of failures) {
      await assert.rejects(evaluate(expression), (error: Error) => {
        assert.match(error.message, message, expression);
        return true;
      });
    }
    // still alive, and still answering
    assert.equal((await evaluate('step == 1 && !(epoch > 1)')).body.result, 'true');
    assert.equal((await dc.threadsRequest()).body.threads.length, 1);
  });
});
