// Issue 10 items 6 and 7 on the rendered page: one per-sample derivative convention (derivatives
// of the batch loss J, with its 1/N) in layer detail and the chain rule alike, the identities a
// learner can form from what is on screen, and one index convention (the lecture's, from 1).
// Every number is read from the page (data-value) and held against closed forms: f and f′ of the
// activations, (p − t)/N, sums over the samples, and central differences of J.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type InspectorPage, openInspector } from '../support/browserPage';
import { SessionHost, answerHost, choose } from '../support/sessionHost';
import { WEBVIEW_STRINGS } from '../../src/protocol/webviewStrings';
import type { ModelFile } from '../../src/engine/types';

const model = JSON.parse(readFileSync(resolve(__dirname, '../../examples/xor.backprop.json'), 'utf8')) as ModelFile;
const STEP = 212; // the step the issue names
const N = 2; // mini-batches of two
const L2 = 0.001;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const ACTIVATION = [
  { f: (z: number) => Math.max(0, z), df: (z: number) => (z > 0 ? 1 : 0) }, // ReLU, ReLU′(0) = 0
  { f: sigmoid, df: (z: number) => sigmoid(z) * (1 - sigmoid(z)) },
];
const INPUTS = [2, 3];
const UNITS = [3, 1];
const close = (a: number, b: number, what: string, tolerance = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('one derivative convention and one index convention on the page (Chromium, XOR step 212)', function () {
  this.timeout(120000);
  let view: InspectorPage;
  let host: SessionHost;
  const clickParameter = async (param: string) => {
    const from = view.posted.length;
    await view.page.focus(`[data-param="${param}"]`);
    await view.page.keyboard.press('Enter');
    await answerHost(view, host, from);
  };
  /** Every marked number on the page, by its data-quantity. */
  const screen = async (): Promise<Map<string, number>> =>
    new Map((await view.page.$$eval('[data-quantity]', (nodes) => nodes.map((n) => [n.getAttribute('data-quantity')!, n.getAttribute('data-value')!] as const)))
      .map(([q, v]) => [q, Number(v)]));
  const read = (numbers: Map<string, number>, quantity: string) => {
    const value = numbers.get(quantity);
    assert.ok(value !== undefined, `${quantity} is not on the page`);
    return value;
  };

  before(async () => {
    view = await openInspector({ theme: 'light' });
    host = SessionHost.open(model);
    await view.send(host.init(Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]))));
    for (const message of await host.at(STEP)) await view.send(message);
  });
  after(async () => view?.close());

  it('output unit, sample 1: layer detail\'s δ, the chain rule\'s factor and (p − t)/N are one number', async () => {
    await view.page.click('#layer-tab-1');
    await choose(view, host, '#sample-select', '0');
    await clickParameter('w:1:0:0');
    const numbers = await screen();
    const delta = read(numbers, 'layers[1].delta[0][0]');
    assert.equal(read(numbers, 'chainRule.factors[0].perSample[0]'), delta, 'the chain rule\'s ∂J/∂z²₁ of sample 1 is layer detail\'s δ');
    const p = read(numbers, 'layers[1].a[0][0]');
    const t = (model.data as { y: number[][] }).y[host.record(STEP).batch[0]][0];
    close(delta, (p - t) / N, 'δ = (p − t)/N (sigmoid with binary cross-entropy)', 1e-15);
  });

  it('Sample i: a = f(z), δ = ∂J/∂a ⊙ f′(z), and Σᵢ δᵢ·xᵢᵀ + 2λ₂W = ∂J/∂W, Σᵢ δᵢ = ∂J/∂b', async () => {
    for (const l of [0, 1]) {
      await view.page.click(`#layer-tab-${l}`);
      const sum = new Float64Array(UNITS[l] * INPUTS[l]);
      const deltaSum = new Float64Array(UNITS[l]);
      for (let i = 0; i < N; i++) {
        await choose(view, host, '#sample-select', String(i));
        const numbers = await screen();
        for (let m = 0; m < UNITS[l]; m++) {
          const z = read(numbers, `layers[${l}].z[${i}][${m}]`);
          const delta = read(numbers, `layers[${l}].delta[${i}][${m}]`);
          close(read(numbers, `layers[${l}].a[${i}][${m}]`), ACTIVATION[l].f(z), `a = f(z), layer ${l} sample ${i} unit ${m}`);
          close(delta, read(numbers, `layers[${l}].upstream[${i}][${m}]`) * ACTIVATION[l].df(z), `δ = ∂J/∂a · f′(z), layer ${l} sample ${i} unit ${m}`);
          deltaSum[m] += delta;
          for (let n = 0; n < INPUTS[l]; n++) {
            const part = read(numbers, `contribution(layers[${l}].gradWeights, ${i})[${m}][${n}]`);
            close(part, delta * read(numbers, `layers[${l}].input[${i}][${n}]`), `sample ${i}'s contribution`);
            sum[m * INPUTS[l] + n] += part;
          }
        }
      }
      const numbers = await screen();
      for (let m = 0; m < UNITS[l]; m++) {
        close(deltaSum[m], read(numbers, `layers[${l}].gradBias[${m}]`), `Σᵢ δᵢ = ∂J/∂b, layer ${l} unit ${m}`);
        for (let n = 0; n < INPUTS[l]; n++) {
          const w = read(numbers, `layers[${l}].weights[${m}][${n}]`);
          close(sum[m * INPUTS[l] + n] + 2 * L2 * w, read(numbers, `layers[${l}].gradWeights[${m}][${n}]`), `Σᵢ δᵢxᵢᵀ + 2λ₂W = ∂J/∂W, layer ${l} [${m}][${n}]`);
        }
      }
    }
  });

  it('the chain rule\'s Σ over samples plus its regularization part is layer detail\'s ∂J/∂w, as central differences of J say', async () => {
    await view.page.click('#layer-tab-0');
    await clickParameter('w:0:2:1');
    const numbers = await screen();
    const products = [0, 1].map((i) => read(numbers, `chainRule.product.perSample[${i}]`));
    close(products[0] + products[1], read(numbers, 'chainRule.product.sum'), 'Σᵢ of the per-sample products');
    const gradient = read(numbers, 'layers[0].gradWeights[2][1]');
    close(read(numbers, 'chainRule.product.sum') + read(numbers, 'chainRule.regularization.value'), gradient, 'chain rule = layer detail\'s ∂J/∂w');
    close(read(numbers, 'chainRule.regularization.value'), 2 * L2 * read(numbers, 'layers[0].weights[2][1]'), '2λ₂w');
    close(read(numbers, 'chainRule.finiteDifference.numeric'), gradient, 'central difference of J', 1e-6);
  });

  it('Batch mean: the relations the titles state hold (z̄ = W·x̄ + b, N·δ̄ = ∂J/∂b), and ā is not called f(z̄)', async () => {
    await view.page.click('#layer-tab-0');
    await choose(view, host, '#sample-select', 'mean');
    const numbers = await screen();
    for (let m = 0; m < UNITS[0]; m++) {
      let z = read(numbers, `layers[0].bias[${m}]`);
      for (let n = 0; n < INPUTS[0]; n++) z += read(numbers, `layers[0].weights[${m}][${n}]`) * read(numbers, `mean(layers[0].input)[${n}]`);
      close(read(numbers, `mean(layers[0].z)[${m}]`), z, `z̄ = W·x̄ + b, unit ${m}`);
      close(N * read(numbers, `mean(layers[0].delta)[${m}]`), read(numbers, `layers[0].gradBias[${m}]`), `N·δ̄ = ∂J/∂b, unit ${m}`);
    }
    const title = (block: string) => view.page.$eval(`[data-block="${block}"] .q-title`, (e) => e.textContent);
    assert.equal(await title('a'), 'batch mean ā = (1/N) Σᵢ f(zᵢ), not f(z̄)');
    assert.equal(await title('z'), 'batch mean z̄ = W·x̄ + b');
    assert.equal(await view.page.$('[data-block="contribution"]'), null, 'no per-sample contribution in the batch mean');
    assert.match((await view.page.textContent('#derivative-convention'))!, /derivatives of the batch loss J = \(1\/N\) Σᵢ ℓᵢ/);
  });

  it('indices as in the lecture: W\'s rows and columns count from 1, the chain rule writes w¹₂₃ for layers[0].weights[2][1], the path on hover', async () => {
    await view.page.click('#layer-tab-0');
    await choose(view, host, '#detail-mode', 'numbers');
    const cell = await view.page.$eval('[data-block="weights"] td[data-quantity="layers[0].weights[2][1]"]', (td) => {
      const row = td.parentElement!;
      const table = row.parentElement!.closest('table')!;
      const column = Array.from(row.children).indexOf(td);
      return {
        title: (td as HTMLElement).title, value: td.getAttribute('data-value'),
        rowHeader: row.firstElementChild!.textContent, columnHeader: table.rows[0].cells[column].textContent, corner: table.rows[0].cells[0].textContent,
      };
    });
    assert.deepEqual({ row: cell.rowHeader, column: cell.columnHeader, corner: cell.corner }, { row: '3', column: '2', corner: 'm╲n' }, 'unit m = 3 (row), input n = 2 (column)');
    assert.equal(cell.title, `layers[0].weights[2][1] = ${cell.value}`);
    assert.equal(await view.page.textContent('#chain-rule .chain-head .param'), 'w¹₂₃');
    assert.equal(await view.page.textContent('#chain-rule .chain-head code'), 'layers[0].weights[2][1]');
    assert.equal(await view.page.getAttribute('[data-param="w:0:2:1"]', 'aria-label'), 'Weight w¹₂₃ (layers[0].weights[2][1])');
    assert.match((await view.page.textContent('#index-convention'))!, /Indices count from 1/);
    // The output layer's W is 1×3: a matrix of one row (unit 1), not a column like a vector.
    await view.page.click('#layer-tab-1');
    const shape = await view.page.$eval('[data-block="weights"] table', (table) => Array.from((table as HTMLTableElement).rows, (r) => Array.from(r.cells, (c) => c.textContent)));
    assert.deepEqual(shape.map((r) => r.length), [4, 4]);
    assert.deepEqual([shape[0].slice(1), shape[1][0]], [['1', '2', '3'], '1']);
  });
});

