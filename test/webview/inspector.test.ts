// The inspector bundle in headless Chromium, fed by a stand-in host from real engine output.
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { ARTIFACTS, type InspectorPage, openInspector } from '../support/browserPage';
import { StandInHost } from '../support/standInHost';
import { runSteps, syntheticModel } from '../support/engineSteps';
import type { WebviewMessage } from '../../src/protocol/messages';
import { encodeRecord } from '../../src/protocol/traceCodec';

const BATCH = 4;
const run = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 16), 6, BATCH);

async function answerHost(view: InspectorPage, host: StandInHost, from: number): Promise<void> {
  for (const message of view.posted.slice(from)) for (const reply of host.handle(message)) await view.send(reply);
}

const value = (view: InspectorPage, selector: string) => view.page.$eval(selector, (e) => (e as HTMLElement).dataset.value ?? '');

describe('inspector webview (Chromium)', function () {
  this.timeout(60000);
  let view: InspectorPage;
  let host: StandInHost;
  before(async () => {
    view = await openInspector({ theme: 'light' });
    host = new StandInHost(run, BATCH);
    await view.send(host.init());
    await view.send(host.step(6));
    await view.send(host.dataView(6));
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

  it('rejects malformed host messages with a protocolError and keeps the view', async () => {
    const before = await value(view, '#loss-value');
    const from = view.posted.length;
    const good = host.step(3);
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

describe('inspector screenshots (light, dark, Korean)', function () {
  this.timeout(60000);
  const KOREAN: Record<string, string> = {
    Step: '스텝', 'Step Into': '한 연산씩', 'Step Back': '뒤로', Run: '실행', Pause: '일시 정지', 'Run Epoch': '에포크 실행', Reset: '초기화',
    Network: '네트워크', 'Layer detail': '층 상세', 'Chain rule': '연쇄 법칙', Loss: '손실', Data: '데이터', Optimizer: '옵티마이저',
    'Step {0}': '스텝 {0}', 'Epoch {0}': '에포크 {0}', 'Batch {0} of {1}': '배치 {0}/{1}', 'Next: {0}': '다음: {0}', 'step complete': '스텝 완료',
    Value: '값', Gradient: '기울기', Update: '갱신', Show: '표시', Input: '입력', Output: '출력', 'Layer {0}': '층 {0}',
    'Batch mean': '배치 평균', 'Sample {0}': '샘플 {0}', Numbers: '숫자', Heatmap: '히트맵', 'computed once': '한 번만 계산', product: '곱',
    'finite difference': '유한 차분', 'relative error': '상대 오차', agrees: '일치', 'data part': '데이터 항', 'mean over samples': '샘플 평균',
    'regularization part': '정규화 항', factor: '인수', mean: '평균', 'Batch loss before the update': '갱신 전 배치 손실',
    'Batch loss after the update': '갱신 후 배치 손실', 'data loss': '데이터 손실', regularization: '정규화', 'History: step {0} of {1}': '기록: 스텝 {0}/{1}',
    '{0} steps/s': '초당 {0} 스텝',
  };
  for (const [name, theme, strings, locale] of [['light', 'light', {}, 'en'], ['dark', 'dark', {}, 'en'], ['korean', 'dark', KOREAN, 'ko']] as const) {
    it(`writes test-artifacts/webview/inspector-${name}.png`, async () => {
      const view = await openInspector({ theme, lang: locale, width: 1280, height: 1500 });
      try {
        const host = new StandInHost(run, BATCH);
        await view.send(host.init(strings, locale));
        await view.send(host.step(6));
        await view.send(host.dataView(6));
        const from = view.posted.length;
        await view.page.focus('[data-param="w:1:2:3"]');
        await view.page.keyboard.press('Enter');
        await answerHost(view, host, from);
        const file = resolve(ARTIFACTS, `inspector-${name}.png`);
        await view.page.screenshot({ path: file, fullPage: true });
        if (locale === 'ko') assert.match(await view.page.textContent('#step') ?? '', /스텝/);
      } finally {
        await view.close();
      }
    });
  }
});
