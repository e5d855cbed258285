// Data-parallel training in the inspector bundle (headless Chromium), fed by the host's own builders:
// examples/pytorch/data_parallel.py run by /usr/bin/python3 on 2 gloo ranks writes one trace per
// rank; rank 0's file is opened as Open Trace does (rankFileNames finds rank 1's, readTrace reads
// both, TraceSession + buildTraceSnapshot), and the Ranks card must show each rank's local gradient
// of the selected layer as written in its own file, their mean, the reduced gradient, the check
// max |mean − reduced|, and the reduced gradient must equal one process's full-batch gradient
// (computed by PyTorch in a separate process). Fails (never skips) when Python or torch is missing.
import '../unit/extension/useVscodeStub';
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector, screenshotWholePage } from '../support/browserPage';
import { readTrace } from '../../src/protocol/traceFile';
import type { WebviewMessage } from '../../src/protocol/messages';
import { TraceSession, buildTraceSnapshot } from '../../src/extension/traceSession';
import { runTraceCommand } from '../../src/extension/traceCommands';
import { buildInitMessage, HistoryCursor } from '../../src/extension/inspectorMessages';
import { rankFileNames, rankTracesProblem } from '../../src/extension/rankGradients';

const root = join(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const env = { ...process.env, PYTHONPATH: join(root, 'python') };

type Layer = { localGradWeights: number[][]; localGradBias: number[]; gradWeights: number[][]; gradBias: number[] };
/** Step `step`'s layers as rank `rank`'s file has them, read with JSON.parse (not the extension's reader). */
function writtenLayers(dir: string, rank: number, step: number): Layer[] {
  const lines = readFileSync(join(dir, `dp.rank${rank}.trace.jsonl`), 'utf8').trimEnd().split('\n').slice(1).map((line) => JSON.parse(line));
  return lines.find((line) => line.step === step).layers;
}

describe('Ranks side by side in the inspector webview (Chromium): a 2-rank data-parallel PyTorch trace', function () {
  this.timeout(300_000);
  let view: InspectorPage;
  let session: TraceSession;
  let dir: string;
  let fullBatch: [number[][], number[]][];
  const cursor = new HistoryCursor();

  const cells = (row: string, kind: 'weights' | 'bias') =>
    view.page.$$eval(`#ranks tr[data-rank-row="${row}"] td[data-kind="${kind}"] .num`, (spans) => spans.map((s) => Number((s as HTMLElement).dataset.value)));

  before(async function () {
    this.timeout(600_000);
    dir = mkdtempSync(join(tmpdir(), 'backprop-ranks-'));
    execFileSync(PYTHON, [join(root, 'examples', 'pytorch', 'data_parallel.py'), '--workers', '2', '--steps', '2', '--trace', join(dir, 'dp.rank{rank}.trace.jsonl')], { env, cwd: dir, stdio: 'pipe' });
    fullBatch = JSON.parse(execFileSync(PYTHON, ['-c', [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(root, 'examples', 'pytorch'))})`,
      'from data_parallel import full_batch_gradient',
      'print(json.dumps([[w.tolist(), b.tolist()] for w, b in full_batch_gradient()]))',
    ].join('\n')], { env, encoding: 'utf8' }));

    // As TraceInspectors.open does: the opened file, its siblings by name, both read and checked.
    const opened = join(dir, 'dp.rank0.trace.jsonl');
    const contents = readTrace(readFileSync(opened), 'dp.rank0.trace.jsonl');
    const paths = rankFileNames(opened, contents.header);
    assert.deepEqual(paths, [opened, join(dir, 'dp.rank1.trace.jsonl')]);
    const ranks = paths!.map((path, r) => (r === 0 ? contents : readTrace(readFileSync(path), `dp.rank${r}.trace.jsonl`)));
    assert.equal(rankTracesProblem(ranks, paths!), undefined);
    session = new TraceSession(`file://${opened}`, 'dp.rank0.trace.jsonl', contents, ranks);
    view = await openInspector({ theme: 'light' });
    await view.send(buildInitMessage(session, { strings: {}, locale: 'en', theme: 'light' }));
    for (const message of buildTraceSnapshot(session, cursor)) await view.send(message);
  });
  after(async () => view?.close());

  /** Step `step`, layer `layer`: every row of the card against the files and PyTorch's full batch. */
  async function checkLayer(step: number, layer: number): Promise<void> {
    const [rank0, rank1] = [writtenLayers(dir, 0, step)[layer], writtenLayers(dir, 1, step)[layer]];
    for (const kind of ['weights', 'bias'] as const) {
      const flat = (v: number[][] | number[]) => (v as number[]).flat();
      const local = [rank0, rank1].map((l) => flat(kind === 'weights' ? l.localGradWeights : l.localGradBias));
      const reduced = flat(kind === 'weights' ? rank0.gradWeights : rank0.gradBias);
      const shown = { r0: await cells('rank-0', kind), r1: await cells('rank-1', kind), mean: await cells('mean', kind), reduced: await cells('reduced', kind) };
      assert.ok(shown.r0.length > 0 && shown.r0.length <= 4, `${kind}: ${shown.r0.length} elements shown`);
      shown.r0.forEach((v, i) => {
        assert.equal(v, local[0][i], `rank 0 ${kind}[${i}]`);
        assert.equal(shown.r1[i], local[1][i], `rank 1 ${kind}[${i}]`);
        assert.ok(local[0][i] !== local[1][i], 'the ranks\' shares give different local gradients');
        assert.equal(shown.mean[i], (local[0][i] + local[1][i]) / 2, `mean ${kind}[${i}]`);
        assert.equal(shown.reduced[i], reduced[i], `reduced ${kind}[${i}]`);
        if (step === 1) {
          const full = flat(fullBatch[layer][kind === 'weights' ? 0 : 1]);
          assert.ok(Math.abs(shown.reduced[i] - full[i]) <= 1e-12, `reduced ${kind}[${i}] ${shown.reduced[i]} vs one process's full batch ${full[i]}`);
        }
      });
    }
    const worst = Math.max(
      ...[[rank0.localGradWeights, rank1.localGradWeights, rank0.gradWeights], [[rank0.localGradBias], [rank1.localGradBias], [rank0.gradBias]]].flatMap(([a, b, r]) =>
        a.flat().map((v, i) => Math.abs((v + b.flat()[i]) / 2 - r.flat()[i]))),
    );
    const difference = Number(await view.page.$eval('#ranks-max-difference', (e) => (e as HTMLElement).dataset.value));
    assert.equal(difference, worst);
    assert.ok(difference <= 1e-15, `max |mean − reduced| = ${difference}`);
    assert.equal(await view.page.$eval('#ranks-check', (e) => (e as HTMLElement).dataset.agrees), 'true');
  }

  it('shows layer 1\'s local gradients of both ranks, their mean and the reduced gradient of step 1, which is the full-batch gradient', async () => {
    assert.equal(await view.page.$eval('#ranks', (e) => (e as HTMLElement).hidden), false);
    assert.match((await view.page.textContent('#ranks h2')) ?? '', /2 workers, one mini-batch · Layer 1/);
    await checkLayer(1, 0);
    await screenshotWholePage(view.page, join(ARTIFACTS, 'ranks-side-by-side.png'));
  });

  it('follows the selected layer and the step', async () => {
    await view.page.click('#layer-tab-1');
    await view.page.waitForFunction(() => /Layer 2/.test(document.querySelector('#ranks h2')?.textContent ?? ''));
    await checkLayer(1, 1);
    const from = view.posted.length;
    await view.page.click('#step');
    for (const message of view.posted.slice(from) as WebviewMessage[]) if (message.type === 'command') await runTraceCommand(session, message.command);
    for (const message of buildTraceSnapshot(session, cursor)) await view.send(message);
    await view.page.waitForSelector('body[data-rendered-step="2"]', { state: 'attached' });
    await checkLayer(2, 1);
  });

  it('is hidden for a trace of one process', async () => {
    const single = new TraceSession('file:///single', 'single', { ...session.contents, header: { format: 'backprop-stepper-trace', version: 1 } });
    const alone = new HistoryCursor();
    await view.send(buildInitMessage(single, { strings: {}, locale: 'en', theme: 'light' }));
    for (const message of buildTraceSnapshot(single, alone)) await view.send(message);
    assert.equal(await view.page.$eval('#ranks', (e) => (e as HTMLElement).hidden), true);
  });
});
