// The inspector bundle in headless Chromium, fed by the host's own message builders over a real
// TrainingSession (test/support/sessionHost.ts); the numbers on screen are checked against an
// independent Trainer run of the same model (test/support/engineSteps.ts).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARTIFACTS, type InspectorPage, THEMES, openInspector, screenshotWholePage } from '../support/browserPage';
import { SessionHost, answerHost } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';
import type { WebviewMessage } from '../../src/protocol/messages';
import { encodeRecord } from '../../src/protocol/traceCodec';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import type { ModelFile } from '../../src/engine/types';

const BATCH = 4;
const run = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 16), 6, BATCH);

const value = (view: InspectorPage, selector: string) => view.page.$eval(selector, (e) => (e as HTMLElement).dataset.value ?? '');

describe('inspector webview (Chromium)', function () {
  this.timeout(60000);
  let view: InspectorPage;
  let host: SessionHost;
  before(async () => {
    view = await openInspector({ theme: 'light' });
    host = SessionHost.open(run.model);
    await view.send(host.init());
    await view.send(await host.message(6, 'step'));
    await view.send(await host.message(6, 'dataView'));
  });
  after(async () => view?.close());

  it('says ready and shows the engine\'s numbers exactly', async () => {
    assert.equal(view.posted[0].type, 'ready');
    const record = run.records[5];
    assert.equal(Number(await value(view, '#loss-value')), record.loss);
    assert.equal(Number(await value(view, '#loss-after-value')), record.lossAfter);
    assert.equal(Number(await value(view, '#loss-data-value')), record.dataLoss);
    // Layer 2 (index 1), sample 3: z and the weights, cell by cell.
    await view.page.click('#layer-tab-1');
    await view.page.selectOption('#sample-select', '2');
    await view.page.waitForFunction(() => document.querySelector('#sample-select') && (document.querySelector('#sample-select') as HTMLSelectElement).value === '2');
    const cells = async (name: string) => view.page.$$eval(`td[data-tensor="${name}"]`, (tds) => tds.map((td) => [Number((td as HTMLElement).dataset.index), Number((td as HTMLElement).dataset.value)]));
    const z = await cells('layers[1].z');
    assert.equal(z.length, 8);
    for (const [i, v] of z) assert.equal(v, record.layers[1].z![2 * 8 + i], `z[2][${i}]`);
    const w = await cells('layers[1].gradWeights');
    assert.equal(w.length, 64);
    for (const [i, v] of w) assert.equal(v, record.layers[1].gradWeights![i], `∂J/∂W[${i}]`);
    const state = view.posted.filter((m): m is Extract<WebviewMessage, { type: 'viewState' }> => m.type === 'viewState').pop();
    assert.deepEqual(state?.state.sample, 2);
  });

  it('shows the chain rule of a clicked weight; its total equals ∂J/∂w of the trace', async () => {
    const from = view.posted.length;
    await view.page.focus('[data-param="w:1:2:3"]');
        await view.page.keyboard.press('Enter');
    const request = view.posted.slice(from).find((m) => m.type === 'requestExplanation');
    assert.deepEqual(request, { type: 'requestExplanation', step: 6, parameter: { kind: 'weight', layer: 1, out: 2, in: 3 } });
    await answerHost(view, host, from);
    const gradient = run.records[5].layers[1].gradWeights![2 * 8 + 3];
    const shown = Number(await value(view, '#chain-gradient'));
    assert.ok(Math.abs(shown - gradient) <= 1e-12 * Math.max(1, Math.abs(gradient)), `${shown} vs ${gradient}`);
    const product = Number(await value(view, '#chain-product'));
    const reg = Number(await value(view, '#chain-reg'));
    assert.ok(Math.abs(product + reg - gradient) <= 1e-12, 'data part + regularization = ∂J/∂w');
    const fd = Number(await value(view, '#chain-fd'));
    assert.ok(Math.abs(fd - gradient) < 1e-6, `finite difference ${fd} vs ${gradient}`);
    assert.ok((await view.page.$$('#chain-rule tr.shared')).length >= 1, 'the shared part is marked');
  });

  it('moves to an earlier step with the history scrubber and shows it exactly', async () => {
    const from = view.posted.length;
    await view.page.$eval('#history-slider', (e) => {
      const input = e as HTMLInputElement;
      input.value = '2';
      input.dispatchEvent(new Event('change'));
    });
    assert.deepEqual(view.posted.slice(from).find((m) => m.type === 'command'), { type: 'command', command: { name: 'goToStep', step: 2 } });
    await answerHost(view, host, from);
    assert.equal(Number(await value(view, '#loss-value')), run.records[1].loss);
    assert.match(await view.page.textContent('#history-step') ?? '', /2 of 6/);
    const z = await view.page.$$eval('td[data-tensor="layers[1].z"]', (tds) => tds.map((td) => Number((td as HTMLElement).dataset.value)));
    assert.deepEqual(z, Array.from(run.records[1].layers[1].z!.subarray(16, 24)));
  });

  it('posts each toolbar command with an accessible name', async () => {
    for (const [id, name] of [['#step', 'step'], ['#step-into', 'stepInto'], ['#step-back', 'stepBack'], ['#run-epoch', 'runEpoch'], ['#reset', 'reset'], ['#run', 'run']] as const) {
      const from = view.posted.length;
      assert.ok(await view.page.getAttribute(id, 'aria-label'), `${id} has an aria-label`);
      await view.page.click(id);
      const command = view.posted.slice(from).find((m) => m.type === 'command');
      assert.equal(command?.type === 'command' && command.command.name, name);
    }
  });

  it('draws each toolbar button\'s codicon: its <vscode-icon> finds the page\'s codicon stylesheet by id', async () => {
    const icons = await view.page.$$eval('.toolbar vscode-button[icon]', (buttons) => buttons.map((button) => {
      const icon = button.shadowRoot!.querySelector('vscode-icon')!;
      const glyph = icon.shadowRoot!.querySelector('.codicon')!;
      return {
        id: button.id,
        href: icon.shadowRoot!.querySelector('link')?.getAttribute('href') ?? null,
        glyph: getComputedStyle(glyph, '::before').content,
        font: getComputedStyle(glyph).fontFamily,
      };
    }));
    assert.ok(icons.length >= 6, `${icons.length} icon buttons`);
    for (const icon of icons) {
      assert.match(icon.href ?? '', /dist\/codicon\.css$/, `${icon.id}: the icon's shadow root links the codicon stylesheet`);
      assert.notEqual(icon.glyph, 'none', `${icon.id}: the glyph has content`);
      assert.match(icon.font, /codicon/, `${icon.id}: in the codicon font`);
    }
  });

  it('rejects malformed host messages with a protocolError and keeps the view', async () => {
    const before = await value(view, '#loss-value');
    const from = view.posted.length;
    const good = await host.message(3, 'step');
    await view.deliver({ type: 'launch' });
    await view.deliver({ type: 'step', position: good.position, record: { ...good.record, data: [1, 2, 3] }, history: good.history });
    await view.deliver({ ...good, record: { ...encodeRecord(run.records[2]), data: new Float64Array(5) } });
    await view.deliver('not an object');
    await view.page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => done())));
    const errors = view.posted.slice(from).filter((m) => m.type === 'protocolError').map((m) => (m as { reason: string }).reason);
    assert.equal(errors.length, 4, errors.join('\n'));
    assert.match(errors[0], /unknown message type "launch"/);
    assert.match(errors[1], /record\.data must be a Float64Array/);
    assert.match(errors[2], /runs past the data \(5 numbers\)/);
    assert.equal(await value(view, '#loss-value'), before);
  });
});

