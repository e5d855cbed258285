// Model files: every bad input of issue 2 item 8 gets one message naming the JSON path, placed at
// the right line/column of the text; good files (the issue's example, every example) pass.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_PARAMETERS, parseModelFile } from '../../src/engine/model';
import type { Diagnostic } from '../../src/engine/types';

// The example of issue 2 item 6, laid out one field per line so positions are easy to state.
const GOOD = `{
  "name": "XOR",
  "seed": 42,
  "inputs": 2,
  "layers": [
    { "units": 3, "activation": "relu", "weights": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "bias": [0, 0, 0] },
    { "units": 1, "activation": "sigmoid" }
  ],
  "loss": "binary-cross-entropy",
  "regularization": { "l1": 0, "l2": 0.001 },
  "optimizer": { "type": "sgd", "learningRate": 0.1, "momentum": 0.9 },
  "data": { "x": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [[0], [1], [1], [0]] },
  "split": { "train": 1, "validation": 0, "test": 0 },
  "batch": { "mode": "mini-batch", "size": 2, "shuffle": false }
}`;

/** Line and column (1-based) of the n-th occurrence of `needle`, counted by hand from the text. */
function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let offset = -1;
  for (let k = 0; k < occurrence; k++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `test setup: ${needle} not in text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function replaced(from: string, to: string): string {
  assert.ok(GOOD.includes(from), `test setup: ${from} not in GOOD`);
  return GOOD.replace(from, to);
}

/** Exactly one error, at `path`, whose message names the path and contains `words`. */
function expectOneError(text: string, path: string, words: RegExp, at?: string, occurrence = 1): Diagnostic {
  const { model, diagnostics } = parseModelFile(text);
  assert.equal(model, undefined, 'a file with an error must not produce a model');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, `expected one error, got ${JSON.stringify(errors, null, 1)}`);
  const [d] = errors;
  assert.equal(d.path, path);
  if (path) assert.ok(d.message.startsWith(`${path}:`), `message should name ${path}: ${d.message}`);
  assert.match(d.message, words);
  if (at) {
    const expected = positionOf(text, at, occurrence);
    assert.deepEqual({ line: d.line, column: d.column }, expected, d.message);
    assert.equal(text.slice(d.offset!, d.offset! + at.length), at);
  }
  return d;
}

describe('parseModelFile', () => {
  it('accepts the example of issue 2 without diagnostics', () => {
    const { model, diagnostics } = parseModelFile(GOOD);
    assert.deepEqual(diagnostics, []);
    assert.equal(model?.layers[0].weights?.[2][1], 0.6);
  });

  it('accepts every file in examples/', () => {
    const dir = join(__dirname, '..', '..', 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.backprop.json'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const { model, diagnostics } = parseModelFile(readFileSync(join(dir, f), 'utf8'));
      assert.ok(model, `${f}: ${JSON.stringify(diagnostics)}`);
    }
  });

  describe('bad input: one message naming the place', () => {
    it('empty file', () => {
      const d = expectOneError('  \n', '', /the file is empty/);
      assert.deepEqual([d.line, d.column], [1, 1]);
    });

    it('malformed JSON: missing comma, at the token that needed it', () => {
      const text = replaced('"seed": 42,', '"seed": 42');
      expectOneError(text, '', /expected a comma/, '"inputs"');
    });

    it('malformed JSON: trailing comma, located at the comma to remove', () => {
      const text = replaced('"shuffle": false }', '"shuffle": false, }');
      const d = expectOneError(text, '', /trailing comma/);
      assert.deepEqual([d.line, d.column, d.length], [positionOf(text, ', }').line, positionOf(text, ', }').column, 1]);
    });

    it('malformed JSON: comments are refused', () => {
      expectOneError(replaced('"seed": 42,', '"seed": 42, // answer'), '', /comments are not allowed/, '// answer');
    });

    it('a JSON value that is not an object', () => {
      expectOneError('[1, 2]', '', /one JSON object/);
    });

    it('unknown activation, with a suggestion', () => {
      expectOneError(replaced('"relu"', '"rleu"'), 'layers[0].activation', /unknown activation "rleu"; did you mean "relu"\?.*"leaky-relu"/, '"rleu"');
    });

    it('unknown loss', () => {
      expectOneError(replaced('"binary-cross-entropy"', '"hinge"'), 'loss', /unknown loss "hinge".*"cross-entropy"/, '"hinge"');
    });

    it('unknown optimizer', () => {
      expectOneError(replaced('"type": "sgd"', '"type": "adamax"'), 'optimizer.type', /unknown optimizer type "adamax".*"adam"/, '"adamax"');
    });

    it('a hyperparameter the optimizer does not have', () => {
      expectOneError(replaced('"type": "sgd"', '"type": "adam"'), 'optimizer.momentum', /"adam" has no hyperparameter "momentum".*"betas"/, '"momentum"');
    });

    it('weights with the wrong number of rows', () => {
      const text = replaced('[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]', '[[0.1, -0.2], [0.3, 0.4]]');
      expectOneError(text, 'layers[0].weights', /2 rows but the layer has 3 units.*\[out\]\[in\]/, '[[0.1, -0.2], [0.3, 0.4]]');
    });

    it('a weight row of the wrong width', () => {
      const text = replaced('[0.3, 0.4]', '[0.3, 0.4, 0.5]');
      expectOneError(text, 'layers[0].weights[1]', /3 numbers but the layer has 2 inputs/, '[0.3, 0.4, 0.5]');
    });

    it('transposed weights are recognized as such', () => {
      const text = replaced('[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]', '[[0.1, 0.3, -0.5], [-0.2, 0.4, 0.6]]');
      expectOneError(text, 'layers[0].weights', /looks transposed/);
    });

    it('a bias of the wrong length', () => {
      expectOneError(replaced('"bias": [0, 0, 0]', '"bias": [0, 0]'), 'layers[0].bias', /2 numbers but the layer has 3 units/, '[0, 0]');
    });

    it('data rows of the wrong width', () => {
      expectOneError(replaced('[0, 1], [1, 0]', '[0, 1, 5], [1, 0]'), 'data.x[1]', /3 numbers but "inputs" is 2/, '[0, 1, 5]');
    });

    it('target rows of the wrong width', () => {
      expectOneError(replaced('"y": [[0], [1]', '"y": [[0, 1], [1]'), 'data.y[0]', /2 numbers but the output layer's units/, '[0, 1]', 2);
    });

    it('mismatched x/y lengths', () => {
      expectOneError(replaced('[[0], [1], [1], [0]]', '[[0], [1], [1]]'), 'data.y', /3 rows but data.x has 4/, '[[0], [1], [1]]');
    });

    it('a number written as a string', () => {
      expectOneError(replaced('"inputs": 2', '"inputs": "2"'), 'inputs', /expected a whole number, found "2"; write 2 without quotes/, '"2"');
    });

    it('a non-number in the data', () => {
      expectOneError(replaced('[1, 0]', '[1, "zero"]'), 'data.x[2][1]', /expected a number, found "zero"/, '"zero"');
    });

    it('a number too large for float64', () => {
      expectOneError(replaced('"l2": 0.001', '"l2": 1e999'), 'regularization.l2', /too large for a float64/, '1e999');
    });

    it('a negative learning rate', () => {
      expectOneError(replaced('"learningRate": 0.1', '"learningRate": -0.1'), 'optimizer.learningRate', /must be > 0, found -0.1/, '-0.1');
    });

    it('batch size 0', () => {
      expectOneError(replaced('"size": 2', '"size": 0'), 'batch.size', /must be ≥ 1, found 0/, '0, "shuffle"');
    });

    it('split ratios over 1', () => {
      expectOneError(replaced('"validation": 0,', '"validation": 0.3,'), 'split', /sum to 1/, '"split"');
    });

    it('split ratios under 1 suggest the missing share', () => {
      expectOneError(replaced('"train": 1, "validation": 0, "test": 0', '"train": 0.8'), 'split', /add "test": 0.2/);
    });

    it('absurd layer sizes: the parameter limit', () => {
      const text = replaced('"inputs": 2', '"inputs": 4000').replace(/"weights": .*?"bias": \[0, 0, 0\]/, '"units": 4000').replace('{ "units": 3, "activation": "relu", "units": 4000 }', '{ "units": 4000, "activation": "relu" }');
      const wide = text.replace('"x": [[0, 0], [0, 1], [1, 0], [1, 1]]', `"x": [${Array(4).fill(`[${Array(4000).fill(0).join(',')}]`).join(',')}]`);
      const d = expectOneError(wide, 'layers[0].units', new RegExp(`16,008,001 weights and biases, more than the limit of ${MAX_PARAMETERS.toLocaleString('en-US')}`));
      assert.equal(d.line, positionOf(wide, '"units": 4000').line);
    });

    it('absurd layer sizes: units above the schema range', () => {
      expectOneError(replaced('"units": 1,', '"units": 100000,'), 'layers[1].units', /must be ≤ 4096/, '100000');
    });

    it('an unknown field, with a suggestion', () => {
      expectOneError(replaced('"seed": 42', '"sead": 42'), 'sead', /unknown field "sead"; did you mean "seed"\?/, '"sead"');
    });

    it('a missing required field', () => {
      expectOneError(replaced('"loss": "binary-cross-entropy",', ''), '', /missing required top-level field "loss", e.g. "loss": "mse"/);
    });

    it('two data sources at once', () => {
      expectOneError(replaced('"data": { "x"', '"data": { "generator": "xor", "x"'), 'data.x', /exactly one source/, '"x"');
    });

    it('softmax in a hidden layer', () => {
      const text = GOOD.replace('"activation": "relu"', '"activation": "softmax"');
      expectOneError(text, 'layers[0].activation', /only allowed on the output layer/, '"softmax"');
    });

    it('cross-entropy without a softmax output', () => {
      const text = replaced('"loss": "binary-cross-entropy"', '"loss": "cross-entropy"').replace('[[0], [1], [1], [0]]', '[[1], [1], [1], [1]]');
      expectOneError(text, 'loss', /"cross-entropy" needs a "softmax" output layer, but layers\[1\].activation is "sigmoid"/, '"cross-entropy"');
    });

    it('binary cross-entropy targets outside [0, 1]', () => {
      expectOneError(replaced('[[0], [1], [1], [0]]', '[[0], [2], [1], [0]]'), 'data.y[1]', /binary cross-entropy targets are 0 or 1/, '[2]');
    });

    it('Nesterov without momentum, as torch.optim.SGD refuses', () => {
      expectOneError(replaced('"momentum": 0.9', '"nesterov": true'), 'optimizer.nesterov', /needs "momentum" > 0/, '"nesterov"');
    });

    it('mini-batch without a size', () => {
      expectOneError(replaced('"size": 2, ', ''), 'batch', /needs a "size"/);
    });
  });

  describe('warnings keep the model', () => {
    it('mse on a softmax output is allowed, as in PyTorch, with a warning', () => {
      const text = GOOD.replace('{ "units": 1, "activation": "sigmoid" }', '{ "units": 2, "activation": "softmax" }')
        .replace('"binary-cross-entropy"', '"mse"').replace('[[0], [1], [1], [0]]', '[[1, 0], [0, 1], [0, 1], [1, 0]]');
      const { model, diagnostics } = parseModelFile(text);
      assert.ok(model);
      assert.deepEqual(diagnostics.map((d) => [d.severity, d.path]), [['warning', 'loss']]);
    });

    it('mse on a sigmoid output is fine', () => {
      const { model, diagnostics } = parseModelFile(GOOD.replace('"binary-cross-entropy"', '"mse"'));
      assert.ok(model);
      assert.deepEqual(diagnostics, []);
    });
  });
});
