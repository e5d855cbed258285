// Predict, then reveal (issue 15 item 4), in Chromium with the host's real message builders over a
// real TrainingSession: before each Step Into the card asks about the number the next operation
// computes (the layer-field table says which operation computes the asked field, and it is the
// session's next operation); the revealed number equals an independent Trainer's; the score counts
// right answers.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector } from '../support/browserPage';
import { SessionHost, answerHost } from '../support/sessionHost';
import { runSteps, syntheticModel } from '../support/engineSteps';
import { layerField, parseTensorName } from '../../src/engine/layerFields';
import type { LayerRecord } from '../../src/engine/types';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';

const run = runSteps(syntheticModel([2, 4, 3, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 8), 2, 4);
const OUTPUT_LAYER = 2;


/** "layers[1].delta[0][2]" → the layer, field and indices of one number of a record. */
function parseQuantity(quantity: string): { layer: number; field: keyof LayerRecord; indices: number[] } {
  const match = /^(layers\[\d+\]\.[A-Za-z]+)((?:\[\d+\])+)$/.exec(quantity);
  assert.ok(match, `a record quantity: ${quantity}`);
  const { layer, field } = parseTensorName(match[1])!;
  return { layer, field: field as keyof LayerRecord, indices: [...match[2].matchAll(/\d+/g)].map((m) => Number(m[0])) };
}

describe('predict, then reveal (Chromium, the host\'s builders)', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let host: SessionHost;
  before(async () => {
    view = await openInspector({ theme: 'light', width: 1280, height: 1500 });
    host = SessionHost.open(run.model);
    await view.send(host.init());
    for (const m of await host.at(1)) await view.send(m);
  });
  after(async () => view?.close());

  it('asks about what each Step Into of step 2 computes, reveals the engine\'s number and keeps the score', async () => {
    await view.page.check('#predict-mode');
    await view.page.waitForSelector('#predict-question');
    const record = run.records[1]; // step 2, the independent Trainer's
    const phases: string[] = [];
    let right = 0;
    for (let op = 0; op < 6; op++) {
      const { quantity, phase } = await view.page.$eval('#predict-question', (e) => ({ quantity: (e as HTMLElement).dataset.quantity!, phase: (e as HTMLElement).dataset.phase! }));
      // The question is about the operation the session runs next …
      const next = host.session.position.next ?? { kind: 'forward', layer: 0 };
      assert.equal(phase, next.kind, `op ${op}: the question's operation`);
      // … and its field is one that operation computes (the loss fills the output layer's ∂J/∂a).
      const { layer, field, indices } = parseQuantity(quantity);
      const computes = field === 'upstream' && layer === OUTPUT_LAYER ? 'loss' : layerField(field)!.computedBy;
      assert.equal(computes, next.kind, `op ${op}: ${quantity} is computed by ${next.kind}`);
      if (next.kind !== 'loss' && next.kind !== 'update') assert.equal(layer, (next as { layer: number }).layer);
      phases.push(`${phase}:${quantity}`);
      const reference = record.layers[layer];
      const width = field === 'updateWeights' ? reference.inputs : reference.units;
      const expected = (reference[field] as Float64Array)[indices[0] * width + indices[1]];
      const sign = expected > 0 ? '+' : expected < 0 ? '−' : '0';
      // Right on even operations, wrong on odd ones.
      const guess = op % 2 === 0 ? sign : sign === '+' ? '−' : '+';
      if (guess === sign) right++;
      const from = view.posted.length;
      await view.page.click(`#predict-question button[data-sign="${guess}"]`);
      assert.deepEqual(view.posted.slice(from).find((m) => m.type === 'command'), { type: 'command', command: { name: 'stepInto' } });
      await answerHost(view, host, from);
      await view.page.waitForSelector('#predict-reveal');
      const revealed = await view.page.$eval('#predict-answer', (e) => ({ value: Number((e as HTMLElement).dataset.value), quantity: e.getAttribute('data-quantity'), correct: e.closest('#predict-reveal')!.getAttribute('data-correct') }));
      assert.equal(revealed.value, expected, `op ${op}: ${quantity} revealed`);
      assert.equal(revealed.quantity, quantity);
      assert.equal(revealed.correct, String(guess === sign));
      const score = await view.page.$eval('#predict-score', (e) => [Number((e as HTMLElement).dataset.right), Number((e as HTMLElement).dataset.answered)]);
      assert.deepEqual(score, [right, op + 1]);
      if (op === 3) await view.page.locator('#predict').screenshot({ path: resolve(ARTIFACTS, 'predict-light.png') });
    }
    assert.deepEqual(phases.map((p) => p.split(':')[0]), ['forward', 'forward', 'forward', 'loss', 'backward', 'backward']);
    assert.equal(host.session.position.step, 2);
  });

  it('Korean, dark and 420 px screenshots of a question', async () => {
    const bundle = JSON.parse(readFileSync(resolve(__dirname, '../../l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
    const korean = Object.fromEntries(WEBVIEW_STRINGS.map((text) => [text, bundle[text] ?? text]));
    for (const [name, theme, width, strings, lang] of [['dark-ko', 'dark', 1280, korean, 'ko'], ['420-light', 'light', 420, {}, 'en']] as const) {
      const page = await openInspector({ theme, width, height: 1500, lang });
      try {
        const h = SessionHost.open(run.model);
        await page.send(h.init(strings, lang));
        for (const m of await h.at(1)) await page.send(m);
        await page.page.check('#predict-mode');
        await page.page.waitForSelector('#predict-question');
        await page.page.locator('#predict').screenshot({ path: resolve(ARTIFACTS, `predict-${name}.png`) });
        if (lang === 'ko') assert.match(await page.page.textContent('#predict-question') ?? '', /부호/);
        assert.ok(await page.page.$eval('#predict', (e) => e.getBoundingClientRect().right <= document.documentElement.clientWidth), 'the card fits');
      } finally {
        await page.close();
      }
    }
  });
});
