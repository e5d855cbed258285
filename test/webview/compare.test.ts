// Compare runs in the inspector (issue 15 item 5): the message the Compare Runs command posts
// (src/extension/compareMessage.ts, the engine's compareRuns) holds for each variant exactly the
// loss curve that a separate `node dist/cli.js run` of that variant's model file prints; the
// inspector (Chromium) draws one curve and one path per run and the runs' figures exactly.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector } from '../support/browserPage';
import { SessionHost } from '../support/sessionHost';
import { buildCompareMessage, parseRuns, sliceFor } from '../../src/extension/compareMessage';
import type { CompareMessage } from '../../src/protocol/messages';
import type { ModelFile } from '../../src/engine/types';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';

const ROOT = resolve(__dirname, '../..');
const example = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.backprop.json`), 'utf8')) as ModelFile;

/** J per step of `model` as the command line prints it (one StepTrace per line). */
function cliLosses(model: ModelFile, steps: number, dir: string, name: string): number[] {
  const file = join(dir, `${name.replace(/\W+/g, '_')}.backprop.json`);
  writeFileSync(file, JSON.stringify(model));
  const out = execFileSync('node', [join(ROOT, 'dist/cli.js'), 'run', file, '--steps', String(steps), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.trim().split('\n').map((line) => (JSON.parse(line) as { loss: number }).loss);
}

describe('compare runs: the inspector\'s comparison equals separate command-line runs', function () {
  this.timeout(180000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'compare-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, ModelFile, 'optimizers' | 'units', string, number]> = [
    ['the two-parameter surface, optimizers and a learning rate', example('07-optimizer-race-surface'), 'optimizers', 'sgd,momentum,adam:learningRate=0.05,rmsprop', 40],
    ['XOR, training units', example('xor'), 'units', 'batch,mini-batch:2,stochastic', 3],
  ];
  for (const [what, model, kind, list, epochs] of cases) {
    it(`${what}: every run's J per step equals \`cli.js run\` of that variant`, () => {
      const runs = parseRuns(kind, list, model);
      const message = buildCompareMessage(model, SessionHost.open(model).session.engine.data, runs, epochs);
      assert.equal(message.result.runs.length, runs.length);
      for (const [i, run] of message.result.runs.entries()) {
        assert.ok(run.steps > 0 && !run.stopped, `${run.label} ran`);
        const variant: ModelFile = { ...model, optimizer: runs[i].optimizer, batch: runs[i].batch };
        assert.deepEqual(run.stepLoss, cliLosses(variant, run.steps, dir, `${what}-${run.label}`), `${run.label}: J per step`);
      }
      // Same start: every run's first J (before any update) is the same number.
      assert.equal(new Set(message.result.runs.map((r) => r.epochLoss[0])).size, 1);
      assert.equal(message.result.slice.kind, sliceFor(model).kind);
    });
  }

  describe('in the inspector (Chromium)', () => {
    let view: InspectorPage;
    let message: CompareMessage;
    const model = example('07-optimizer-race-surface');
    before(async () => {
      const host = SessionHost.open(model);
      message = buildCompareMessage(model, host.session.engine.data, parseRuns('optimizers', 'sgd,momentum,adam:learningRate=0.05,rmsprop', model), 40);
      view = await openInspector({ theme: 'light', width: 1280, height: 1600 });
      await view.send(host.init());
      for (const m of await host.at(3)) await view.send(m);
    });
    after(async () => view?.close());

    it('is hidden until a comparison arrives, then draws one curve and one path per run with their figures', async () => {
      assert.equal(await view.page.$eval('#compare', (e) => (e as HTMLElement).hidden), true);
      await view.send(message);
      assert.equal(await view.page.$eval('#compare', (e) => (e as HTMLElement).hidden), false);
      const drawn = await view.page.$$eval('#compare path[data-run]', (paths) => paths.map((p) => [Number((p as SVGElement).dataset.run), Number((p as SVGElement).dataset.points)]));
      const runs = message.result.runs;
      assert.deepEqual(drawn, [...runs.map((r, i) => [i, r.stepLoss.length]), ...runs.map((r, i) => [i, r.path.length])]);
      const figures = await view.page.$$eval('#compare tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('[data-value]')].map((n) => Number((n as HTMLElement).dataset.value))));
      assert.deepEqual(figures, runs.map((r) => [r.epochLoss[0], r.epochLoss[r.epochLoss.length - 1]]));
      await view.page.locator('#compare').screenshot({ path: resolve(ARTIFACTS, 'compare-light.png') });
    });

    it('Korean, dark and 420 px screenshots', async () => {
      const bundle = JSON.parse(readFileSync(join(ROOT, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
      const korean = Object.fromEntries(WEBVIEW_STRINGS.map((text) => [text, bundle[text] ?? text]));
      for (const [name, theme, width, strings, lang] of [['dark-ko', 'dark', 1280, korean, 'ko'], ['420-light', 'light', 420, {}, 'en']] as const) {
        const page = await openInspector({ theme, width, height: 1600, lang });
        try {
          const host = SessionHost.open(model);
          await page.send(host.init(strings, lang));
          for (const m of await host.at(3)) await page.send(m);
          await page.send(message);
          await page.page.locator('#compare').screenshot({ path: resolve(ARTIFACTS, `compare-${name}.png`) });
          if (lang === 'ko') assert.match(await page.page.textContent('#compare h2') ?? '', /실행 비교/);
          const sticking = await page.page.$eval('#compare', (e) => e.getBoundingClientRect().right <= document.documentElement.clientWidth);
          assert.ok(sticking, 'the card fits the page');
        } finally {
          await page.close();
        }
      }
    });
  });
});