describe('inspector: non-finite numbers cross the JSON boundary as what they are (Chromium)', function () {
  this.timeout(60000);
  it('a diverging model\'s toolbar shows J = +∞ (it showed −∞: Infinity arrived as null)', async () => {
    const model = {
      name: 'diverging', inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 10 },
      data: { x: [[1e200], [2e200], [3e200], [4e200]], y: [[1], [2], [3], [4]] }, batch: { mode: 'batch' }, seed: 1,
    };
    const host = SessionHost.open(model as ModelFile);
    let outcome = await host.session.step();
    for (let s = 0; s < 1000 && outcome.kind !== 'non-finite'; s++) outcome = await host.session.step();
    assert.equal(outcome.kind, 'non-finite');
    assert.match(outcome.kind === 'non-finite' ? outcome.error.message : '', /dataLoss is Infinity/);
    assert.equal(host.session.record?.loss, Infinity);
    const view = await openInspector({ theme: 'light' });
    try {
      await view.send(host.init());
      for (const message of await host.at(host.session.position.step)) await view.send(message);
      assert.equal(await view.page.textContent('#loss-value'), '+∞');
      assert.equal(await value(view, '#loss-value'), 'Infinity');
    } finally {
      await view.close();
    }
  });
});

describe('inspector: a batch mean that is zero up to rounding (Chromium)', function () {
  this.timeout(60000);
  it('shows 0 for a mean within n·ε·max|x| of 0, with the exact value on hover; a small mean above it stays', async () => {
    // Inputs 0.1, 0.2, −0.3 add up to 5.55e−17 in float64, not 0; the second input's mean, 1e−20, is no rounding artefact.
    const model = {
      name: 'rounding', inputs: 2, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 },
      data: { x: [[0.1, 1e-20], [0.2, 1e-20], [-0.3, 1e-20]], y: [[0], [0], [0]] }, split: { train: 1, validation: 0, test: 0 }, batch: { mode: 'batch', shuffle: false }, seed: 1,
    };
    const host = SessionHost.open(model as ModelFile);
    const view = await openInspector({ theme: 'light' });
    try {
      await view.send(host.init());
      for (const message of await host.at(1)) await view.send(message);
      const cell = (index: number) => view.page.$eval(`td[data-tensor="layers[0].input"][data-index="${index}"]`, (td) => ({ text: td.textContent, value: (td as HTMLElement).dataset.value, title: (td as HTMLElement).title }));
      const rounded = await cell(0);
      const exactMean = (0.1 + 0.2 + -0.3) / 3;
      assert.notEqual(exactMean, 0);
      assert.ok(Math.abs(exactMean) <= 3 * Number.EPSILON * 0.3, 'the rule: within n·ε·max|x|');
      assert.deepEqual(rounded, { text: '0', value: String(exactMean), title: `mean(layers[0].input)[0] = ${exactMean}` });
      assert.deepEqual(await cell(1), { text: '1e−20', value: '1e-20', title: 'mean(layers[0].input)[1] = 1e-20' });
    } finally {
      await view.close();
    }
  });
});