describe('the softmax Jacobian product on the page (Chromium)', function () {
  this.timeout(120000);
  it('δᵢ = J(zᵢ)ᵀ·∂J/∂aᵢ with ∂aₖ/∂zₘ = aₖ(1[k = m] − aₘ) in closed form, and a = softmax(z)', async () => {
    const softmaxModel = {
      name: 'softmax', seed: 3, inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 3, activation: 'softmax' }],
      loss: 'cross-entropy', optimizer: { type: 'sgd', learningRate: 0.5 },
      data: { x: [[0.2, -1], [1.5, 0.3], [-0.7, 0.9], [0.1, 0.1]], y: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]] },
      split: { train: 1, validation: 0, test: 0 }, batch: { mode: 'batch', shuffle: false },
    };
    const host = SessionHost.open(softmaxModel as ModelFile);
    const view = await openInspector({ theme: 'light' });
    try {
      await view.send(host.init(Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s]))));
      for (const message of await host.at(3)) await view.send(message);
      await view.page.click('#layer-tab-1');
      for (let i = 0; i < 4; i++) {
        const from = view.posted.length;
        await view.page.selectOption('#sample-select', String(i));
        await answerHost(view, host, from);
        const numbers = new Map((await view.page.$$eval('[data-quantity]', (nodes) => nodes.map((n) => [n.getAttribute('data-quantity')!, Number(n.getAttribute('data-value'))] as const))));
        const get = (q: string) => {
          assert.ok(numbers.has(q), `${q} is not on the page`);
          return numbers.get(q)!;
        };
        const z = [0, 1, 2].map((m) => get(`layers[1].z[${i}][${m}]`));
        const a = [0, 1, 2].map((m) => get(`layers[1].a[${i}][${m}]`));
        const norm = z.reduce((sum, v) => sum + Math.exp(v), 0);
        a.forEach((v, m) => close(v, Math.exp(z[m]) / norm, `a = softmax(z), sample ${i} unit ${m}`));
        for (let m = 0; m < 3; m++) {
          let delta = 0;
          for (let k = 0; k < 3; k++) {
            const jacobian = a[k] * ((k === m ? 1 : 0) - a[m]);
            close(get(`layers[1].localGrad[${i}][${k}][${m}]`), jacobian, `∂a${k}/∂z${m}, sample ${i}`);
            delta += get(`layers[1].upstream[${i}][${k}]`) * jacobian;
          }
          close(get(`layers[1].delta[${i}][${m}]`), delta, `δ = Jᵀ·∂J/∂a, sample ${i} unit ${m}`);
        }
      }
    } finally {
      await view.close();
    }
  });
});
