// The screen-truth suite (issue 10): the inspector bundle in Chromium, fed by the host's own
// message builders over a real TrainingSession (test/support/sessionHost.ts), for every example
// and seeded random models, at several steps, at every operation of one step and in every view
// mode. Every number on the page is read back from its data-quantity/data-value and held to the
// CLI's `--json` trace of the same file (a separate process), the identities a learner can form
// from the screen are computed here from the page's numbers, and the layout is checked at 420 and
// 1600 px, in English and Korean, light and dark.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { ModelFile } from '../../src/engine/types';
import type { HostMessage } from '../../src/protocol/messages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import { type InspectorPage, launch, openInspector } from '../support/browserPage';
import { type CliTrace, cliTrace, numberAt, parseTraceLine, pathKeys, traceSoFar } from '../support/cliTrace';
import { Fuzzer } from '../support/fuzz';
import {
  type Reference, ScreenValues, checkIdentities, compareWithTrace, derivedFrom, layoutProblems, positionOnPage, shownNumbers,
} from '../support/screenTruth';
import { SessionHost, answerHost } from '../support/sessionHost';

const ROOT = resolve(__dirname, '../..');
const CLI = resolve(ROOT, 'dist/cli.js');
const STEPS = 3; // steps 0, 1 and 3 are looked at; step 2 operation by operation
const RANDOM_MODELS = 20;
const MAX_SAMPLES = 3;
const PARALLEL = 3; // inspector pages checked at once // samples looked at one by one at the last step

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
  const samples = 3;
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
    batch: f.chance(0.5) ? { mode: 'batch' } : { mode: 'mini-batch', size: 2, shuffle: f.chance(0.5) },
  };
}

const folder = mkdtempSync(join(tmpdir(), 'screen-truth-'));
const randoms = Array.from({ length: RANDOM_MODELS }, (_, seed) => {
  const file = join(folder, `random-${seed}.backprop.json`);
  writeFileSync(file, JSON.stringify(randomModel(seed), null, 1));
  return { name: `random model ${seed}`, file };
});

// ---- driving the page as a learner does, answering as the host does

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
  await answerHost(view, host, from);
}

async function clickAndAnswer(view: InspectorPage, host: SessionHost, selector: string): Promise<void> {
  const from = view.posted.length;
  await view.page.evaluate((s) => new Promise<void>((done) => {
    document.body.addEventListener('inspector-rendered', () => done(), { once: true });
    (document.querySelector(s) as HTMLElement).click();
    setTimeout(done, 500); // a click that changes nothing on the page renders nothing
  }), selector);
  await answerHost(view, host, from);
}

/** Asks for the chain rule of a weight in the network diagram (focus and Enter, as the keyboard does). */
async function showChainRule(view: InspectorPage, host: SessionHost, selector: string): Promise<void> {
  const from = view.posted.length;
  await view.page.focus(selector);
  await view.page.keyboard.press('Enter');
  await answerHost(view, host, from);
}

/** Loads every tensor the page shows only as a summary ("Load full tensor"), as a learner would. */
async function loadFullTensors(view: InspectorPage, host: SessionHost): Promise<void> {
  for (const name of await view.page.$$eval('button[data-request]', (bs) => bs.map((b) => b.getAttribute('data-request')!))) {
    await clickAndAnswer(view, host, `button[data-request="${name}"]`);
  }
}

// ---- what a model's pass found, added up for the report line

interface Tally { models: number; views: number; numbers: number; unreferenced: number; identities: number }
const tally: Tally = { models: 0, views: 0, numbers: 0, unreferenced: 0, identities: 0 };

interface Layout { inputs: number; units: number[]; rows: number }

/** One view of the page: every number against the reference, added to `screen` for the identities. Returns the problems. */
async function lookAt(view: InspectorPage, ref: Reference, screen: ScreenValues, label: string): Promise<string[]> {
  const numbers = await shownNumbers(view.page);
  const known = traceSoFar(ref.trace, ref.step, ref.done);
  const { problems, compared, unreferenced } = compareWithTrace(numbers, known, derivedFrom(ref, known));
  screen.add(numbers);
  tally.views++;
  tally.numbers += compared;
  tally.unreferenced += unreferenced;
  return problems.map((p) => `${label}: ${p}`);
}

/**
 * The views of one layer at the step on screen: each of `samples` ('mean' or an index) as numbers,
 * then, when `allModes`, the heatmap and the diagram's gradient and update modes. Returns the problems.
 */
