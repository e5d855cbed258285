// The debugger's expression language on a hand-made scope: values computed here by hand (or by
// plain Math on literal arrays), never by the evaluator itself.
import { strict as assert } from 'node:assert';
import {
  ExpressionError, MAX_DEBUG_EXPRESSION_LENGTH, type LayerFamily, type Scope, type Tensor, type Value, evaluate, evaluateCondition, hitConditionExpression, parse,
} from '../../src/extension/debug/expressions';

const tensor = (shape: number[], values: number[]): Tensor => ({ kind: 'tensor', shape, data: Float64Array.from(values) });

// delta of layer 1: 2 rows × 2 units; delta of layer 2: 2 rows × 1 unit
const deltas = [tensor([2, 2], [0.5, -2, 3, -0.25]), tensor([2, 1], [1e-7, -3e-7])];
const delta: LayerFamily = {
  kind: 'layers', name: 'delta', count: 2,
  layer: (n) => deltas[n - 1],
  current: () => deltas[1],
};
const scope: Scope = {
  lookup: (name) => ({ loss: 0.75, step: 40, epoch: 3, delta } as Record<string, Value>)[name],
  names: () => ['loss', 'step', 'epoch', 'delta'],
  gradNorm: (layer) => (layer === undefined ? 13 : layer === 1 ? 12 : 5),
};

const value = (source: string) => evaluate(source, scope);
const failsAt = (source: string, column: number, message: RegExp) =>
  assert.throws(() => value(source), (error: unknown) => {
    assert.ok(error instanceof ExpressionError, `${source}: ${error}`);
    assert.equal(error.column, column, `${source}: ${error.message}`);
    assert.match(error.message, message, source);
    assert.match(error.message, new RegExp(`^column ${column}: `));
    return true;
  });

describe('debugger expressions: the examples of issue 6', () => {
  it('loss > 0.5', () => assert.equal(evaluateCondition('loss > 0.5', scope), true));
  it('gradNorm(1) > 10', () => assert.equal(evaluateCondition('gradNorm(1) > 10', scope), true));
  it('step == 40', () => assert.equal(evaluateCondition('step == 40', scope), true));
  it('max(abs(delta[2])) < 1e-6', () => {
    assert.equal(value('max(abs(delta[2]))'), 3e-7);
    assert.equal(evaluateCondition('max(abs(delta[2])) < 1e-6', scope), true);
    assert.equal(evaluateCondition('max(abs(delta[1])) < 1e-6', scope), false);
  });
});

describe('debugger expressions: arithmetic, logic and precedence', () => {
  it('follows the usual precedence: * before +, comparisons before &&, && before ||', () => {
    assert.equal(value('1 + 2 * 3'), 7);
    assert.equal(value('(1 + 2) * 3'), 9);
    assert.equal(value('10 - 4 - 3'), 3, 'left associative');
    assert.equal(value('7 % 4'), 3);
    assert.equal(value('-2 * -3'), 6);
    assert.equal(value('true || false && false'), true);
    assert.equal(value('!(step > 3) || epoch == 3'), true);
    assert.equal(value('1 < 2 == true'), true);
  });
  it('short-circuits && and ||, so a guard keeps a later error away', () => {
    assert.equal(value('step < 0 && nothing > 1'), false);
    assert.equal(value('step > 0 || nothing > 1'), true);
  });
  it('works element by element on tensors and reduces them', () => {
    assert.deepEqual(Array.from((value('abs(delta[1])') as Tensor).data), [0.5, 2, 3, 0.25]);
    assert.deepEqual(Array.from((value('delta[1] * 2 + 1') as Tensor).data), [2, -3, 7, 0.5]);
    assert.equal(value('sum(delta[1])'), 0.5 - 2 + 3 - 0.25);
    assert.equal(value('mean(delta[1])'), (0.5 - 2 + 3 - 0.25) / 4);
    assert.equal(value('min(delta[1])'), -2);
    assert.equal(value('norm(delta[1])'), Math.sqrt(0.25 + 4 + 9 + 0.0625));
    assert.equal(value('max(1, 5, 3)'), 5);
    assert.equal(value('sqrt(16) + log(exp(2))'), 6);
    assert.equal(value('gradNorm()'), 13);
  });
  it('indexes layers 1-based and tensors 0-based; a bare family means the current layer', () => {
    assert.equal(value('delta[1][1][0]'), 3);
    assert.deepEqual((value('delta[1][0]') as Tensor).shape, [2]);
    assert.equal(value('max(abs(delta))'), 3e-7);
  });
  it('reads numbers in every JSON form', () => {
    assert.equal(value('1e-6'), 1e-6);
    assert.equal(value('2.5E+3'), 2500);
    assert.equal(value('.5'), 0.5);
  });
});

