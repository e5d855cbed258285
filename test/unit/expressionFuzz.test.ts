// Random and hostile source text through both expression languages (issue 11 item 9): every
// source gives a value or an ExpressionError with a column inside the source (or just past its
// end); nothing else is thrown, nothing overflows the stack. Seeded: a failure names its case.
import { strict as assert } from 'node:assert';
import { ExpressionError, buildGraph } from '../../src/engine/expression';
import { type LayerFamily, type Scope, type Tensor, type Value, evaluate } from '../../src/extension/debug/expressions';
import { FUZZ_CASES, Fuzzer } from '../support/fuzz';

const tensor = (shape: number[], values: number[]): Tensor => ({ kind: 'tensor', shape, data: Float64Array.from(values) });
const delta: LayerFamily = { kind: 'layers', name: 'delta', count: 1, layer: () => tensor([1, 2], [0.5, -1]) };
const SCALARS: Record<string, Value> = { loss: 0.25, step: 3, delta };
const scope: Scope = {
  lookup: (name) => (Object.hasOwn(SCALARS, name) ? SCALARS[name] : undefined),
  names: () => Object.keys(SCALARS),
  gradNorm: () => 1,
};

function fuzz(language: string, seed: number, run: (source: string) => unknown) {
  it(`${language}: ${FUZZ_CASES} seeded random and hostile sources give a value or a located ExpressionError`, () => {
    const fuzzer = new Fuzzer(seed);
    const outcomes = { value: 0, located: 0 };
    for (let n = 0; n < FUZZ_CASES; n++) {
      const source = fuzzer.source();
      try {
        run(source);
        outcomes.value++;
      } catch (error) {
        if (!(error instanceof ExpressionError)) assert.fail(`case ${n} (seed ${seed}) ${JSON.stringify(source.slice(0, 80))} threw ${String(error)}`);
        assert.ok(error.column >= 1 && error.column <= source.length + 1, `case ${n}: column ${error.column} outside the source`);
        assert.ok(error.message.length < 400, `case ${n}: a short message`);
        outcomes.located++;
      }
    }
    assert.ok(outcomes.value > 0 && outcomes.located > 0, JSON.stringify(outcomes));
  });
}

describe('fuzz: expression languages', () => {
  fuzz('the debugger\'s conditions', 21, (source) => evaluate(source, scope));
  fuzz('the lesson\'s expression graph', 22, (source) => buildGraph(source, { x: 0.5, y: -2 }));
});
