// Pictures and text out of the inspector (issue 15 item 2), in Chromium with the host's real
// message builders and its real validator: each view's SVG parses and holds the numbers the view
// shows; the PNG is the view's size times the device pixel ratio; the chain rule's LaTeX and
// Markdown hold the engine's numbers (an independent Trainer run), and its product agrees with
// central differences of the loss.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector } from '../support/browserPage';
import { SessionHost, answerHost } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';
import { PICTURE_VIEWS, type CopyTextMessage, type SavePictureMessage } from '../../src/protocol/messages';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import { batchLoss, cloneNetwork } from '../../src/engine/network';
import { buildCompareMessage, parseRuns } from '../../src/extension/compareMessage';

const STEP = 24;
const shown = runSteps({ ...syntheticModel([2, 8, 8, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 48), split: { train: 0.5, validation: 0.25, test: 0.25 } }, STEP, 4);
const bundle = JSON.parse(readFileSync(resolve(__dirname, '../../l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
const KOREAN = Object.fromEntries(WEBVIEW_STRINGS.map((text) => [text, bundle[text] ?? text]));

async function openAt(options: Parameters<typeof openInspector>[0], strings: Record<string, string> = {}): Promise<{ view: InspectorPage; host: SessionHost }> {
  const view = await openInspector(options);
  const host = SessionHost.open(shown.model);
  await view.send(host.init(strings, options.lang ?? 'en'));
  for (const message of await host.at(STEP)) await view.send(message);
  // A comparison, so the Compare runs card is on screen too.
  await view.send(buildCompareMessage(shown.model, host.session.engine.data, parseRuns('optimizers', 'sgd,adam', shown.model), 2));
  // The chain rule of w¹₂₄ (input 2 → unit 4 of layer 1) on screen.
  const from = view.posted.length;
  await view.page.focus('[data-param="w:0:3:1"]');
  await view.page.keyboard.press('Enter');
  await answerHost(view, host, from);
  return { view, host };
}

/** Clicks an export button and routes what the webview posts through the host; resolves to what the host accepted. */
async function exportVia(view: InspectorPage, host: SessionHost, button: string): Promise<void> {
  const from = view.posted.length;
  const before = host.saved.length + host.copied.length;
  await view.page.click(`button[data-export="${button}"]`);
  for (let i = 0; i < 100 && !view.posted.slice(from).some((m) => m.type === 'savePicture' || m.type === 'copyText'); i++) await new Promise((r) => setTimeout(r, 50));
  await answerHost(view, host, from);
  assert.equal(host.saved.length + host.copied.length, before + 1, `${button}: the host accepted one picture or text`);
}

/** The number of pixels a PNG says it has (its IHDR chunk). */
function pngSize(base64: string): { width: number; height: number } {
  const bytes = Buffer.from(base64, 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Numbers in a Markdown table row, cell by cell after the first. */
const rowNumbers = (line: string) => line.split('|').slice(2, -1).filter((c) => c.trim() !== '').map((c) => Number(c.trim()));

describe('pictures and text out of the inspector (Chromium, the host\'s validator)', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let host: SessionHost;
  before(async () => ({ view, host } = await openAt({ theme: 'light', width: 1280, height: 1500 })));
  after(async () => view?.close());

  for (const id of PICTURE_VIEWS) {
    it(`${id}: the SVG parses and holds every number the view shows`, async () => {
      await exportVia(view, host, `${id}:svg`);
      const saved = host.saved[host.saved.length - 1];
      assert.equal(saved.view, id);
      writeFileSync(resolve(ARTIFACTS, `picture-${id}.svg`), saved.data);
      const { problem, text, images } = await view.page.evaluate((svg) => {
        const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
        return {
          problem: doc.querySelector('parsererror')?.textContent ?? (doc.documentElement.localName === 'svg' ? '' : 'not an svg'),
          text: [...doc.querySelectorAll('text')].map((t) => t.textContent).join('\n'),
          images: doc.querySelectorAll('image').length,
        };
      }, saved.data);
      assert.equal(problem, '');
      const card = await view.page.$eval(`#${id}`, (e) => {
        const r = e.getBoundingClientRect();
        // Shown numbers: visible HTML, or SVG text (an SVG edge's number is a hover <title>, not drawn);
        // not a marked container (the loss chart carries its last point but shows a whole chart).
        // (No named helper inside the page: tsx's name-keeping wrapper does not exist there.)
        return { width: Math.ceil(r.width), height: Math.ceil(r.height), numbers: [...e.querySelectorAll('[data-value]')]
          .filter((n) => (n instanceof SVGElement ? n instanceof SVGTextContentElement : (n as HTMLElement).offsetParent !== null) && !n.closest('[hidden]') && n.childElementCount === 0).map((n) => n.textContent ?? '').filter((s) => s.trim()), canvases: e.querySelectorAll('canvas').length };
      });
      assert.deepEqual([saved.width, saved.height], [card.width, card.height], 'the picture is the view\'s size');
      for (const n of card.numbers) assert.ok(text.includes(n), `${id}: ${n} is in the SVG`);
      assert.equal(images, card.canvases, 'each canvas is an image in the SVG');
      if (id === 'chain-rule') assert.ok(card.numbers.length >= 10, 'the chain rule shows its numbers');
    });
  }

  it('the PNG has the view\'s size times the device pixel ratio (2)', async () => {
    const sharp = await openAt({ theme: 'dark', width: 1280, height: 1500, deviceScaleFactor: 2 });
    try {
      for (const id of ['network', 'loss', 'chain-rule'] as const) {
        await exportVia(sharp.view, sharp.host, `${id}:png`);
        const saved: SavePictureMessage = sharp.host.saved[sharp.host.saved.length - 1];
        const card = await sharp.view.page.$eval(`#${id}`, (e) => ({ width: Math.ceil(e.getBoundingClientRect().width), height: Math.ceil(e.getBoundingClientRect().height) }));
        const size = pngSize(saved.data);
        assert.deepEqual(size, { width: card.width * 2, height: card.height * 2 });
        assert.deepEqual([saved.width, saved.height], [size.width, size.height]);
        writeFileSync(resolve(ARTIFACTS, `picture-${id}-dark@2x.png`), Buffer.from(saved.data, 'base64'));
      }
    } finally {
      await sharp.view.close();
    }
  });

  it('the chain rule as Markdown and LaTeX holds the engine\'s numbers; its product agrees with central differences', async () => {
    await exportVia(view, host, 'chain-rule:markdown');
    await exportVia(view, host, 'chain-rule:latex');
    const [markdown, latex] = host.copied.slice(-2) as CopyTextMessage[];
    assert.equal(markdown.format, 'markdown');
    assert.equal(latex.format, 'latex');
    writeFileSync(resolve(ARTIFACTS, 'chain-rule.md'), markdown.text);
    writeFileSync(resolve(ARTIFACTS, 'chain-rule.tex'), latex.text);
    // The independent run's explanation of the same weight at the same step.
    const target = { kind: 'weight', layer: 0, out: 3, in: 1 } as const;
    const reference = shown.explain(STEP, target);
    const shownSamples = Math.min(reference.rows, 8);
    const rows = markdown.text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).slice(1);
    assert.equal(rows.length, reference.factors.length + 1, 'one row per factor and the product');
    reference.factors.forEach((f, k) => assert.deepEqual(rowNumbers(rows[k]), f.perSample.slice(0, shownSamples), `factor ${f.symbol}`));
    assert.deepEqual(rowNumbers(rows[rows.length - 1]), [...reference.product.perSample.slice(0, shownSamples), reference.product.sum]);
    const figure = (label: RegExp) => Number(markdown.text.split('\n').find((l) => label.test(l))!.split(': ').pop());
    const total = figure(/^- ∂J\/∂/);
    const gradient = shown.records[STEP - 1].layers[0].gradWeights![3 * 2 + 1];
    assert.equal(total, reference.total);
    assert.ok(Math.abs(total - gradient) <= 1e-15 * Math.max(1, Math.abs(gradient)), `∂J/∂w ${total} vs the trainer's ${gradient}`);
    // Central differences of J (data + regularization) on the step's batch, with the weights before the update.
    const batch = shown.batchOf(STEP);
    const lossSpec = { loss: shown.model.loss, regularization: shown.model.regularization };
    const h = 1e-6;
    const at = (delta: number) => {
      const net = cloneNetwork(shown.before[STEP - 1]);
      net.layers[0].weights[3 * 2 + 1] += delta;
      return batchLoss(net, lossSpec, batch.x, batch.y, batch.rows);
    };
    const central = (at(h) - at(-h)) / (2 * h);
    const dataPart = figure(/^- data part/);
    const regularization = figure(/^- regularization part/);
    assert.ok(Math.abs(dataPart + regularization - central) < 1e-7, `product ${dataPart} + regularization ${regularization} vs central difference ${central}`);
    // LaTeX: the same numbers in TeX notation, and the equation from the engine's symbols.
    const tex = (v: number) => { const [m, e] = String(v).split('e'); return e === undefined ? m : `${m} \\times 10^{${Number(e)}}`; };
    for (const f of reference.factors) {
      assert.ok(latex.text.includes(`$${f.latex}$`), `LaTeX names ${f.latex}`);
      assert.ok(latex.text.includes(`$${tex(f.perSample[0])}$`), `LaTeX holds sample 1's ${f.perSample[0]}`);
    }
    assert.ok(latex.text.includes(`\\frac{\\partial J}{\\partial ${reference.parameter.latex}} = ${reference.factors.map((f) => f.latex).join(' \\cdot ')}`));
    assert.ok(latex.text.includes(`$${tex(reference.total)}$`));
    assert.ok(latex.text.includes(`$${tex(reference.product.sum)}$`), 'LaTeX holds the product\'s sum over samples');
  });

  it('answers the host\'s Save Picture and Copy Chain Rule commands', async () => {
    const before = host.saved.length;
    const from = view.posted.length;
    await view.deliver({ type: 'exportRequest', request: { kind: 'picture', view: 'optimizer', format: 'png' } });
    for (let i = 0; i < 100 && !view.posted.slice(from).some((m) => m.type === 'savePicture'); i++) await new Promise((r) => setTimeout(r, 50));
    await answerHost(view, host, from);
    assert.equal(host.saved.length, before + 1);
    assert.equal(host.saved[before].view, 'optimizer');
    assert.equal(host.saved[before].format, 'png');
    const copies = host.copied.length;
    const from2 = view.posted.length;
    await view.deliver({ type: 'exportRequest', request: { kind: 'chainRule', format: 'markdown' } });
    for (let i = 0; i < 100 && !view.posted.slice(from2).some((m) => m.type === 'copyText'); i++) await new Promise((r) => setTimeout(r, 50));
    await answerHost(view, host, from2);
    assert.equal(host.copied.length, copies + 1);
  });

  it('in Korean, the copied chain rule is in Korean; screenshots of the export buttons (light, dark, Korean, 420 px)', async () => {
    const korean = await openAt({ theme: 'dark', lang: 'ko', width: 1280, height: 1500 }, KOREAN);
    try {
      await exportVia(korean.view, korean.host, 'chain-rule:markdown');
      const text = korean.host.copied[korean.host.copied.length - 1].text;
      assert.ok(text.includes(`| ${KOREAN.factor} |`), 'the header is the screen\'s');
      assert.ok(text.includes(KOREAN['finite difference']));
      await korean.view.page.locator('#chain-rule').screenshot({ path: resolve(ARTIFACTS, 'export-buttons-chain-rule-dark-ko.png') });
      await exportVia(korean.view, korean.host, 'chain-rule:svg');
      writeFileSync(resolve(ARTIFACTS, 'picture-chain-rule-dark-ko.svg'), korean.host.saved[korean.host.saved.length - 1].data);
    } finally {
      await korean.view.close();
    }
    await view.page.locator('#network').screenshot({ path: resolve(ARTIFACTS, 'export-buttons-network-light.png') });
    const narrow = await openAt({ theme: 'light', width: 420, height: 1500 });
    try {
      await narrow.view.page.locator('#chain-rule').screenshot({ path: resolve(ARTIFACTS, 'export-buttons-420-light.png') });
      const sticking = await narrow.view.page.$$eval('.export-tools', (groups) => groups.filter((g) => g.getBoundingClientRect().right > document.documentElement.clientWidth).length);
      assert.equal(sticking, 0, 'no export button sticks out at 420 px');
    } finally {
      await narrow.view.close();
    }
  });
});