describe('debugger expressions: clear errors naming the column, never JavaScript', () => {
  it('names the column of a syntax error', () => {
    failsAt('loss >', 7, /expected a number, a name or "\(", found the end of the expression/);
    failsAt('(loss > 1', 10, /expected "\)" to close the "\(" at column 1/);
    failsAt('loss > 1 2', 10, /unexpected "2" after a complete expression/);
    failsAt('step = 4', 6, /unexpected character "="; compare with "=="/);
    failsAt('loss & 1', 6, /write "&&"/);
    failsAt("loss > 'a'", 8, /there are no strings/);
    failsAt('1.2.3', 1, /malformed number "1.2.3"/);
    failsAt('3x', 1, /malformed number "3x"/);
    failsAt('', 1, /empty/);
  });
  it('names unknown names and functions, with a hint', () => {
    failsAt('detla[1]', 1, /unknown name "detla"; known names: loss, step, epoch, delta/);
    failsAt('Loss > 1', 1, /did you mean "loss"/);
    failsAt('loss > foo(1)', 8, /unknown function "foo"/);
    failsAt('abs > 1', 1, /abs is a function: write abs\(…\)/);
    failsAt('abs(1, 2)', 1, /abs\(\) takes 1 argument, got 2/);
  });
  it('names wrong kinds of value and out-of-range indices', () => {
    failsAt('delta[3]', 7, /layer 3 does not exist: delta\[n\] takes a layer number from 1 to 2/);
    failsAt('delta[0]', 7, /layer 0 does not exist/);
    failsAt('delta[1.5]', 7, /a whole number, got 1.5/);
    failsAt('delta[1][2]', 10, /index 2 is out of range: this dimension has indices 0 to 1/);
    failsAt('delta[1] > 0', 1, /compares numbers, but this is a 2×2 tensor; reduce it first/);
    failsAt('loss && true', 1, /"&&" needs true or false on its left, got the number 0.75/);
    failsAt('!loss', 1, /"!" needs true or false/);
    failsAt('delta[1] + delta[2]', 10, /different shapes: 2×2 and 2×1/);
    failsAt('loss[0]', 1, /only tensors and per-layer names can be indexed; this is the number 0.75/);
  });
  it('turns JavaScript into errors instead of running it', () => {
    failsAt('constructor', 1, /unknown name "constructor"/);
    failsAt('process.exit(1)', 8, /unexpected character "\."/);
    failsAt('loss > 0; while(true){}', 9, /unexpected character ";"/);
    assert.throws(() => evaluateCondition('loss', scope), /a condition must be true or false, but this gives the number 0.75/);
  });
  it('looks names up among the scope\'s own names and functions only, never on Object.prototype', () => {
    failsAt('constructor(1)', 1, /unknown function "constructor"/);
    failsAt('toString(1)', 1, /unknown function "toString"/);
    failsAt('hasOwnProperty(1)', 1, /unknown function "hasOwnProperty"/);
    failsAt('__proto__', 1, /unknown name "__proto__"/);
    failsAt('valueOf > 1', 1, /unknown name "valueOf"/);
  });
  it('refuses deep nesting and megabyte sources with a located message instead of exhausting the stack', () => {
    failsAt(`${'('.repeat(793)}1${')'.repeat(793)}`, 65, /nests more than 64 levels deep/);
    failsAt(`${'-'.repeat(1000)}1`, 65, /nests more than 64 levels deep/);
    failsAt(`1${'+1'.repeat(500_000)}`, MAX_DEBUG_EXPRESSION_LENGTH + 1, /longer than 4000 characters \(1000001\)/);
    failsAt(`1${'+1'.repeat(1500)}`, 2002, /more than 1000 operations/);
    assert.equal(value(`1${'+1'.repeat(999)}`), 1000, 'a long flat sum within the limits still evaluates');
    assert.equal(value(`${'('.repeat(60)}2${')'.repeat(60)}`), 2);
  });
});

describe('debugger expressions: conditions that are false', () => {
  const cases: Array<[string, boolean]> = [
    ['loss > 0.75', false], ['loss >= 0.75', true], ['loss < 0.75', false], ['loss <= 0.75', true],
    ['step == 41', false], ['step != 40', false], ['epoch == 3 && step == 41', false], ['step < 0 || loss > 1', false],
    ['!(loss > 0.5)', false], ['gradNorm(2) > 5', false], ['max(abs(delta[1])) < 3', false],
    ['2 ^ 3 == 8', true], ['2 ** 3 ** 2 == 512', true], ['-2 ^ 2 == -4', true], ['2 × 3 − 1 == 5', true],
  ];
  for (const [condition, expected] of cases) {
    it(`${condition} is ${expected}`, () => assert.equal(evaluateCondition(condition, scope), expected));
  }
});

describe('debugger expressions: hit counts', () => {
  const withHits = (n: number): Scope => ({ ...scope, lookup: (name) => (name === 'hits' ? n : scope.lookup(name)), names: () => ['hits'] });
  const hits = (condition: string, n: number) => evaluateCondition(parse(hitConditionExpression(condition).expression), withHits(n));
  it('reads VS Code hit counts: "5" is the fifth hit, ">= 5", "% 3", or any expression over hits', () => {
    assert.deepEqual([4, 5, 6].map((n) => hits('5', n)), [false, true, false]);
    assert.deepEqual([4, 5, 6].map((n) => hits('>= 5', n)), [false, true, true]);
    assert.deepEqual([2, 3, 6].map((n) => hits('% 3', n)), [false, true, true]);
    assert.deepEqual([2, 3, 6].map((n) => hits('hits > 2 && hits < 6', n)), [false, true, false]);
  });
  it('maps an error in a hit count back to the user\'s column', () => {
    const { expression, shift } = hitConditionExpression('>= x');
    assert.throws(() => evaluateCondition(expression, withHits(1)), (error: ExpressionError) => error.column - shift === 4 && /unknown name "x"/.test(error.message));
  });
});
