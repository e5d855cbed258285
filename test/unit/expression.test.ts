import { strict as assert } from 'node:assert';
import { ExpressionError, MAX_EXPRESSION_LENGTH, backwardSteps, buildGraph, parseExpression, variableGradients } from '../../src/engine/expression';

function evaluate(source: string, values: Record<string, number>): number {
  const graph = buildGraph(source, values);
  return graph.nodes[graph.output].value;
}

/** Central difference (f(v+h) − f(v−h)) / 2h, the independent reference for every gradient. */
function centralDifference(source: string, values: Record<string, number>, name: string, h = 1e-5): number {
  const plus = evaluate(source, { ...values, [name]: values[name] + h });
  const minus = evaluate(source, { ...values, [name]: values[name] - h });
  return (plus - minus) / (2 * h);
}

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance * scale, `${what}: got ${actual}, expected ${expected}`);
}

describe('expression mode: parsing', () => {
  it('follows the usual precedence: ^ binds tighter than unary minus, which binds tighter than * and +', () => {
    assert.equal(evaluate('2 + 3 * 4', {}), 14);
    assert.equal(evaluate('-2^2', {}), -4);
    assert.equal(evaluate('2^3^2', {}), 512); // right-associative
    assert.equal(evaluate('2^-1', {}), 0.5);
    assert.equal(evaluate('(1 - 2) - 3', {}), -4);
    assert.equal(evaluate('8 / 4 / 2', {}), 1);
    assert.equal(evaluate('2 ** 3', {}), 8);
    assert.equal(evaluate('3 − 1 × 2', {}), 1); // typographic minus and times from the lecture
    assert.equal(evaluate('1.5e2 + .5', {}), 150.5);
  });

  it('evaluates every function it names', () => {
    const x = 0.7;
    const cases: Array<[string, number]> = [
      ['exp(x)', Math.exp(x)], ['log(x)', Math.log(x)], ['sin(x)', Math.sin(x)], ['cos(x)', Math.cos(x)],
      ['tanh(x)', Math.tanh(x)], ['sigmoid(x)', 1 / (1 + Math.exp(-x))], ['relu(-x)', 0], ['relu(x)', x],
      ['sqrt(x)', Math.sqrt(x)], ['abs(-x)', x],
    ];
    for (const [source, expected] of cases) assertClose(evaluate(source, { x }), expected, 1e-15, source);
  });

  const errors: Array<[string, number, RegExp]> = [
    ['', 1, /empty/],
    ['2x', 1, /malformed number "2x".*2\*x/],
    ['2 y', 3, /unexpected "y" after a complete expression; an operator is missing/],
    ['(2*x + y', 9, /close the "\(" at column 1/],
    ['2*x)', 4, /no matching "\("/],
    ['2 * * x', 5, /expected a number/],
    ['x +', 4, /found the end of the expression/],
    ['foo(x)', 1, /unknown function "foo"/],
    ['exp + 1', 1, /"exp" is a function/],
    ['x $ y', 3, /unexpected character "\$"/],
    ['(x + 1) * z', 11, /"z" has no value/],
    // The grammar is shared with the debugger; what the lesson gives no meaning to is refused where it stands.
    ['x > 1', 3, /">" is not part of these expressions/],
    ['x[1]', 2, /indexing with "\[…\]" is not part of these expressions/],
    ['x + true', 5, /true is not part of these expressions/],
    ['!x', 1, /"!" is not part of these expressions/],
    ['exp(x, y)', 1, /takes one argument, got 2/],
    // Names are looked up among the given values only, never on Object.prototype.
    ['constructor + x', 1, /"constructor" has no value/],
    ['toString(x)', 1, /unknown function "toString"/],
    ['x + '.repeat(200) + 'x', 501, /longer than 500 characters/],
  ];
  for (const [source, column, message] of errors) {
    it(`rejects ${JSON.stringify(source)} at column ${column}`, () => {
      assert.throws(() => buildGraph(source, { x: 1, y: 2 }), (error: unknown) => {
        assert.ok(error instanceof ExpressionError, `not an ExpressionError: ${String(error)}`);
        assert.equal(error.column, column, error.message);
        assert.match(error.message, message);
        assert.match(error.message, new RegExp(`^column ${column}: `));
        return true;
      });
    });
  }

  it('keeps the source text of each subexpression for display', () => {
    const tree = parseExpression('(2*x + y)^2', MAX_EXPRESSION_LENGTH);
    assert.equal(tree.text, '(2*x + y)^2');
    assert.ok(tree.kind === 'binary' && tree.left.text === '(2*x + y)');
  });
});

