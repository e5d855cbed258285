// The screen-truth suite (issue 10): the inspector bundle in Chromium, fed by the host's own
// message builders over a real TrainingSession (test/support/sessionHost.ts), for every example
// and seeded random models, at several steps, at every operation of one step and in every view
// mode. Every number on the page is read back from its data-quantity/data-value and held to the
// CLI's `--json` trace of the same file (a separate process), the identities a learner can form
// from the screen are computed here from the page's numbers, and the layout is checked at 420 and
// 1600 px, in English and Korean, light and dark.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { ModelFile } from '../../src/engine/types';
import type { HostMessage } from '../../src/protocol/messages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import { type InspectorPage, launch, openInspector } from '../support/browserPage';
import { type CliTrace, cliTrace, traceSoFar } from '../support/cliTrace';
import { Fuzzer } from '../support/fuzz';
import {
  ScreenValues, type ShownNumber, checkIdentities, compareWithTrace, layoutProblems, positionOnPage, shownNumbers,
} from '../support/screenTruth';
import { SessionHost } from '../support/sessionHost';

const ROOT = resolve(__dirname, '../..');
const STEPS = 3; // steps 0, 1 and 3 are looked at; step 2 operation by operation
const RANDOM_MODELS = 20;
const MAX_SAMPLES = 4; // samples looked at one by one at the last step

// ---- the models: every example, and seeded random ones

const examples = readdirSync(resolve(ROOT, 'examples')).filter((f) => f.endsWith('.backprop.json')).sort()
  .map((f) => ({ name: f, file: resolve(ROOT, 'examples', f) }));