async function layerViews(
  view: InspectorPage, host: SessionHost, ref: Reference, layer: number, samples: string[], allModes: boolean, screen: ScreenValues,
): Promise<string[]> {
  const problems: string[] = [];
  const at = `step ${ref.step}${ref.done < OPS_DONE ? ` after ${ref.done} operations` : ''}, layer ${layer + 1}`;
  await clickAndAnswer(view, host, `#layer-tab-${layer}`);
  await choose(view, host, '#detail-mode', 'numbers');
  for (const sample of samples) {
    await choose(view, host, '#sample-select', sample);
    await loadFullTensors(view, host);
    ref.sample = sample;
    problems.push(...await lookAt(view, ref, screen, `${at}, sample ${sample}`));
  }
  if (allModes) {
    await choose(view, host, '#detail-mode', 'heatmap');
    problems.push(...await lookAt(view, ref, screen, `${at}, heatmap, sample ${ref.sample}`));
    await choose(view, host, '#detail-mode', 'numbers');
    for (const mode of ['gradient', 'update', 'value']) {
      await clickAndAnswer(view, host, `#diagram-mode-${mode}`);
      problems.push(...await lookAt(view, ref, screen, `${at}, diagram ${mode}, sample ${ref.sample}`));
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

/** The page's data-step and data-op against the step and the CLI's next operation. */
async function positionProblems(view: InspectorPage, ref: Reference, label: string): Promise<string[]> {
  const position = await positionOnPage(view.page);
  const lines = ref.step === 0 ? [] : ref.trace.operations[ref.step - 1];
  const next = lines.slice(ref.done);
  // The CLI's operation lines stop before the update (its line is the StepTrace).
  // At a step boundary (step 0 included) the step on screen is complete.
  const op = ref.step === 0 ? 'complete' : ref.done >= lines.length + 1 ? 'complete' : next.length ? `${next[0].phase.kind}${'layer' in next[0].phase ? `:${next[0].phase.layer}` : ''}` : 'update';
  const problems: string[] = [];
  if (position.step !== String(ref.step)) problems.push(`${label}: the page's data-step is ${position.step}, not ${ref.step}`);
  if (position.op !== op) problems.push(`${label}: the page's data-op is ${position.op}, the CLI's next operation is ${op}`);
  return problems;
}

/** The chain rule of one weight of `layer` (clicked in the diagram), held to `explain --json`. */
async function chainRuleView(view: InspectorPage, host: SessionHost, file: string, ref: Reference, layer: number, screen: ScreenValues): Promise<string[]> {
  // The last unit the diagram draws (a wide layer shows its first units and a count of the rest).
  const input = 0;
  const out = await view.page.$$eval(`[data-param^="w:${layer}:"]`, (edges) => Math.max(...edges
    .map((e) => e.getAttribute('data-param')!.split(':')).filter((p) => p[3] === '0').map((p) => Number(p[2]))));
  ref.explained = parseTraceLine(execFileSync(process.execPath, [CLI, 'explain', file, '--step', String(ref.step), '--layer', String(layer), '--weight', `${out},${input}`, '--json'], { encoding: 'utf8' }));
  await showChainRule(view, host, `[data-param="w:${layer}:${out}:${input}"]`);
  const expand = await view.page.$('#chain-rule button[data-expand]');
  if (expand) await expand.click();
  const problems = await lookAt(view, ref, screen, `step ${ref.step}, chain rule of layers[${layer}].weights[${out}][${input}]`);
  // The identity the chain rule exists for: its data part plus regularization is the layer detail's ∂J/∂w.
  const [total, gradient] = [screen.get('chainRule.total'), screen.get(`layers[${layer}].gradWeights[${out}][${input}]`)];
  if (total === undefined || gradient === undefined) problems.push(`chain rule: chainRule.total or the layer detail's ∂J/∂w is not on screen`);
  else {
    tally.identities++;
    if (Math.abs(total - gradient) > 1e-12 * Math.max(1, Math.abs(gradient))) problems.push(`chain rule: chainRule.total ${total} ≠ layer detail's ∂J/∂w ${gradient}`);
  }
  return problems;
}

/**
 * One model's pass, sized for two loaded cores: step 0 and step 1 in the batch-mean view of each
 * layer; the last step in every view (batch mean and each sample up to MAX_SAMPLES as numbers, the
 * heatmap, the diagram's value, gradient and update modes, the chain rule of a weight) so the sums
 * over the batch can be formed; and step 2 one operation at a time (Step Into), each in the view
 * of the layer the operation works on.
 */
async function checkModel(browser: Browser, file: string, steps: number[]): Promise<string[]> {
  const model = JSON.parse(readFileSync(file, 'utf8')) as ModelFile;
  const trace = cliTrace(file, STEPS, 'op');
  const host = SessionHost.open(model, pathToFileURL(file).toString());
  const view = await openInspector({ theme: 'light', width: 1280, height: 900, browser });
  const problems: string[] = [];
  const layers = model.layers.length;
  try {
    await view.send(host.init());
    for (const step of steps) {
      await sendAll(view, await host.at(step));
      const ref: Reference = { model, trace, step, done: OPS_DONE, sample: 'mean' };
      problems.push(...await positionProblems(view, ref, `step ${step}`));
      const layout = layoutOf(model, trace, step);
      const last = step === STEPS;
      const samples = last ? ['mean', ...Array.from({ length: Math.min(layout.rows, MAX_SAMPLES) }, (_, i) => String(i))] : ['mean'];
      const screen = new ScreenValues();
      for (let l = 0; l < layers; l++) problems.push(...await layerViews(view, host, ref, l, samples, last && l === layers - 1, screen));
      if (last) problems.push(...await chainRuleView(view, host, file, ref, 0, screen));
      problems.push(...identitiesOf(screen, model, layout, `step ${step}`));
    }
    await sendAll(view, await host.at(1));
    const layout = layoutOf(model, trace, 2);
    for (let done = 1; done <= host.session.operationsPerStep; done++) {
      const phase = host.session.engine.position.nextPhase;
      await host.session.stepInto();
      await sendAll(view, host.snapshot());
      const ref: Reference = { model, trace, step: 2, done, sample: '0' };
      const label = `step 2 after ${done} operations (the last ${phase.kind}${'layer' in phase ? ` ${phase.layer + 1}` : ''})`;
      problems.push(...await positionProblems(view, ref, label));
      const screen = new ScreenValues();
      problems.push(...await layerViews(view, host, ref, 'layer' in phase ? phase.layer : layers - 1, ['0'], false, screen));
      problems.push(...identitiesOf(screen, model, layout, label));
    }
    tally.models++;
  } finally {
    await view.close();
  }
  return problems;
}

describe('screen truth: every number on the inspector page is the CLI trace\'s, and the identities hold (Chromium)', function () {
  this.timeout(15 * 60 * 1000);
  let browser: Browser;
  const started = Date.now();
  // The examples at steps 0, 1 and the last; the random models at the last (each also operation by
  // operation). PARALLEL pages at a time: the host's work and the page's overlap on two cores.
  // SCREEN_TRUTH_MODELS (a regular expression) checks only the models whose name it matches.
  const only = new RegExp(process.env.SCREEN_TRUTH_MODELS ?? '');
  const models = [
    ...examples.map((m) => ({ ...m, steps: [0, 1, STEPS] })),
    ...randoms.map((m) => ({ ...m, steps: [STEPS] })),
  ].filter((m) => only.test(m.name));
  const results = new Map<string, Promise<string[]>>();
  before(async () => {
    browser = await launch();
    const queue = [...models];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { file, steps } = next;
        const done = checkModel(browser, file, steps).catch((e: Error) => [`the check did not finish: ${e.message}`]);
        results.set(file, done);
        await done;
      }
    };
    // Started, not awaited: each test waits for its own model.
    for (let i = 0; i < PARALLEL; i++) void worker();
  });
  after(async () => {
    await Promise.all(results.values());
    await browser?.close();
    rmSync(folder, { recursive: true, force: true });
    console.log(`      screen truth: ${tally.models} models, ${tally.views} views, ${tally.numbers} numbers equal to the CLI's (${tally.unreferenced} documented names without a CLI reference), ${tally.identities} identities, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });

  for (const { name, file } of models) {
    it(name, async () => {
      while (!results.has(file)) await new Promise((r) => setTimeout(r, 100));
      const problems = await results.get(file)!;
      assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problems`);
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

  const check = async () => {
    const known = traceSoFar(trace, STEPS, OPS_DONE);
    return compareWithTrace(await shownNumbers(view.page), known, derivedFrom({ model, trace, step: STEPS, done: OPS_DONE, sample: '0' }, known));
  };

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
  it('a number pushed onto another and a box wider than the page are reported', async () => {
    assert.deepEqual(await layoutProblems(view.page), []);
    // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
    await view.page.evaluate(`(() => {
      const r = document.querySelector('#loss-value').getBoundingClientRect();
      const stray = document.createElement('span');
      stray.setAttribute('data-value', '1.5');
      stray.textContent = '1.5';
      Object.assign(stray.style, { position: 'fixed', left: r.left + 'px', top: r.top + 'px' });
      document.getElementById('app').append(stray);
      const wide = document.createElement('div');
      wide.style.width = (document.documentElement.clientWidth + 200) + 'px';
      wide.textContent = 'wide';
      document.querySelector('#app section').append(wide);
    })()`);
    const problems = await layoutProblems(view.page);
    assert.ok(problems.some((p) => / overlaps /.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /beyond the page|scrolls sideways/.test(p)), problems.join('\n'));
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