describe('expression mode: the chain rule, node by node', () => {
  it('gives the lecture\'s ∂z/∂x = 8x + 4y (and ∂z/∂y = 4x + 2y) for z = (2x + y)²', () => {
    for (const [x, y] of [[1, 2], [-3, 0.5], [0, 0], [2.25, -7], [1e3, 1e-3]]) {
      const gradients = variableGradients(buildGraph('(2*x + y)^2', { x, y }));
      assertClose(gradients.x, 8 * x + 4 * y, 1e-14, `∂z/∂x at (${x}, ${y})`);
      assertClose(gradients.y, 4 * x + 2 * y, 1e-14, `∂z/∂y at (${x}, ${y})`);
    }
  });

  it('shows each node\'s local gradient × upstream = what it passes on, output first', () => {
    const graph = buildGraph('(2*x + y)^2', { x: 1, y: 2 }); // t = 2x + y = 4, z = 16
    const steps = backwardSteps(graph);
    const label = (id: number) => graph.nodes[id].label;
    // z = t^2: local 2t = 8, upstream 1 → passes 8 to t
    assert.equal(label(steps[0].node), '^');
    assert.equal(steps[0].upstream, 1);
    assert.deepEqual(steps[0].passes.map((p) => [label(p.to), p.localGradient, p.passed]), [['+', 8, 8]]);
    // t = (2x) + y: local 1 and 1
    assert.equal(label(steps[1].node), '+');
    assert.deepEqual(steps[1].passes.map((p) => [label(p.to), p.localGradient, p.passed]), [['*', 1, 8], ['y', 1, 8]]);
    // 2*x: the constant 2 receives nothing; x gets local 2 × upstream 8 = 16 = 8x + 4y
    assert.equal(label(steps[2].node), '*');
    assert.deepEqual(steps[2].passes.map((p) => [label(p.to), p.localGradient, p.passed]), [['x', 2, 16]]);
    assert.equal(steps.length, 3);
  });

  it('adds (+=) the contributions of a variable used more than once', () => {
    const graph = buildGraph('x*x + x', { x: 3 });
    const steps = backwardSteps(graph);
    const xId = graph.variables.x;
    const intoX = steps.flatMap((s) => s.passes).filter((p) => p.to === xId);
    assert.equal(intoX.length, 3);
    assert.deepEqual(intoX.map((p) => p.gradientBefore), [0, 1, 4]);
    assert.equal(intoX[2].gradientAfter, 7); // d(x² + x)/dx = 2x + 1
    for (let i = 1; i < intoX.length; i++) assert.equal(intoX[i].gradientBefore, intoX[i - 1].gradientAfter);
  });

  it('gives gradient 1 to a variable that is the whole expression', () => {
    assert.deepEqual(variableGradients(buildGraph('x', { x: 5 })), { x: 1 });
    assert.deepEqual(variableGradients(buildGraph('(x)', { x: 5 })), { x: 1 });
  });

  const cases: Array<[string, Record<string, number>]> = [
    ['(2*x + y)^2', { x: 0.3, y: -1.2 }],
    ['x*y - y/x', { x: 1.7, y: 0.4 }],
    ['exp(-x^2/2) * sin(3*y)', { x: 0.6, y: 0.9 }],
    ['log(1 + exp(x)) - tanh(x*y)', { x: -0.8, y: 1.1 }],
    ['sigmoid(w*x + b)', { w: 0.5, x: -2, b: 0.3 }],
    ['relu(w*x + b) * v', { w: 1.5, x: 0.4, b: -0.1, v: -2 }],
    ['sqrt(x^2 + y^2)', { x: 3, y: -4 }],
    ['abs(x - y) + cos(x)*cos(y)', { x: 0.2, y: 1.3 }],
    ['x^y', { x: 1.3, y: 2.2 }],
    ['(x - 1)^3 / (1 + y^2)', { x: 2.5, y: -0.75 }],
    ['-(-x)*x', { x: 1.25 }],
    ['(sigmoid(x) - 1)^2 + 0*y', { x: 0.1, y: 3 }],
  ];
  for (const [source, values] of cases) {
    it(`matches central finite differences for ${source}`, () => {
      const gradients = variableGradients(buildGraph(source, values));
      assert.deepEqual(Object.keys(gradients).sort(), Object.keys(values).sort());
      for (const name of Object.keys(values)) {
        assertClose(gradients[name], centralDifference(source, values, name), 1e-7, `∂/∂${name}`);
      }
    });
  }

  it('uses the engine\'s kink conventions: relu′(0) = 0, |x|′(0) = 0', () => {
    assert.equal(variableGradients(buildGraph('relu(x)', { x: 0 })).x, 0);
    assert.equal(variableGradients(buildGraph('abs(x)', { x: 0 })).x, 0);
  });
});