type Activation = ModelFile['layers'][number]['activation'];
const HIDDEN: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky-relu'];
const OPTIMIZERS: ModelFile['optimizer'][] = [
  { type: 'sgd', learningRate: 0.1 },
  { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
  { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { type: 'adagrad', learningRate: 0.1 },
  { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true },
  { type: 'adam', learningRate: 0.01 },
  { type: 'adamw', learningRate: 0.01, weightDecay: 0.1 },
];

/** Model `seed`: depth 1–3, any activations, a loss with its output activation, an optimizer, data, regularization. */
function randomModel(seed: number): ModelFile {
  const f = new Fuzzer(1000 + seed);
  const inputs = 1 + f.int(3);
  const depth = 1 + f.int(3);
  const loss = f.pick<ModelFile['loss']>(['mse', 'mae', 'cross-entropy', 'binary-cross-entropy']);
  const outputs = loss === 'cross-entropy' ? 2 + f.int(2) : 1 + f.int(2);
  const output: Activation = loss === 'cross-entropy' ? 'softmax' : loss === 'binary-cross-entropy' ? 'sigmoid' : f.pick(HIDDEN);
  const layers: ModelFile['layers'] = Array.from({ length: depth - 1 }, () => ({ units: 1 + f.int(4), activation: f.pick(HIDDEN) }));
  layers.push({ units: outputs, activation: output });
  for (const layer of layers) if (layer.activation === 'leaky-relu' && f.chance(0.5)) layer.slope = 0.1;
  const samples = 3 + f.int(2);
  const x = Array.from({ length: samples }, () => Array.from({ length: inputs }, () => Math.round((f.int(2001) - 1000)) / 500));
  const y = x.map((row, i) => Array.from({ length: outputs }, (_, k) => {
    if (loss === 'cross-entropy') return k === i % outputs ? 1 : 0;
    if (loss === 'binary-cross-entropy') return (row[0] + k) % 2 > 0 ? 1 : 0;
    return Math.sin(row.reduce((s, v) => s + v, k));
  }));
  const regularization = f.pick([undefined, { l2: 0.01 }, { l1: 0.005 }, { l1: 0.002, l2: 0.003 }]);
  return {
    name: `random-${seed}`, seed: 100 + seed, inputs, layers, loss, optimizer: f.pick(OPTIMIZERS), data: { x, y },
    ...(regularization ? { regularization } : {}),
    batch: f.chance(0.5) ? { mode: 'batch' } : { mode: 'mini-batch', size: 2 + f.int(2), shuffle: f.chance(0.5) },
  };
}

const folder = mkdtempSync(join(tmpdir(), 'screen-truth-'));
const randoms = Array.from({ length: RANDOM_MODELS }, (_, seed) => {
  const file = join(folder, `random-${seed}.backprop.json`);
  writeFileSync(file, JSON.stringify(randomModel(seed), null, 1));
  return { name: `random model ${seed}`, file };
});

// ---- driving the page as a learner does, answering as the host does

async function answer(view: InspectorPage, host: SessionHost, from: number): Promise<void> {
  for (let i = from; i < view.posted.length; i++) for (const reply of await host.handle(view.posted[i])) await view.send(reply);
}

async function sendAll(view: InspectorPage, messages: HostMessage[]): Promise<void> {
  for (const message of messages) await view.send(message);
}

/** Changes a <select> of the page as a learner does and waits for the page (and the host's answer). */
async function choose(view: InspectorPage, host: SessionHost, selector: string, value: string): Promise<void> {
  if ((await view.page.$eval(selector, (e) => (e as HTMLSelectElement).value)) === value) return;
  const from = view.posted.length;
  await view.page.evaluate(([s, v]) => new Promise<void>((done) => {
    document.body.addEventListener('inspector-rendered', () => done(), { once: true });
    const select = document.querySelector(s) as HTMLSelectElement;
    select.value = v;
    select.dispatchEvent(new Event('change'));
  }), [selector, value] as const);
  await answer(view, host, from);
}

async function clickAndAnswer(view: InspectorPage, host: SessionHost, selector: string): Promise<void> {
  const from = view.posted.length;
  await view.page.evaluate((s) => new Promise<void>((done) => {
    document.body.addEventListener('inspector-rendered', () => done(), { once: true });
    (document.querySelector(s) as HTMLElement).click();
    setTimeout(done, 500); // a click that changes nothing on the page renders nothing
  }), selector);
  await answer(view, host, from);
}

/** Asks for the chain rule of a weight in the network diagram (focus and Enter, as the keyboard does). */
async function showChainRule(view: InspectorPage, host: SessionHost, selector: string): Promise<void> {
  const from = view.posted.length;
  await view.page.focus(selector);
  await view.page.keyboard.press('Enter');
  await answer(view, host, from);
}

/** Loads every tensor the page shows only as a summary ("Load full tensor"), as a learner would. */
async function loadFullTensors(view: InspectorPage, host: SessionHost): Promise<void> {
  for (const name of await view.page.$$eval('button[data-request]', (bs) => bs.map((b) => b.getAttribute('data-request')!))) {
    await clickAndAnswer(view, host, `button[data-request="${name}"]`);
  }
}

// ---- what a model's pass found, added up for the report line

interface Tally { models: number; views: number; numbers: number; identities: number }
const tally: Tally = { models: 0, views: 0, numbers: 0, identities: 0 };

interface Layout { inputs: number; units: number[]; rows: number }

/**
 * One view of the page at step `step` after `done` operations: every number against the trace so
 * far, added to `screen` for the identities. Returns the problems.
 */
async function lookAt(view: InspectorPage, trace: CliTrace, step: number, done: number, screen: ScreenValues, label: string): Promise<string[]> {
  const numbers = await shownNumbers(view.page);
  const known = traceSoFar(trace, step, done);
  const { problems, compared } = compareWithTrace(numbers, known, () => undefined);
  screen.add(numbers);
  tally.views++;
  tally.numbers += compared;
  return problems.map((p) => `${label}: ${p}`);
}

/**
 * The views of one layer at the step on screen: each `sample` ('mean' or an index) as numbers,
 * then the heatmap when `heatmap`. Returns the problems.
 */
async function layerViews(
  view: InspectorPage, host: SessionHost, trace: CliTrace, at: { step: number; done: number }, layer: number,
  samples: string[], heatmap: boolean, screen: ScreenValues,
): Promise<string[]> {
  const problems: string[] = [];
  await clickAndAnswer(view, host, `#layer-tab-${layer}`);
  const modes = heatmap ? (['numbers', 'heatmap'] as const) : (['numbers'] as const);
  for (const mode of modes) {
    await choose(view, host, '#detail-mode', mode);
    for (const sample of mode === 'numbers' ? samples : [samples[0]]) {
      await choose(view, host, '#sample-select', sample);
      await loadFullTensors(view, host);
      const label = `step ${at.step}${at.done < OPS_DONE ? ` after ${at.done} operations` : ''}, layer ${layer + 1}, ${mode}, sample ${sample}`;
      problems.push(...await lookAt(view, trace, at.step, at.done, screen, label));
    }
  }
  return problems;
}

const OPS_DONE = Number.MAX_SAFE_INTEGER; // a whole step: every operation done

function layoutOf(model: ModelFile, trace: CliTrace, step: number): Layout {
  return { inputs: model.inputs, units: model.layers.map((l) => l.units), rows: trace.steps[Math.max(step, 1) - 1].batch.length };
}

/** The identities of what was on screen, counted, as problems. */
function identitiesOf(screen: ScreenValues, model: ModelFile, layout: Layout, label: string): string[] {
  const identities = checkIdentities(screen, model, layout);
  tally.identities += identities.checked;
  return [...screen.problems, ...identities.problems].map((p) => `${label}: ${p}`);
}

/** The page's data-step (and that it shows `step`). */
async function positionProblems(view: InspectorPage, step: number, label: string): Promise<string[]> {
  const position = await positionOnPage(view.page);
  return position.step === String(step) ? [] : [`${label}: the page's data-step is ${position.step}, not ${step}`];
}

/**
 * One model's pass, sized for two loaded cores: step 0 and step 1 in the batch-mean view of each
 * layer; the last step in every view mode (batch mean, each sample up to MAX_SAMPLES, heatmap) of
 * each layer, so the sums over the batch can be formed; and step 2 one operation at a time
 * (Step Into), each in the view of the layer the operation works on.
 */
async function checkModel(browser: Browser, file: string): Promise<string[]> {
  const model = JSON.parse(readFileSync(file, 'utf8')) as ModelFile;
  const trace = cliTrace(file, STEPS, 'op');
  const host = SessionHost.open(model, pathToFileURL(file).toString());
  const view = await openInspector({ theme: 'light', width: 1280, height: 900, browser });
  const problems: string[] = [];
  const layers = model.layers.length;
  try {
    await view.send(host.init());
    for (const step of [0, 1, STEPS]) {
      await sendAll(view, await host.at(step));
      problems.push(...await positionProblems(view, step, `step ${step}`));
      const layout = layoutOf(model, trace, step);
      const samples = step === STEPS ? ['mean', ...Array.from({ length: Math.min(layout.rows, MAX_SAMPLES) }, (_, i) => String(i))] : ['mean'];
      const screen = new ScreenValues();
      for (let l = 0; l < layers; l++) problems.push(...await layerViews(view, host, trace, { step, done: OPS_DONE }, l, samples, step === STEPS && l === layers - 1, screen));
      problems.push(...identitiesOf(screen, model, layout, `step ${step}`));
    }
    await sendAll(view, await host.at(1));
    await choose(view, host, '#detail-mode', 'numbers');
    await choose(view, host, '#sample-select', '0');
    const layout = layoutOf(model, trace, 2);
    for (let done = 1; done <= host.session.operationsPerStep; done++) {
      const phase = host.session.engine.position.nextPhase;
      await host.session.stepInto();
      await sendAll(view, host.snapshot());
      const label = `step 2 after ${done} operations (${phase.kind}${'layer' in phase ? ` ${phase.layer + 1}` : ''})`;
      problems.push(...await positionProblems(view, 2, label));
      const layer = 'layer' in phase ? phase.layer : layers - 1;
      const screen = new ScreenValues();
      problems.push(...await layerViews(view, host, trace, { step: 2, done }, layer, ['0'], false, screen));
      problems.push(...identitiesOf(screen, model, layout, label));
    }
    tally.models++;
  } finally {
    await view.close();
  }
  return problems;
}

describe('screen truth: every number on the inspector page is the CLI trace\'s, and the identities hold (Chromium)', function () {
  this.timeout(10 * 60 * 1000);
  let browser: Browser;
  const started = Date.now();
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    rmSync(folder, { recursive: true, force: true });
    console.log(`      screen truth: ${tally.models} models, ${tally.views} views, ${tally.numbers} numbers equal to the CLI's, ${tally.identities} identities, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });

  for (const { name, file } of [...examples, ...randoms]) {
    it(name, async () => {
      const problems = await checkModel(browser, file);
      assert.deepEqual(problems.slice(0, 15), [], `${problems.length} problems`);
    });
  }
});

describe('screen truth: the checks catch a wrong screen (Chromium)', function () {
  this.timeout(120000);
  const file = resolve(ROOT, 'examples/xor.backprop.json');
  const model = JSON.parse(readFileSync(file, 'utf8')) as ModelFile;
  let trace: CliTrace;
  let view: InspectorPage;
  let host: SessionHost;
  before(async () => {
    trace = cliTrace(file, STEPS);
    host = SessionHost.open(model, pathToFileURL(file).toString());
    view = await openInspector({ theme: 'light', width: 1280, height: 900 });
    await view.send(host.init());
    await sendAll(view, await host.at(STEPS));
    await clickAndAnswer(view, host, '#layer-tab-1');
    await choose(view, host, '#sample-select', '0');
  });
  after(async () => view?.close());

  const check = async () => compareWithTrace(await shownNumbers(view.page), traceSoFar(trace, STEPS, OPS_DONE), () => undefined);

  it('a number changed in its last bit on the page is reported, by name, and nothing else', async () => {
    const clean = await check();
    assert.deepEqual(clean.problems, []);
    assert.ok(clean.compared > 20, `${clean.compared} numbers compared`);
    const quantity = 'layers[1].z[0][0]';
    const corrupted = await view.page.$eval(`[data-quantity="${quantity}"]`, (e) => {
      const v = Number(e.getAttribute('data-value'));
      const next = v + Math.abs(v) * Number.EPSILON;
      e.setAttribute('data-value', String(next));
      return next;
    });
    const found = await check();
    assert.equal(found.problems.length, await view.page.$$eval(`[data-quantity="${quantity}"]`, (es) => es.length));
    assert.match(found.problems[0], new RegExp(`${quantity.replace(/[[\].]/g, '\\$&')} shows ${corrupted}`));
  });

  it('a step message of another step is reported number by number', async () => {
    await sendAll(view, await host.at(STEPS - 1));
    const found = await check();
    assert.ok(found.problems.length > 10, `${found.problems.length} problems`);
    await sendAll(view, await host.at(STEPS));
  });

  it('a broken identity on screen is reported (a = f(z) with a corrupted z)', async () => {
    const numbers = await shownNumbers(view.page);
    const screen = new ScreenValues();
    screen.add(numbers.map((n) => (n.quantity === 'layers[1].z[0][0]' ? { ...n, value: n.value + 1e-9 } : n)));
    const report = checkIdentities(screen, model, layoutOf(model, trace, STEPS));
    assert.ok(report.checked > 0);
    assert.ok(report.problems.some((p) => p.startsWith('layers[1].a[0][0] = sigmoid(z)')), report.problems.join('\n'));
  });
});

describe('screen truth: nothing overflows or overlaps at 420 and 1600 px, English and Korean, light and dark (Chromium)', function () {
  this.timeout(300000);
  const bundle = JSON.parse(readFileSync(resolve(ROOT, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
  const KOREAN = Object.fromEntries(WEBVIEW_STRINGS.map((text) => [text, bundle[text] ?? text]));
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => browser?.close());
  // XOR (small numbers, few units) in light, lesson 7's 16-16-3 network in dark: each width and language sees both.
  const models = { light: resolve(ROOT, 'examples/xor.backprop.json'), dark: resolve(ROOT, 'examples/07-optimizer-race.backprop.json') };
  for (const width of [420, 1600]) {
    for (const theme of ['light', 'dark'] as const) {
      for (const locale of ['en', 'ko'] as const) {
        it(`${width} px, ${theme}, ${locale}`, async () => {
          const problems: string[] = [];
          for (const file of [models[theme]]) {
            const model = JSON.parse(readFileSync(file, 'utf8')) as ModelFile;
            const host = SessionHost.open(model, pathToFileURL(file).toString());
            const view = await openInspector({ theme, lang: locale, width, height: 1000, browser });
            try {
              await view.send(host.init(locale === 'ko' ? KOREAN : {}, locale));
              await sendAll(view, await host.at(STEPS));
              await showChainRule(view, host, '[data-param^="w:0:"]');
              const expand = await view.page.$('button[data-expand]');
              if (expand) await expand.click();
              problems.push(...(await layoutProblems(view.page)).map((p) => `${model.name ?? file}: ${p}`));
            } finally {
              await view.close();
            }
          }
          assert.deepEqual(problems, []);
        });
      }
    }
  }
});
