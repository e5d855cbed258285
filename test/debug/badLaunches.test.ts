// Bad models through the stdio debug adapter over DAP (issue 11, item 3): every launch is
// answered, a bad one with an error response carrying the located message, and the adapter
// stays alive to answer the requests that follow.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { TINY_MODEL } from '../support/models';

const adapter = join(__dirname, '..', '..', 'dist', 'debugAdapter.js');

const base = TINY_MODEL;

/** Each bad model as text, with what its error response must say and where. */
const BAD: { name: string; text: string; location: RegExp; words: RegExp }[] = [
  {
    name: 'Newton over its parameter limit',
    text: JSON.stringify({ ...base, layers: [{ units: 600, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], optimizer: { type: 'newton' } }, null, 2),
    location: /model\.backprop\.json:\d+:\d+: error: optimizer\.type/,
    words: /"newton" works on networks of at most 1,000 weights and biases; this network has 2,401/,
  },
  {
    name: 'JSON nested 10,000 deep',
    text: `{"inputs": 2, "x": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    location: /model\.backprop\.json:1:\d+: error: /,
    words: /nested more than 16 deep/,
  },
  {
    name: 'Levenberg–Marquardt with l1 regularization',
    text: JSON.stringify({ ...base, regularization: { l1: 0.01 }, optimizer: { type: 'levenberg-marquardt' } }, null, 2),
    location: /model\.backprop\.json:\d+:\d+: error: regularization\.l1/,
    words: /an l1 penalty \|w\| is not one/,
  },
  {
    name: 'a 1e6 × 4096 full batch',
    text: JSON.stringify({ ...base, inputs: 4096, data: { generator: 'linear', samples: 1_000_000 }, batch: { mode: 'batch' } }, null, 2),
    location: /model\.backprop\.json:\d+:\d+: error: data\.samples/,
    words: /must be ≤ 100000, found 1000000/,
  },
  {
    name: 'a 1e5 × 4096 full batch',
    text: JSON.stringify({ ...base, inputs: 4096, data: { generator: 'linear', samples: 100_000 }, batch: { mode: 'batch' } }, null, 2),
    location: /model\.backprop\.json:\d+:\d+: error: data\.samples/,
    words: /more than the limit of 10,000,000 for a dataset/,
  },
  {
    name: 'a full batch of 1e5 samples through 4,096 units',
    text: JSON.stringify({ ...base, layers: [{ units: 4096, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', data: { generator: 'xor', samples: 100_000 }, batch: { mode: 'batch' } }, null, 2),
    location: /model\.backprop\.json:\d+:\d+: error: layers\[0\]\.units/,
    words: /one forward pass over the 100,000 samples of a split .* would hold [\d,]+ numbers, more than the limit of 32,000,000/,
  },
  {
    name: 'a full batch of 3,000 samples through 4,096 units (one step over the CPU bound)',
    text: JSON.stringify({ ...base, layers: [{ units: 4096, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', data: { generator: 'xor', samples: 3_000 }, batch: { mode: 'batch' } }, null, 2),
    location: /model\.backprop\.json:\d+:\d+: error: batch\.mode/,
    words: /one step is estimated at [\d.]+ s of CPU, more than the limit of 2 s/,
  },
];

describe('debug adapter: bad launches (DAP over stdio)', function () {
  this.timeout(60_000);
  let dc: DebugClient;
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'backprop-dap-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    dc = new DebugClient(process.execPath, adapter, 'backprop');
    dc.defaultTimeout = 30_000;
    await dc.start();
  });
  afterEach(async () => {
    await dc.stop();
  });

  for (const bad of BAD) {
    it(`${bad.name}: an error response with the located message, then the adapter still answers`, async () => {
      const model = join(dir, 'model.backprop.json');
      writeFileSync(model, bad.text);
      await dc.initializeRequest();
      await assert.rejects(dc.launch({ model, stopOnEntry: true }), (error: Error) => {
        assert.match(error.message, bad.location);
        assert.match(error.message, bad.words);
        assert.doesNotMatch(error.message, /Maximum call stack|\n\s+at /);
        return true;
      });
      // `next` without a running model is answered with an error, not a crash.
      await assert.rejects(dc.nextRequest({ threadId: 1 }), (error: Error) => /next: /.test(error.message));
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
    });
  }

  it('a data path outside the model\'s folder is refused by name, its content never shown', async () => {
    const model = join(dir, 'model.backprop.json');
    writeFileSync(model, JSON.stringify({ ...base, data: { csv: '/proc/self/environ', target: 'label' } }, null, 2));
    await dc.initializeRequest();
    await assert.rejects(dc.launch({ model, stopOnEntry: true }), (error: Error) => {
      assert.match(error.message, /data\.csv: "\/proc\/self\/environ" is outside the folder data files are read from \(".*"\); a data path must lead/);
      assert.doesNotMatch(error.message, /PATH=|HOME=/);
      return true;
    });
  });
});
