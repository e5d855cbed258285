// The explorer bundle in headless Chromium inside the real shell page (CSP included), with a
// stand-in host that answers exactly as the extension does: validate, then compute with the engine.
// Screenshots of every view, light and dark, English and Korean, go to test-artifacts/explorers/.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { THEMES, type Theme, launch } from '../support/browserPage';
import { inspectorHtml } from '../../src/extension/inspectorHtml';
import { computeExplorer, ExplorerInputError, type LessonModels } from '../../src/extension/lessons/explorerData';
import { validateExplorerMessage } from '../../src/extension/lessons/validate';
import { parseModelFile } from '../../src/engine/model';
import { EXPLORER_VIEWS, type ExplorerHostMessage, type ExplorerResult, type ExplorerView, type ExplorerWebviewMessage } from '../../src/protocol/explorers';
import { EXPLORER_STRINGS } from '../../src/webview/explorers/strings';
import { toWire } from '../../src/protocol/nonFinite';
import { layoutProblems } from '../support/screenTruth';

const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = resolve(ROOT, 'test-artifacts/explorers');
const korean = JSON.parse(readFileSync(resolve(ROOT, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
const example = (name: string) => parseModelFile(readFileSync(resolve(ROOT, `examples/${name}.backprop.json`), 'utf8')).model!;
const models: LessonModels = { surface: example('03-gradient-descent'), race: example('07-optimizer-race-surface'), noise: example('09-training-units') };

/** CIE76 colour difference of two computed CSS colours "rgb(r, g, b)" (sRGB, D65): about 2.3 is just noticeable. */
function deltaE(a: string, b: string): number {
  const lab = (css: string) => {
    const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
    const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883].map(f);
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
  };
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

interface ExplorerPage {
  page: Page;
  errors: string[];
  rejected: string[];
  /** Every result the host sent, in order. */
  results: ExplorerResult[];
  /** Pictures the webview asked the host to save, as the host's validator passed them. */
  saved: Array<Extract<ExplorerWebviewMessage, { type: 'savePicture' }>>;
}

async function openExplorer(browser: Browser, theme: Theme, language: 'en' | 'ko', view: ExplorerView, width = 1100): Promise<ExplorerPage> {
  const file = (p: string) => pathToFileURL(resolve(ROOT, p)).toString();
  const html = inspectorHtml({ cspSource: 'file:', nonce: 'explorernonce0123', scriptUri: file('test-artifacts/explorers/explorers.js'), styleUris: [file('media/explorers.css')], lang: language, title: 'Explorer' });
  const pagePath = resolve(ARTIFACTS, `explorer-${theme}-${language}.html`);
  writeFileSync(pagePath, html);
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  const rejected: string[] = [];
  const saved: ExplorerPage['saved'] = [];
  const results: ExplorerResult[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // As VS Code delivers it: JSON, after the toWire that ExplorerPanel.post applies.
  const reply = (message: ExplorerHostMessage) => page.evaluate((text) => window.postMessage(JSON.parse(text), '*'), JSON.stringify(toWire(message)));
  await page.exposeFunction('__toHost', async (raw: unknown) => {
    const checked = validateExplorerMessage(raw);
    if (!checked.ok) { rejected.push(checked.reason); return; }
    if (checked.message.type === 'ready') {
      const strings = Object.fromEntries(EXPLORER_STRINGS.map((s) => [s, language === 'ko' ? korean[s] : s]));
      await reply({ type: 'init', view, strings, language });
      return;
    }
    if (checked.message.type === 'savePicture') {
      saved.push(checked.message);
      return;
    }
    const request = checked.message.request;
    try {
      const result = computeExplorer(request, models);
      results.push(result);
      await reply({ type: 'result', result });
    } catch (error) {
      errors.push(`host: ${(error as Error).stack}`);
      await reply({ type: 'error', view: request.view, message: (error as Error).message, column: error instanceof ExplorerInputError ? error.column : undefined });
    }
  });
  await page.addInitScript(`(() => {
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m), getState: () => undefined, setState: () => {} });
    const theme = () => { for (const [k, v] of Object.entries(${JSON.stringify(THEMES[theme].vars)})) document.documentElement.style.setProperty(k, v); };
    if (document.documentElement) theme(); else document.addEventListener('readystatechange', theme, { once: true });
  })();`);
  await page.goto(pathToFileURL(pagePath).toString());
  try {
    await page.waitForSelector(`#view-${view}:not([hidden]) svg`, { timeout: 20000 });
  } catch (error) {
    throw new Error(`the ${view} view did not draw: page errors ${JSON.stringify(errors)}, rejected ${JSON.stringify(rejected)}; ${(error as Error).message}`);
  }
  return { page, errors, rejected, saved, results };
}

/** Waits until no view is waiting for the host. */
const settled = (page: Page) => page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);

describe('explorer webview (Chromium)', function () {
  this.timeout(120000);
  let browser: Browser;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await esbuild.build({ entryPoints: [resolve(ROOT, 'src/webview/explorers/main.ts')], outfile: resolve(ARTIFACTS, 'explorers.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'silent' });
    browser = await launch();
  });
  after(async () => browser?.close());

  for (const [theme, language] of [['light', 'en'], ['dark', 'en'], ['dark', 'ko'], ['light', 'ko']] as const) {
    it(`draws every view from the host's numbers (${theme}, ${language})`, async () => {
      const { page, errors, rejected } = await openExplorer(browser, theme, language, 'norms');
      await settled(page);
      for (const view of EXPLORER_VIEWS) {
        await page.click(`#tab-${view}`);
        const panel = `#view-${view}`;
        await page.waitForSelector(`${panel} svg`);
        await settled(page);
        assert.equal(await page.$eval(panel, (e) => (e as HTMLElement).hidden), false);
        assert.ok((await page.$$(`${panel} svg`)).length >= 1, `${view} has no plot`);
        assert.equal((await page.$$(`${panel} .error`)).length, 0, `${view} shows an error`);
        await page.screenshot({ path: resolve(ARTIFACTS, `${view}-${theme}-${language}.png`), fullPage: true });
      }
      if (language === 'ko') assert.equal(await page.textContent('#tab-surface'), '손실 곡면');
      assert.deepEqual(errors, []);
      assert.deepEqual(rejected, []);
      await page.close();
    });
  }

  it('activations: each function has its own plot (ReLU beside leaky ReLU); a curve leaving the box is clipped at its edge, not flattened', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'activations');
    await settled(page);
    const plots = await page.$$eval('#view-activations svg[data-activation]', (svgs) => svgs.map((svg) => {
      const box = svg.querySelector('.plot-area')!;
      const clip = svg.querySelector(svg.querySelector('.plot-data')!.getAttribute('clip-path')!.slice(4, -1) + ' rect')!;
      const value = svg.querySelector('path[data-curve="value"]')!;
      const points = [...value.getAttribute('d')!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      const rect = value.getBoundingClientRect();
      // The curve's point at z = 1.5 (f = 1.5 for both ReLUs, away from f′ = 1), in page coordinates: what a viewer sees there.
      const [bx, by, bw, bh] = ['x', 'y', 'width', 'height'].map((k) => Number(box.getAttribute(k)));
      const at = new DOMPoint(bx + (6.5 / 10) * bw, by + bh - (2.7 / 3.2) * bh).matrixTransform((svg as SVGSVGElement).getScreenCTM()!);
      const hit = document.elementFromPoint(at.x, at.y);
      return {
        name: svg.getAttribute('data-activation'),
        box: ['x', 'y', 'width', 'height'].map((k) => Number(box.getAttribute(k))),
        clip: ['x', 'y', 'width', 'height'].map((k) => Number(clip.getAttribute(k))),
        points, inClippedGroup: value.parentElement!.classList.contains('plot-data'), visibleWidth: rect.width, hitSelf: hit === value,
      };
    }));
    assert.deepEqual(plots.map((p) => p.name), ['sigmoid', 'tanh', 'relu', 'leaky-relu']);
    for (const plot of plots) {
      assert.deepEqual(plot.clip, plot.box, `${plot.name}: the clip is the plot box`);
      assert.ok(plot.inClippedGroup && plot.visibleWidth > 100, `${plot.name}: drawn inside the clip`);
    }
    const relu = plots.find((p) => p.name === 'relu')!;
    const top = relu.box[1];
    // z runs from −5 to 5 over 201 points: ReLU(z) = z keeps rising past the top (y = 2) at z = 2, point 140.
    const beyond = relu.points.slice(141);
    assert.ok(beyond.every(([, y]) => y < top), 'ReLU\'s points for z > 2 lie above the box (drawn, then clipped)');
    assert.ok(beyond[beyond.length - 1][1] < beyond[0][1] - 50, 'and keep rising, not flat at y = 2');
    for (const name of ['relu', 'leaky-relu']) assert.ok(plots.find((p) => p.name === name)!.hitSelf, `${name}: its curve is what one sees at (1.5, 1.5)`);
    await page.close();
  });

  describe('activations: the readout at a chosen z (the host\'s engine numbers, marked on screen)', () => {
    /** The readout's numbers by data-quantity, as the page carries them (data-value parsed back). */
    const readout = (page: Page) => page.$$eval('#view-activations [data-quantity^="activations."]', (spans) =>
      Object.fromEntries(spans.map((s) => [s.getAttribute('data-quantity')!.slice('activations.'.length), Number(s.getAttribute('data-value'))])));
    /** Types `text` into the z field and waits for the readout at `expected` (the exact z the screen marks). */
    async function readAt(page: Page, text: string, expected = Number(text)): Promise<Record<string, number>> {
      await page.fill('#activation-z', text);
      await page.waitForFunction((z) => document.querySelector('#view-activations [data-quantity="activations.at"]')?.getAttribute('data-value') === z, String(expected));
      return readout(page);
    }
    const CURVES = ['sigmoid', 'tanh', 'relu', 'leaky-relu'];
    const at = (r: Record<string, number>, name: string, what: 'value' | 'derivative' | 'secondDerivative') => r[`curves[${CURVES.indexOf(name)}].at.${what}`];
    const near = (actual: number, expected: number, tolerance: number, what: string) =>
      assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (off by ${Math.abs(actual - expected)})`);

    it('equals the closed forms at z = 0 and elsewhere; ReLU′ at negative and positive z; the leaky slope', async () => {
      const { page, errors } = await openExplorer(browser, 'light', 'en', 'activations');
      await settled(page);
      assert.deepEqual(await page.$$eval('#view-activations svg[data-activation]', (svgs) => svgs.map((s) => s.getAttribute('data-activation'))), CURVES);
      const zero = await readAt(page, '0');
      assert.deepEqual(CURVES.map((n) => [at(zero, n, 'value'), at(zero, n, 'derivative'), at(zero, n, 'secondDerivative')]),
        [[0.5, 0.25, 0], [0, 1, 0], [0, 0, 0], [0, 0.1, 0]], 'σ(0) = 1/2, σ′(0) = 1/4, tanh′(0) = 1; at the kink ReLU′(0) = 0 and leaky′(0) = slope, as PyTorch');
      for (const z of [-3.7, -0.4, 0.9, 2.5]) {
        const r = await readAt(page, String(z));
        const s = 1 / (1 + Math.exp(-z));
        near(at(r, 'sigmoid', 'value'), s, 1e-15, `σ(${z})`);
        near(at(r, 'sigmoid', 'derivative'), s * (1 - s), 1e-15, `σ′(${z}) = σ(1 − σ)`);
        near(at(r, 'sigmoid', 'secondDerivative'), s * (1 - s) * (1 - 2 * s), 1e-15, `σ″(${z}) = σ(1 − σ)(1 − 2σ)`);
        const t = (Math.exp(2 * z) - 1) / (Math.exp(2 * z) + 1);
        near(at(r, 'tanh', 'value'), t, 1e-15, `tanh(${z})`);
        near(at(r, 'tanh', 'derivative'), 1 - t * t, 1e-15, `tanh′(${z}) = 1 − tanh²`);
        near(at(r, 'tanh', 'secondDerivative'), -2 * t * (1 - t * t), 1e-15, `tanh″(${z}) = −2 tanh (1 − tanh²)`);
        assert.deepEqual([at(r, 'relu', 'value'), at(r, 'relu', 'derivative'), at(r, 'relu', 'secondDerivative')], z > 0 ? [z, 1, 0] : [0, 0, 0], `ReLU at ${z}`);
        assert.deepEqual([at(r, 'leaky-relu', 'value'), at(r, 'leaky-relu', 'derivative')], z > 0 ? [z, 1] : [0.1 * z, 0.1], `leaky ReLU (slope 0.1) at ${z}`);
      }
      await readAt(page, '-2');
      await page.fill('#view-activations input[type="number"]', '0.25');
      await page.waitForFunction(() => document.querySelector('#view-activations [data-quantity="activations.curves[3].at.derivative"]')?.getAttribute('data-value') === '0.25');
      const r = await readout(page);
      assert.deepEqual([at(r, 'leaky-relu', 'value'), at(r, 'leaky-relu', 'derivative')], [-0.5, 0.25], 'leaky ReLU with slope 0.25 at z = −2');
      assert.deepEqual(errors, []);
      await page.close();
    });

    it('f′ and f″ agree with central differences of the f and f′ the screen shows at z ± h', async () => {
      const { page } = await openExplorer(browser, 'light', 'en', 'activations');
      await settled(page);
      const h = 1e-4;
      for (const z of [-2.3, -0.6, 0.35, 1.7]) {
        const [mid, plus, minus] = [await readAt(page, String(z)), await readAt(page, String(z + h)), await readAt(page, String(z - h))];
        for (const name of CURVES) {
          const difference = (what: 'value' | 'derivative') => (at(plus, name, what) - at(minus, name, what)) / (2 * h);
          // central differences are off by h²·f‴/6 (≲ 1e-9 here) plus rounding ε·|f|/h (≈ 1e-12)
          near(at(mid, name, 'derivative'), difference('value'), 1e-8, `${name}′(${z})`);
          near(at(mid, name, 'secondDerivative'), difference('derivative'), 1e-8, `${name}″(${z})`);
        }
      }
      await page.close();
    });

    it('a marker sits on each curve at z; arrows step z, a click on a plot sets it', async () => {
      const { page } = await openExplorer(browser, 'light', 'en', 'activations');
      await settled(page);
      const r = await readAt(page, '0.5');
      const markers = await page.$$eval('#view-activations svg[data-activation]', (svgs) => svgs.map((svg) => {
        const box = ['x', 'y', 'width', 'height'].map((k) => Number(svg.querySelector('.plot-area')!.getAttribute(k)));
        const [value, derivative] = ['value', 'derivative'].map((which) => svg.querySelector(`circle[data-marker="${which}"]`)!).map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
        return { name: svg.getAttribute('data-activation')!, box, value, derivative };
      }));
      for (const m of markers) {
        // the plot maps z ∈ [−5, 5] and y ∈ [−1.2, 2] onto its box
        const [bx, by, bw, bh] = m.box;
        const point = (y: number) => [bx + ((0.5 + 5) / 10) * bw, by + bh - ((y + 1.2) / 3.2) * bh];
        for (const [what, drawn] of [['value', m.value], ['derivative', m.derivative]] as const) {
          const [x, y] = point(at(r, m.name, what));
          near(drawn[0], x, 1e-6, `${m.name} ${what} marker x`);
          near(drawn[1], y, 1e-6, `${m.name} ${what} marker y`);
        }
      }
      await page.focus('#activation-z');
      await page.keyboard.press('ArrowUp');
      assert.equal((await readAt(page, '0.6'))['at'], 0.6, '↑ adds 0.1 (not 0.6000000000000001)');
      await page.keyboard.press('Shift+ArrowDown');
      assert.equal(await page.inputValue('#activation-z'), '-0.4');
      await page.waitForFunction(() => document.querySelector('#view-activations [data-quantity="activations.at"]')?.getAttribute('data-value') === '-0.4');
      // a click at z = −2 on the tanh plot
      const tanhPlot = page.locator('#view-activations svg[data-activation="tanh"]');
      await tanhPlot.scrollIntoViewIfNeeded();
      const position = await tanhPlot.evaluate((svg) => {
        const area = svg.querySelector('.plot-area')!;
        const [bx, by, bw, bh] = ['x', 'y', 'width', 'height'].map((k) => Number(area.getAttribute(k)));
        const p = new DOMPoint(bx + (3 / 10) * bw, by + bh / 2).matrixTransform((svg as SVGSVGElement).getScreenCTM()!);
        const rect = svg.getBoundingClientRect();
        return { x: p.x - rect.left, y: p.y - rect.top };
      });
      await tanhPlot.click({ position });
      await page.waitForFunction(() => document.querySelector('#view-activations [data-quantity="activations.at"]')?.getAttribute('data-value') === '-2');
      assert.equal(await page.inputValue('#activation-z'), '-2');
      await page.close();
    });

    for (const language of ['en', 'ko'] as const) {
      it(`a bad z (empty, "abc", huge) is said under the field and the last good z kept (${language})`, async () => {
        const { page, results, rejected } = await openExplorer(browser, 'dark', language, 'activations');
        await settled(page);
        const good = await readAt(page, '1.25');
        const sent = results.length;
        const problem = '#activation-z-problem';
        for (const [typed, english] of [
          ['', /^z is empty: type a number from −1000 to 1000\. The readout stays at z = 1\.25\.$/],
          ['abc', /^z: "abc" is not a number; .*The readout stays at z = 1\.25\.$/],
          ['1e400', /^z = 1e400 is outside −1000 to 1000\. The readout stays at z = 1\.25\.$/],
          ['5000', /^z = 5000 is outside −1000 to 1000\./],
          ['0x10', /is not a number/],
        ] as const) {
          await page.fill('#activation-z', typed);
          await page.waitForSelector(`${problem}:not([hidden])`);
          const said = (await page.textContent(problem))!;
          if (language === 'en') assert.match(said, english, `for "${typed}"`);
          else assert.ok(/[가-힣]/.test(said) && said.includes('1.25'), `Korean, naming the kept z, for "${typed}": ${said}`);
          assert.equal(await page.getAttribute('#activation-z', 'aria-invalid'), 'true');
          assert.deepEqual(await readout(page), good, 'the readout stays at the last good z');
        }
        assert.equal(results.length, sent, 'nothing was sent to the host for a bad z');
        // the field's message sits right under the field, not somewhere else on the page
        const [field, message] = await Promise.all(['#activation-z', problem].map((s) => page.$eval(s, (e) => e.getBoundingClientRect().toJSON() as DOMRect)));
        assert.ok(message.top >= field.bottom && message.top - field.bottom < 40, `message ${message.top} below the field ${field.bottom}`);
        await readAt(page, '−3', -3); // the minus sign the screen itself prints is read as one
        assert.equal(await page.isHidden(problem), true);
        assert.equal(await page.getAttribute('#activation-z', 'aria-invalid'), 'false');
        assert.deepEqual(rejected, []);
        await page.close();
      });
    }
  });

  it('norms: p = 0.5 is refused at its field with why (not drawn as p = 1); p = 1 is not listed twice', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'norms');
    await settled(page);
    const legends = () => page.$$eval('#view-norms .legend', (texts) => texts.map((t) => t.textContent));
    await page.fill('#norm-p', '0.5');
    await page.waitForSelector('#view-norms .error');
    assert.match((await page.textContent('#view-norms .error'))!, /^p = 0.5 is not a norm: .*Choose p ≥ 1\.$/);
    assert.equal(await page.getAttribute('#norm-p', 'aria-invalid'), 'true');
    assert.deepEqual(await legends(), []);
    await page.fill('#norm-p', '1');
    await page.waitForSelector('#view-norms svg');
    await settled(page);
    assert.deepEqual(await legends(), ['p=1', 'p=2', 'p=∞']);
    await page.fill('#norm-p', '4');
    await page.waitForFunction(() => document.querySelectorAll('#view-norms .legend').length === 4);
    assert.deepEqual(await legends(), ['p=1', 'p=2', 'p=4', 'p=∞']);
    assert.equal(await page.getAttribute('#norm-p', 'aria-invalid'), 'false');
    await page.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`race: every optimizer has a colour of its own (${theme})`, async () => {
      const { page } = await openExplorer(browser, theme, 'en', 'race');
      await settled(page);
      const keys = await page.$$eval('#view-race .key', (spans) => spans.map((span) => [span.textContent, getComputedStyle(span).color]));
      assert.equal(keys.length, 9);
      const byColour = new Map<string, string[]>();
      for (const [name, colour] of keys) byColour.set(colour!, [...(byColour.get(colour!) ?? []), name!]);
      assert.deepEqual([...byColour.values()].filter((names) => names.length > 1), [], 'optimizers sharing a colour');
      const strokes = await page.$$eval('#view-race .row > svg .plot-data path[class^="series-"]', (paths) => paths.map((p) => getComputedStyle(p).stroke));
      assert.equal(new Set(strokes).size, strokes.length);
      // Distinct strings are not enough: the theme's charts.orange and charts.yellow differ by ΔE 9.5 in
      // Light Modern, one colour to the eye. Two runners whose colours are closer than ΔE 25 must differ in dashes.
      const lines = await page.$$eval('#view-race .row > svg .plot-data path[class^="series-"]', (paths) => paths.map((p) => ({
        cls: p.getAttribute('class')!, stroke: getComputedStyle(p).stroke, dashes: getComputedStyle(p).strokeDasharray,
      })));
      const alike: string[] = [];
      for (let i = 0; i < lines.length; i++) {
        for (let j = i + 1; j < lines.length; j++) {
          const difference = deltaE(lines[i].stroke, lines[j].stroke);
          if (difference < 25 && lines[i].dashes === lines[j].dashes) alike.push(`${lines[i].cls} and ${lines[j].cls}: ΔE ${difference.toFixed(1)}, both ${lines[i].dashes}`);
        }
      }
      assert.deepEqual(alike, [], 'runners told apart by neither colour nor dashes');
      // The table's columns are the losses at steps 0 and 60, both written with subscripts (not "J₀" beside "J60").
      assert.deepEqual(await page.$$eval('#view-race table thead th', (cells) => cells.map((c) => c.textContent)), ['', 'J₀', 'J₆₀']);
      await page.close();
    });
  }

  for (const width of [420, 1600]) {
    for (const [theme, language] of [['light', 'en'], ['light', 'ko'], ['dark', 'en'], ['dark', 'ko']] as const) {
      it(`every view fits ${width} px (${theme}, ${language}): nothing wider than the page, nothing clipped or overlapping; writes <view>-${width}-${theme}-${language}.png`, async () => {
        const { page } = await openExplorer(browser, theme, language, 'norms', width);
        await settled(page);
        for (const view of EXPLORER_VIEWS) {
          await page.click(`#tab-${view}`);
          await page.waitForSelector(`#view-${view} svg`);
          await settled(page);
          await page.screenshot({ path: resolve(ARTIFACTS, `${view}-${width}-${theme}-${language}.png`), fullPage: true });
          const sticking = await page.$$eval(`#view-${view} *`, (elements, pageWidth) => elements.filter((e) => {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.right <= pageWidth + 0.5) return false;
            for (let a = e.parentElement; a; a = a.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return false;
            return true;
          }).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8), width);
          assert.deepEqual(sticking, [], `${view} at ${width} px`);
          assert.deepEqual(await layoutProblems(page), [], `${view} at ${width} px`);
          // Each key of a plot names something drawn in that plot in the key's shape (the noise plot's
          // measured std are dots; its key was a line).
          const unmatched: string[] = await page.evaluate(`[...document.querySelectorAll('#view-${view} svg text.legend')].map((label) => {
            const mark = label.previousElementSibling;
            if (!mark || !['line', 'circle'].includes(mark.tagName)) return null;
            const cls = mark.getAttribute('class').split(' ')[0];
            const shapes = mark.tagName === 'circle' ? 'circle' : 'path, line';
            const drawn = [...label.ownerSVGElement.querySelectorAll('.plot-data :is(' + shapes + ')')].some((e) => e.classList.contains(cls));
            return drawn ? null : label.textContent + ': no ' + mark.tagName + ' of class ' + cls + ' in the plot';
          }).filter((problem) => problem)`);
          assert.deepEqual(unmatched, [], `${view}: keys that match nothing drawn`);
          // No formula shows a raw TeX subscript ("‖x‖_p", "g_B"): the page draws it as a subscript.
          const raw = await page.$$eval(`#view-${view} :is(h2, th, p, figcaption, label)`, (nodes) => nodes.map((n) => n.textContent ?? '').filter((text) => /_\w/.test(text)));
          assert.deepEqual(raw, [], `${view}: text with an underscore subscript`);
        }
        await page.close();
      });
    }
  }

  it('steps backward through (2x + y)² node by node and ends with ∂z/∂x = 8x + 4y = 16', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'expression');
    await settled(page);
    // No edge runs through a node it does not join (y → + used to pass under the × node).
    const crossings: string[] = await page.evaluate(`(() => {
      const circles = [...document.querySelectorAll('#view-expression svg.graph circle')].map((c) => ({ x: +c.getAttribute('cx'), y: +c.getAttribute('cy'), r: +c.getAttribute('r') }));
      const out = [];
      for (const line of document.querySelectorAll('#view-expression svg.graph line.edge')) {
        const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => +line.getAttribute(a));
        for (const c of circles) {
          const t = Math.max(0, Math.min(1, ((c.x - x1) * (x2 - x1) + (c.y - y1) * (y2 - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2)));
          const distance = Math.hypot(x1 + t * (x2 - x1) - c.x, y1 + t * (y2 - y1) - c.y);
          if (distance < c.r + 2 && t > 0.01 && t < 0.99) out.push('edge ' + [x1, y1, x2, y2].map(Math.round).join(',') + ' passes ' + Math.round(distance) + ' px from the node at ' + Math.round(c.x) + ',' + Math.round(c.y));
        }
      }
      return out;
    })()`);
    assert.deepEqual(crossings, []);
    for (let k = 0; k < 3; k++) await page.click('#expr-step');
    const text = await page.textContent('#view-expression');
    assert.match(text!, /Backward pass complete/);
    assert.match(text!, /× upstream 8 = 16/);
    const cells = await page.$$eval('#view-expression table td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells, ['16', '8']); // ∂/∂x = 8·1 + 4·2, ∂/∂y = 4·1 + 2·2
    // The same numbers as marked (closed forms at x = 1, y = 2): z = (2x + y)² = 16, ∂z/∂x = 4(2x + y) = 16, ∂z/∂y = 2(2x + y) = 8.
    const shown = await marks(page, 'expression');
    assert.equal(shown['expression.gradients.x'], '16');
    assert.equal(shown['expression.gradients.y'], '8');
    assert.ok(Object.entries(shown).some(([q, v]) => /^expression\.nodes\[\d+\]\.value$/.test(q) && v === '16'), 'the output node z = 16 is marked');
    await page.screenshot({ path: resolve(ARTIFACTS, 'expression-complete-light-en.png'), fullPage: true });
    await page.close();
  });

  it('asks for a prediction before revealing, and says whether it was right', async () => {
    const { page } = await openExplorer(browser, 'dark', 'ko', 'expression');
    await settled(page);
    await page.check('#expr-predict');
    await page.fill('#expr-guess', '8'); // z = t²: 2t × 1 = 8 at t = 4
    await page.click('#expr-reveal');
    assert.equal(await page.textContent('.feedback'), '정답입니다!');
    await page.fill('#expr-guess', '3');
    await page.click('#expr-reveal');
    assert.match((await page.textContent('.feedback'))!, /답은 8입니다/);
    await page.screenshot({ path: resolve(ARTIFACTS, 'expression-predict-dark-ko.png'), fullPage: true });
    await page.close();
  });

  it('shows a parse error with its column and a caret under it', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'expression');
    await settled(page);
    await page.fill('#expr-source', '(2*x + y');
    await page.click('#expr-build');
    await page.waitForSelector('#view-expression .error');
    assert.match((await page.textContent('#view-expression .error'))!, /^Error at column 9: expected "\)" to close/);
    assert.equal(await page.textContent('pre.caret'), '(2*x + y\n        ^');
    await page.close();
  });

  /** Every marked number of `view`'s panel: data-quantity → data-value. */
  const marks = (page: Page, view: ExplorerView) =>
    page.$$eval(`#view-${view} [data-quantity]`, (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-quantity')!, n.getAttribute('data-value')!])));
  /** Waits until the mark `quantity` holds a number within 1e-9 of `near`. */
  const markNear = (page: Page, quantity: string, near: number) =>
    page.waitForFunction(([q, v]) => Math.abs(Number(document.querySelector(`[data-quantity="${q}"]`)?.getAttribute('data-value')) - (v as number)) < 1e-9, [quantity, near] as const);
  const close = (shown: string | undefined, expected: number, name: string) => {
    assert.ok(shown !== undefined, `${name} is not marked`);
    if (!Number.isFinite(expected)) return assert.equal(shown, String(expected), name);
    assert.ok(Math.abs(Number(shown) - expected) <= 1e-14 * Math.max(1, Math.abs(expected)), `${name}: ${shown} on screen, ${expected} by its closed form`);
  };

  it('information: every number is marked and equals its closed form (entropy, cross-entropy, KL, self-information), +∞ included', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'information');
    await settled(page);
    const p = [0.2, 0.3, 0.5];
    const q = [0.5, 0.25, 0.25];
    await page.fill('#info-p', p.join(', '));
    await page.fill('#info-q', q.join(', '));
    await markNear(page, 'information.selfInformationP[0]', -Math.log(0.2));
    let shown = await marks(page, 'information');
    const sum = (f: (i: number) => number) => p.reduce((s, _, i) => s + f(i), 0);
    close(shown['information.entropyP'], -sum((i) => p[i] * Math.log(p[i])), 'H(p)');
    close(shown['information.entropyQ'], -sum((i) => q[i] * Math.log(q[i])), 'H(q)');
    close(shown['information.crossEntropy'], -sum((i) => p[i] * Math.log(q[i])), 'H(p, q)');
    close(shown['information.kl'], sum((i) => p[i] * Math.log(p[i] / q[i])), 'D(p‖q)');
    p.forEach((pi, i) => close(shown[`information.selfInformationP[${i}]`], -Math.log(pi), `−log p${i + 1}`));
    assert.equal(Object.keys(shown).length, 4 + p.length, JSON.stringify(shown));
    // in bits: the same numbers over ln 2
    await page.check('#view-information input[type="checkbox"]');
    await markNear(page, 'information.selfInformationP[0]', -Math.log2(0.2));
    shown = await marks(page, 'information');
    close(shown['information.kl'], sum((i) => p[i] * Math.log2(p[i] / q[i])), 'D(p‖q) in bits');
    await page.uncheck('#view-information input[type="checkbox"]');
    // q = 0 where p > 0: cross-entropy and KL are +∞; the self-information of p = 0 is +∞
    await page.fill('#info-p', '1, 0, 0');
    await page.fill('#info-q', '0, 0.5, 0.5');
    await page.waitForFunction(() => document.querySelector('[data-quantity="information.kl"]')?.getAttribute('data-value') === 'Infinity');
    shown = await marks(page, 'information');
    assert.deepEqual(shown, {
      'information.entropyP': '0', 'information.entropyQ': String(Math.log(2)), 'information.crossEntropy': 'Infinity', 'information.kl': 'Infinity',
      'information.selfInformationP[0]': '0', 'information.selfInformationP[1]': 'Infinity', 'information.selfInformationP[2]': 'Infinity',
    });
    await page.close();
  });

  it('norms: every number is marked and equals its closed form (‖a‖_p, ‖a − b‖_p, cosine, Hamming)', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'norms');
    await settled(page);
    const a = [0.6, 0.8];
    const b = [1, 0];
    const d = a.map((v, i) => v - b[i]);
    const norm = (v: number[], p: number) => (p === Infinity ? Math.max(...v.map(Math.abs)) : v.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p));
    const shown = await marks(page, 'norms');
    [1, 2, 3, Infinity].forEach((p, i) => {
      close(shown[`norms.balls[${i}].normA`], norm(a, p), `‖a‖_${p}`);
      close(shown[`norms.balls[${i}].distance`], norm(d, p), `‖a − b‖_${p}`);
    });
    close(shown['norms.cosine'], (a[0] * b[0] + a[1] * b[1]) / (norm(a, 2) * norm(b, 2)), 'cosine');
    assert.equal(shown['norms.hamming'], '2');
    assert.equal(Object.keys(shown).length, 10, JSON.stringify(shown));
    // The dots of a and b are named beside them, in the dots' own places.
    const names = await page.$$eval('#view-norms text.vector-name', (texts) => texts.map((t) => t.textContent));
    assert.deepEqual(names, ['a', 'b']);
    await page.close();
  });

  it('race, loss surface, gradient noise and the expression graph: every marked number is the host\'s number at the path it names', async () => {
    for (const view of ['race', 'surface', 'noise', 'expression'] as const) {
      const { page, results } = await openExplorer(browser, 'light', 'en', view);
      await settled(page);
      // The expression graph shows its backward numbers as the learner reveals them: all of them.
      if (view === 'expression') while (await page.$('#expr-step')) await page.click('#expr-step');
      const result = results.filter((r) => r.view === view).at(-1)!;
      const shown = await marks(page, view);
      assert.ok(Object.keys(shown).length >= 1, `${view} marks no number`);
      for (const [quantity, value] of Object.entries(shown)) {
        assert.ok(quantity.startsWith(`${view}.`), quantity);
        const at = quantity.slice(view.length + 1).split(/[.[\]]+/).filter(Boolean).reduce<unknown>((o, key) => (o as Record<string, unknown>)?.[key], result);
        assert.equal(typeof at, 'number', `${quantity} names no number of the result`);
        assert.equal(value, String(at), quantity);
      }
      await page.close();
    }
  });

  it('shows +∞ for a cross-entropy and KL divergence against q = 0, and for the self-information of p = 0', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'information');
    await settled(page);
    await page.fill('#info-p', '1, 0, 0');
    await page.fill('#info-q', '0, 0.5, 0.5');
    await page.waitForFunction(() => /H\(p, q\)\s*\+∞/.test(document.querySelector('#view-information')?.textContent ?? ''));
    const rows = await page.$$eval('#view-information table tr', (trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    const row = (label: string) => rows.find((r) => r[0] === label)?.[1];
    assert.equal(row('Entropy H(p)'), '0');
    assert.equal(row('Cross-entropy H(p, q)'), '+∞', 'H(p, q) = −1·log 0 = +∞');
    assert.equal(row('KL divergence D(p‖q)'), '+∞');
    assert.deepEqual(rows.at(-1), ['0', '+∞', '+∞'], 'self-information −log p: 0 for p = 1, +∞ for p = 0');
    await page.close();
  });

  it('saves each view as SVG and PNG through the host\'s validator; the SVG holds the numbers of the view\'s tables', async () => {
    const { page, saved, rejected } = await openExplorer(browser, 'dark', 'en', 'race');
    await settled(page);
    for (const view of ['race', 'information', 'noise'] as const) {
      await page.click(`#tab-${view}`);
      await page.waitForSelector(`#view-${view} svg`);
      await settled(page);
      for (const format of ['svg', 'png'] as const) {
        const before = saved.length;
        await page.click(`#view-${view} button[data-export="${view}:${format}"]`);
        for (let i = 0; i < 100 && saved.length === before; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(saved.length, before + 1, `${view} ${format} reached the host`);
        const picture = saved[saved.length - 1];
        assert.deepEqual([picture.view, picture.format], [view, format]);
        const box = await page.$eval(`#view-${view}`, (e) => ({ width: Math.ceil(e.getBoundingClientRect().width), height: Math.ceil(e.getBoundingClientRect().height) }));
        if (format === 'png') {
          const bytes = Buffer.from(picture.data, 'base64');
          assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [box.width, box.height], 'the PNG is the view\'s size (pixel ratio 1)');
          writeFileSync(resolve(ARTIFACTS, `picture-${view}-dark.png`), bytes);
          continue;
        }
        const { problem, text } = await page.evaluate((svg) => {
          const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
          return { problem: doc.querySelector('parsererror')?.textContent ?? '', text: [...doc.querySelectorAll('text')].map((t) => t.textContent).join('\n') };
        }, picture.data);
        assert.equal(problem, '');
        const cells = await page.$$eval(`#view-${view} td`, (tds) => tds.map((td) => td.textContent ?? '').filter((s) => /\d/.test(s)));
        for (const cell of cells) assert.ok(text.includes(cell), `${view}: ${cell} is in the SVG`);
        assert.ok(!text.includes('SVG') && !text.includes('PNG'), 'the export buttons are left out');
      }
    }
    assert.deepEqual(rejected, []);
    await page.close();
  });

  it('marks a divergent step size', async () => {
    const { page } = await openExplorer(browser, 'light', 'en', 'surface');
    await settled(page);
    await page.fill('#surface-rate', '1');
    await page.fill('#view-surface input[max="500"]', '200');
    await page.click('#view-surface button:text("Run")');
    await page.waitForSelector('#view-surface .error');
    assert.match((await page.textContent('#view-surface .error'))!, /diverged/);
    // J reaches 1e12 before the run stops: every tick label still fits inside its plot.
    const outside = await page.$$eval('#view-surface svg.plot', (svgs) => svgs.flatMap((svg) => {
      const width = (svg as SVGSVGElement).viewBox.baseVal.width;
      return [...svg.querySelectorAll('.axis text')].map((t) => ({ text: t.textContent, box: (t as SVGTextElement).getBBox() }))
        .filter(({ box }) => box.x < 0 || box.x + box.width > width).map(({ text }) => text);
    }));
    assert.deepEqual(outside, []);
    await page.screenshot({ path: resolve(ARTIFACTS, 'surface-diverged-light-en.png'), fullPage: true });
    await page.close();
  });
});