describe('inspector data, prediction, epoch and chain-sum views (Chromium)', function () {
  this.timeout(60000);
  // 2-D binary classifier with a train/validation/test split; 3-input softmax classifier for the table.
  const split = { train: 0.5, validation: 0.25, test: 0.25 };
  const planar = runSteps({ ...syntheticModel([2, 6, 1], ['tanh', 'sigmoid'], 'binary-cross-entropy', 32), split }, 9, 4);
  const wide = runSteps(syntheticModel([3, 5, 3], ['relu', 'softmax'], 'cross-entropy', 12), 4, 4);
  let view: InspectorPage;
  before(async () => {
    view = await openInspector({ theme: 'light', width: 1000, height: 1400 });
  });
  after(async () => view?.close());

  it('draws 2-D points with split marks and batch rings over the engine\'s decision grid', async () => {
    const host = SessionHost.open(planar.model);
    await view.send(host.init());
    await view.send(await host.message(9, 'step'));
    const message = await host.message(9, 'dataView');
    await view.send(message);
    const data = message.view as Extract<typeof message.view, { kind: 'points' }>;
    const marks = await view.page.$eval('#data-plot', (c) => ({ ...(c as HTMLCanvasElement).dataset }));
    assert.deepEqual([marks.train, marks.validation, marks.test].map(Number),
      [planar.data.split.train.length, planar.data.split.validation.length, planar.data.split.test.length]);
    assert.ok(Number(marks.validation) > 0 && Number(marks.test) > 0, 'the split has validation and test points');
    assert.equal(marks.batch, planar.batchOf(9).datasetRows.join(','));
    // Pixels: each grid cell away from the points is tinted with the class the engine predicts there,
    // and each batch point has its ring (foreground colour) drawn 8 px above its centre.
    const grid = data.grid!;
    const size = Number(marks.size);
    // The plot sits inside the canvas, right of and above its axes.
    const [left, top] = [Number(marks.plotLeft), Number(marks.plotTop)];
    const toPx = (x: number, y: number) => [left + ((x - grid.xMin) / (grid.xMax - grid.xMin)) * size, top + size - ((y - grid.yMin) / (grid.yMax - grid.yMin)) * size];
    const points = Array.from({ length: planar.samples }, (_, i) => toPx(data.x[2 * i], data.x[2 * i + 1]));
    const probes: { x: number; y: number; want: number }[] = [];
    for (let r = 0; r < grid.ny; r += 3) for (let c = 0; c < grid.nx; c += 3) {
      const v = grid.values[r * grid.nx + c];
      const [x, y] = [left + ((c + 0.5) / grid.nx) * size, top + size - ((r + 0.5) / grid.ny) * size];
      if (Math.abs(v - 0.5) < 0.1 || points.some(([px, py]) => Math.hypot(px - x, py - y) < 12) || x < left + 3 || y < top + 3 || x > left + size - 3 || y > top + size - 3) continue;
      probes.push({ x: Math.floor(x), y: Math.floor(y), want: v >= 0.5 ? 1 : 0 });
    }
    const rings = data.batch.map((i) => ({ x: Math.round(points[i][0]), y: Math.round(points[i][1] - 8) }));
    const read = (spots: { x: number; y: number }[]) => view.page.$eval('#data-plot', (c, spots) => {
      const g = (c as HTMLCanvasElement).getContext('2d')!;
      return spots.map(({ x, y }) => Array.from(g.getImageData(x, y, 1, 1).data));
    }, spots);
    const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    const [blue, orange] = [hex(THEMES.light.vars['--vscode-charts-blue']), hex(THEMES.light.vars['--vscode-charts-orange'])];
    assert.ok(probes.length >= 20, `${probes.length} probes`);
    const colours = await read(probes);
    const agree = probes.filter((p, k) => (dist(colours[k], orange) < dist(colours[k], blue) ? 1 : 0) === p.want).length;
    assert.equal(agree, probes.length, `${agree} of ${probes.length} grid cells show the predicted class`);
    const ringColours = await read(rings);
    const foreground = hex(THEMES.light.vars['--vscode-editor-foreground']);
    ringColours.forEach((px, k) => assert.ok(px[3] > 100 && dist(px, foreground) < 120, `batch point ${data.batch[k]} has its ring: ${px}`));
  });

  it('shows a table of the batch for inputs that are not 2-D, with the engine\'s numbers', async () => {
    const host = SessionHost.open(wide.model);
    await view.send(host.init());
    await view.send(await host.message(3, 'step'));
    await view.send(await host.message(3, 'dataView'));
    const cells = await view.page.$$eval('#data td[data-value]', (tds) => tds.map((td) => [Number((td as HTMLElement).dataset.row), Number((td as HTMLElement).dataset.column), Number((td as HTMLElement).dataset.value)]));
    const batch = wide.batchOf(3);
    assert.equal(cells.length, batch.rows * 4, 'x1, x2, x3 and the class t');
    const hot = (row: number) => Array.from(wide.data.dataset.y.subarray(row * 3, row * 3 + 3)).indexOf(1);
    for (const [r, c, v] of cells) {
      const row = batch.datasetRows[r];
      assert.equal(v, c < 3 ? wide.data.dataset.x[row * 3 + c] : hot(row), `row ${r} column ${c}`);
    }
    assert.equal(await view.page.$$eval('#data-plot', (n) => n.length), 0, 'no plot for 3 inputs');
  });

  it('shows the prediction of a sample: entropy, cross-entropy and −log p(true class) equal to the host\'s and to the definitions', async () => {
    const host = SessionHost.open(wide.model);
    await view.send(host.init());
    host.session.select({ ...host.session.selection, sample: 2 });
    await view.send(await host.message(4, 'step'));
    const sent = (await host.message(4, 'step')).prediction!;
    assert.equal(Number(await value(view, '#prediction-entropy')), sent.entropy);
    assert.equal(Number(await value(view, '#prediction-cross-entropy')), sent.crossEntropy);
    assert.equal(Number(await value(view, '#prediction-self-information')), sent.selfInformation);
    // Independently: the softmax output of batch row 2 in the trace and the one-hot target.
    const out = wide.records[3].layers[1];
    const p = Array.from(out.a!.subarray(2 * 3, 3 * 3));
    const target = Array.from(wide.batchOf(4).y.subarray(2 * 3, 3 * 3));
    const k = target.indexOf(1);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
    close(Number(await value(view, '#prediction-entropy')), -p.reduce((s, q) => s + q * Math.log(q), 0));
    close(Number(await value(view, '#prediction-cross-entropy')), -Math.log(p[k]));
    close(Number(await value(view, '#prediction-self-information')), -Math.log(p[k]));
    const bars = await view.page.$$eval('#prediction .bar-row', (rows) => rows.map((r) => [r.classList.contains('true'), Number((r.querySelector('.num') as HTMLElement).dataset.value)]));
    assert.deepEqual(bars, p.map((q, i) => [i === k, q]));
  });

  it('plots the per-epoch train and validation loss and accuracy from the trainer\'s evaluations', async () => {
    const host = SessionHost.open(planar.model);
    await view.send(host.init());
    await view.send(await host.message(9, 'step'));
    const message = await host.message(9, 'evaluation');
    await view.send(message);
    const epochs = planar.evaluations.filter((e) => e.trigger === 'epoch-end');
    assert.ok(message.epochs.length >= 2, `${message.epochs.length} epochs evaluated`);
    const lastTrain = epochs.filter((e) => e.split === 'train').pop()!;
    const lastValidation = epochs.filter((e) => e.split === 'validation').pop()!;
    assert.equal(Number(await value(view, '#epoch-train-loss')), lastTrain.loss);
    // The figures name their epoch once, in a row of its own (not "Train loss (epoch) 3").
    const labels = await view.page.$$eval('#epoch-figures dt', (dts) => dts.map((dt) => dt.textContent));
    assert.deepEqual(labels, ['epoch', 'Train loss (epoch)', 'Validation loss (epoch)', 'Train accuracy', 'Validation accuracy']);
    assert.equal(await view.page.textContent('#epoch-figures-epoch'), String(message.epochs[message.epochs.length - 1].epoch));
    assert.equal(Number(await value(view, '#epoch-validation-loss')), lastValidation.loss);
    assert.equal(await view.page.textContent('#validation-accuracy'), `${(lastValidation.accuracy! * 100).toFixed(1)}%`);
    const legend = await view.page.$$eval('#epoch-chart .u-series th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(legend, ['Train loss (epoch)', 'Validation loss (epoch)', 'Train accuracy', 'Validation accuracy']);
    assert.equal(await view.page.$eval('#epoch-chart canvas', (c) => (c as HTMLCanvasElement).width > 0), true);
  });

  it('expands a sum factor Σ_k W_km δ_k term by term; the terms add up to the factor', async () => {
    const host = SessionHost.open(run.model);
    await view.send(host.init());
    await view.send(await host.message(6, 'step'));
    const from = view.posted.length;
    await view.page.focus('[data-param="w:0:3:1"]');
    await view.page.keyboard.press('Enter');
    await answerHost(view, host, from);
    const factor = await view.page.$eval('tr[data-factor] + tr.sum-toggle', (row) => Number((row.previousElementSibling as HTMLElement).dataset.factor));
    const terms = () => view.page.$$eval(`tr.term[data-term-of="${factor}"]`, (rows) => rows.map((r) => ({
      hidden: (r as HTMLElement).hidden, values: Array.from(r.querySelectorAll('.num'), (n) => Number((n as HTMLElement).dataset.value)),
    })));
    assert.ok((await terms()).every((r) => r.hidden), 'terms start folded');
    await view.page.click(`button[data-expand="${factor}"]`);
    assert.equal(await view.page.getAttribute(`button[data-expand="${factor}"]`, 'aria-expanded'), 'true');
    const rows = await terms();
    assert.equal(rows.length, 8, 'one term per unit of the layer above');
    assert.ok(rows.every((r) => !r.hidden));
    const factorValues = await view.page.$$eval(`tr[data-factor="${factor}"] .num`, (ns) => ns.map((n) => Number((n as HTMLElement).dataset.value)));
    factorValues.forEach((v, col) => {
      const sum = rows.reduce((s, r) => s + r.values[col], 0);
      assert.ok(Math.abs(sum - v) <= 1e-12 * Math.max(1, Math.abs(v)), `column ${col}: Σ terms ${sum} vs factor ${v}`);
    });
  });
});

describe('inspector screenshots (light, dark, Korean, high contrast)', function () {
  this.timeout(60000);
  // The Korean the host sends: the extension's own bundle, for every inspector string.
  const bundle = JSON.parse(readFileSync(resolve(__dirname, '../../l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
  const KOREAN = Object.fromEntries(WEBVIEW_STRINGS.map((text) => [text, bundle[text] ?? text]));
  // Four epochs of a 2-D classifier with a split, so the epoch curve, the data plot and a sum factor all show.
  const shown = runSteps({ ...syntheticModel([2, 8, 8, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 48), split: { train: 0.5, validation: 0.25, test: 0.25 } }, 24, 4);
  const cases = [['light', 'light', {}, 'en'], ['dark', 'dark', {}, 'en'], ['korean', 'dark', KOREAN, 'ko'], ['high-contrast', 'high-contrast', {}, 'en']] as const;
  for (const [name, theme, strings, locale] of cases) {
    it(`writes test-artifacts/webview/inspector-${name}.png`, async () => {
      const view = await openInspector({ theme, lang: locale, width: 1280, height: 1500 });
      try {
        const host = SessionHost.open(shown.model);
        await view.send(host.init(strings, locale));
        await view.send(await host.message(24, 'step'));
        await view.send(await host.message(24, 'dataView'));
        await view.send(await host.message(24, 'evaluation'));
        const from = view.posted.length;
        await view.page.focus('[data-param="w:0:3:1"]');
        await view.page.keyboard.press('Enter');
        await answerHost(view, host, from);
        await view.page.click('button[data-expand]');
        const file = resolve(ARTIFACTS, `inspector-${name}.png`);
        await screenshotWholePage(view.page, file);
        if (locale === 'ko') assert.match(await view.page.textContent('#step') ?? '', /스텝/);
        if (theme === 'high-contrast') {
          // VS Code's high-contrast class switches the cards to the contrast border colour.
          assert.equal(await view.page.$eval('#loss', (e) => getComputedStyle(e).borderTopColor), 'rgb(111, 195, 223)');
        }
      } finally {
        await view.close();
      }
    });
  }
});

describe('inspector at the widths a lesson gives it (420 px beside a walkthrough, 1600 px alone)', function () {
  this.timeout(60000);
  const bundle = JSON.parse(readFileSync(resolve(__dirname, '../../l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
  const KOREAN = Object.fromEntries(WEBVIEW_STRINGS.map((text) => [text, bundle[text] ?? text]));
  const shown = runSteps({ ...syntheticModel([2, 8, 8, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 48), split: { train: 0.5, validation: 0.25, test: 0.25 } }, 24, 4);
  for (const width of [420, 1600]) {
    for (const [theme, locale] of [['light', 'en'], ['dark', 'ko']] as const) {
      it(`${width} px, ${theme}, ${locale}: nothing is wider than the page or sticks out of its card; writes inspector-${width}-${theme}-${locale}.png`, async () => {
        const view = await openInspector({ theme, lang: locale, width, height: 1200 });
        try {
          const host = SessionHost.open(shown.model);
          await view.send(host.init(locale === 'ko' ? KOREAN : {}, locale));
          for (const message of await host.at(24)) await view.send(message);
          const from = view.posted.length;
          await view.page.focus('[data-param="w:0:3:1"]');
          await view.page.keyboard.press('Enter');
          await answerHost(view, host, from);
          await view.page.click('button[data-expand]');
          await screenshotWholePage(view.page, resolve(ARTIFACTS, `inspector-${width}-${theme}-${locale}.png`));
          const overflow = await view.page.evaluate(() => {
            const page = document.documentElement.clientWidth;
            // Every element's right edge within the page, unless a scrolling box of its own holds it.
            const out: string[] = [];
            for (const e of document.querySelectorAll('#app *')) {
              const r = e.getBoundingClientRect();
              if (r.width === 0 || r.right <= page + 0.5) continue;
              let a = e.parentElement;
              while (a && !['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) a = a.parentElement;
              if (!a) out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} right ${Math.round(r.right)} > ${page}`);
            }
            return { page, scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 10) };
          });
          assert.deepEqual(overflow.out, [], `at ${width} px`);
          assert.ok(overflow.scrollWidth <= overflow.page, `the page scrolls sideways: ${overflow.scrollWidth} > ${overflow.page}`);
        } finally {
          await view.close();
        }
      });
    }
  }
});

describe('inspector: dead and saturated units (lesson 6) and the debugger\'s focus (Chromium)', function () {
  this.timeout(60000);
  const example = (name: string) => JSON.parse(readFileSync(resolve(__dirname, `../../examples/${name}`), 'utf8')) as ModelFile;
  const deadModel = example('06-activations-dead-relu.backprop.json');
  const saturatedModel = example('06-activations-saturated-sigmoid.backprop.json');
  const deadRun = runSteps(deadModel, 1);
  const saturatedRun = runSteps(saturatedModel, 1);
  /** z of the first layer for dataset rows `rows`, from the file's weights: W·x + b written out. */
  const firstLayerZ = (model: ModelFile, rows: number[]) => {
    const { weights, bias } = model.layers[0];
    const x = (model.data as { x: number[][] }).x;
    return rows.map((row) => weights!.map((w, j) => w.reduce((s, wji, i) => s + wji * x[row][i], bias![j])));
  };
  const marked = (view: InspectorPage, kind: string) => view.page.$$eval(`#diagram [data-health="${kind}"]`, (gs) => gs.map((g) => (g as SVGElement).dataset.node));
  let view: InspectorPage;
  before(async () => {
    view = await openInspector({ theme: 'light', width: 900, height: 1200 });
  });
  after(async () => view?.close());

  it('hatches exactly the dead ReLU units of the dead-ReLU example (z ≤ 0 on every training sample)', async () => {
    const host = SessionHost.open(deadRun.model);
    await view.send(host.init());
    await view.send(await host.message(1, 'step'));
    const z = firstLayerZ(deadModel, Array.from(deadRun.data.split.train));
    const dead = [0, 1, 2].filter((u) => z.every((row) => row[u] <= 0));
    assert.deepEqual(dead, [0, 1], 'the example says two of the three units have a bias of −5');
    assert.deepEqual(await marked(view, 'dead'), dead.map((u) => `1:${u}`));
    assert.deepEqual(await marked(view, 'saturated'), []);
    assert.equal(await view.page.getAttribute('[data-node="1:0"] circle:not(.saturation-ring)', 'fill'), 'url(#dead-hatch)');
    assert.match(await view.page.textContent('[data-node="1:1"] title') ?? '', /Dead ReLU unit: z ≤ 0 for every training sample/);
    assert.doesNotMatch(await view.page.textContent('[data-node="1:2"] title') ?? '', /Dead/);
    assert.equal(await view.page.textContent('#dead-count'), '2');
    assert.equal(await view.page.isVisible('[data-legend="dead"]'), true);
    assert.equal(await view.page.isVisible('[data-legend="saturated"]'), false, 'no sigmoid or tanh in this model');
  });

  it('rings exactly the saturated sigmoid units of the saturated example (σ′(z) < 0.1·¼ on every sample of the batch)', async () => {
    const host = SessionHost.open(saturatedRun.model);
    await view.send(host.init());
    await view.send(await host.message(1, 'step'));
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const z = firstLayerZ(saturatedModel, saturatedRun.batchOf(1).datasetRows);
    const saturated = [0, 1, 2].filter((u) => z.every((row) => sigmoid(row[u]) * (1 - sigmoid(row[u])) < 0.025));
    assert.deepEqual(saturated, [0, 1, 2], 'the example says every hidden unit has |z| ≥ 4');
    assert.deepEqual(await marked(view, 'saturated'), saturated.map((u) => `1:${u}`), 'the output unit is not saturated');
    assert.deepEqual(await marked(view, 'dead'), []);
    const rings = await view.page.$$eval('#diagram .saturation-ring', (cs) => cs.map((c) => [(c.parentNode as SVGElement).dataset.node, getComputedStyle(c).display !== 'none']));
    assert.deepEqual(rings.filter(([, shown]) => shown).map(([node]) => node), ['1:0', '1:1', '1:2']);
    assert.equal(await view.page.textContent('#saturated-count'), '3');
    assert.equal(await view.page.isVisible('[data-legend="dead"]'), false, 'no ReLU in this model');
  });

  it('follows the debugger\'s focus: frames the operation and selects its layer; a click in the inspector ends it', async () => {
    const host = SessionHost.open(saturatedRun.model);
    await view.send(host.init());
    await view.send(await host.message(1, 'step'));
    const band = () => view.page.$eval('#diagram .focus-band', (r) => ({
      shown: getComputedStyle(r).display !== 'none', x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')), kind: r.getAttribute('class'),
    }));
    const columnX = (column: number) => view.page.$eval(`[data-node="${column}:0"] circle:not(.saturation-ring)`, (c) => Number(c.getAttribute('cx')));
    const selectedTab = () => view.page.$eval('#layer-tabs [aria-selected="true"]', (b) => b.id);
    const focusedBlocks = () => view.page.$$eval('#layer-detail figure.focused', (fs) => fs.map((f) => (f as HTMLElement).dataset.block));
    assert.equal((await band()).shown, false, 'no focus before the debugger sends one');

    await view.send({ type: 'focus', layer: 0, phase: { kind: 'backward', layer: 0 } });
    assert.equal(await view.page.getAttribute('#diagram', 'data-focus'), 'backward:0');
    let b = await band();
    assert.ok(b.shown && b.kind === 'focus-band backward');
    assert.ok(b.x < await columnX(1) && b.x + b.width > await columnX(1) && b.x + b.width < await columnX(2), 'framed around layer 1 only');
    assert.equal(await selectedTab(), 'layer-tab-0');
    assert.deepEqual(await focusedBlocks(), ['localGrad', 'upstream', 'delta', 'gradWeights', 'gradBias']);
    assert.match(await view.page.textContent('#focus-label') ?? '', /Debugger frame: backward through layer 1/);

    await view.send({ type: 'focus', layer: 1, phase: { kind: 'loss' } });
    b = await band();
    assert.ok(b.x < await columnX(2) && b.x > await columnX(1), 'the loss frames the output column');
    assert.equal(await selectedTab(), 'layer-tab-1');
    assert.deepEqual(await focusedBlocks(), ['upstream', 'delta']);

    await view.send({ type: 'focus', layer: 1, phase: { kind: 'update' } });
    b = await band();
    assert.ok(b.x < await columnX(1) && b.x + b.width > await columnX(2), 'the update frames every layer');

    const from = view.posted.length;
    await view.page.click('#layer-tab-0');
    assert.deepEqual(view.posted.slice(from).find((m) => m.type === 'select'), { type: 'select', layer: 0 });
    assert.equal(await view.page.getAttribute('#diagram', 'data-focus'), null);
    assert.equal((await band()).shown, false);
    assert.deepEqual(await focusedBlocks(), []);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`writes test-artifacts/webview/unit-marks-${theme}.png (dead and saturated examples)`, async () => {
      const page = await openInspector({ theme, width: 760, height: 900 });
      try {
        for (const [name, run] of [['dead', deadRun], ['saturated', saturatedRun]] as const) {
          const host = SessionHost.open(run.model);
          await page.send(host.init());
          await page.send(await host.message(1, 'step'));
          if (name === 'saturated') await page.send({ type: 'focus', layer: 0, phase: { kind: 'forward', layer: 0 } });
          await page.page.locator('#network').screenshot({ path: resolve(ARTIFACTS, `unit-marks-${name}-${theme}.png`) });
        }
      } finally {
        await page.close();
      }
    });
  }
});
