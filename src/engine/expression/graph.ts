// The computational graph of an expression, with forward values and reverse-mode gradients
// taken one node at a time, as micrograd's backward does: every operation knows its local
// gradient ∂(node)/∂(input); visiting a node multiplies each local gradient by the node's
// upstream gradient ∂(output)/∂(node) and adds (+=) the product into the input's gradient.
// A variable used twice is one node, so its gradient collects both contributions.
import { ELEMENTWISE_ACTIVATIONS } from '../activations';
import { ExpressionError, type SyntaxNode, parseExpression } from './syntax';

/** The lesson's part of the shared grammar: arithmetic, powers and these one-argument functions. */
export const FUNCTION_NAMES = ['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'sqrt', 'abs'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
export type BinaryOperator = '+' | '-' | '*' | '/' | '^';
const BINARY_OPERATORS: readonly string[] = ['+', '-', '*', '/', '^'];
/** Longest source the lesson's explorer takes (its text box and graph stay readable). */
export const MAX_EXPRESSION_LENGTH = 500;

export type Operation = BinaryOperator | 'negate' | FunctionName;

export interface GraphNode {
  id: number; // index into ExpressionGraph.nodes; inputs always have smaller ids
  kind: 'variable' | 'constant' | 'operation';
  label: string; // "x", "2", "+", "exp", ...
  operation?: Operation;
  inputs: number[];
  value: number; // forward value
  text: string; // the piece of source this node computes
  column: number; // 1-based column of that piece
  /** False for constants and for operations on constants only: no gradient flows to them. */
  dependsOnVariables: boolean;
}

export interface ExpressionGraph {
  source: string;
  nodes: GraphNode[];
  output: number;
  variables: Record<string, number>; // name → node id
}

export interface GradientPass {
  to: number; // input node id
  localGradient: number; // ∂(node)/∂(input)
  passed: number; // localGradient × upstream
  gradientBefore: number; // the input's gradient before this += (other consumers' contributions so far)
  gradientAfter: number;
}

/** One backward move: a node, its complete upstream gradient, and what it passes to each input. */
export interface BackwardStep {
  node: number;
  upstream: number; // ∂(output)/∂(node)
  passes: GradientPass[];
}

const { sigmoid, tanh, relu } = ELEMENTWISE_ACTIVATIONS;

function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

function applyFunction(name: FunctionName, x: number): number {
  switch (name) {
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sin': return Math.sin(x);
    case 'cos': return Math.cos(x);
    case 'tanh': return tanh.value(x, 0);
    case 'sigmoid': return sigmoid.value(x, 0);
    case 'relu': return relu.value(x, 0);
    case 'sqrt': return Math.sqrt(x);
    case 'abs': return Math.abs(x);
  }
}

function applyBinary(operator: BinaryOperator, a: number, b: number): number {
  switch (operator) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '^': return a ** b;
  }
}

/** ∂(node)/∂(inputs[i]) for every input, from the inputs' values and the node's own value. */
export function localGradients(node: GraphNode, nodes: readonly GraphNode[]): number[] {
  const [a, b] = node.inputs.map((id) => nodes[id].value);
  const v = node.value;
  switch (node.operation) {
    case '+': return [1, 1];
    case '-': return [1, -1];
    case '*': return [b, a];
    case '/': return [1 / b, -a / (b * b)];
    // d(a^b)/db = a^b·ln a; where a^b = 0 the product's limit is 0, not 0·(−∞).
    case '^': return [b * a ** (b - 1), v === 0 ? 0 : v * Math.log(a)];
    case 'negate': return [-1];
    case 'exp': return [v];
    case 'log': return [1 / a];
    case 'sin': return [Math.cos(a)];
    case 'cos': return [-Math.sin(a)];
    case 'tanh': return [tanh.derivative(a, v, 0)];
    case 'sigmoid': return [sigmoid.derivative(a, v, 0)];
    case 'relu': return [relu.derivative(a, v, 0)]; // ReLU′(0) = 0, as the engine and PyTorch
    case 'sqrt': return [1 / (2 * v)];
    case 'abs': return [a > 0 ? 1 : a < 0 ? -1 : 0]; // |x|′(0) = 0 (DESIGN.md §4)
    default: return [];
  }
}

/**
 * Builds the graph of `source` at the given variable values. Throws an ExpressionError (with a
 * column) for a syntax error or a variable without a value.
 */
export function buildGraph(source: string, values: Readonly<Record<string, number>>): ExpressionGraph {
  const tree = parseExpression(source, MAX_EXPRESSION_LENGTH);
  const nodes: GraphNode[] = [];
  const variables: Record<string, number> = {};

  const add = (node: Omit<GraphNode, 'id'>): number => {
    nodes.push({ ...node, id: nodes.length });
    return nodes.length - 1;
  };
  const operation = (
    syntax: SyntaxNode, label: string, op: Operation, inputs: number[], value: number,
  ): number => add({
    kind: 'operation', label, operation: op, inputs, value, text: syntax.text, column: syntax.column,
    dependsOnVariables: inputs.some((id) => nodes[id].dependsOnVariables),
  });

  const visit = (syntax: SyntaxNode): number => {
    switch (syntax.kind) {
      case 'number':
        return add({ kind: 'constant', label: syntax.text, inputs: [], value: syntax.value, text: syntax.text, column: syntax.column, dependsOnVariables: false });
      case 'name': {
        if (isFunctionName(syntax.name)) {
          throw new ExpressionError(syntax.column, `"${syntax.name}" is a function; write ${syntax.name}(...) with its argument in parentheses`);
        }
        if (Object.hasOwn(variables, syntax.name)) return variables[syntax.name];
        const value = Object.hasOwn(values, syntax.name) ? values[syntax.name] : undefined;
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new ExpressionError(syntax.column, `the variable "${syntax.name}" has no value; give it a number`);
        }
        variables[syntax.name] = add({ kind: 'variable', label: syntax.name, inputs: [], value, text: syntax.name, column: syntax.column, dependsOnVariables: true });
        return variables[syntax.name];
      }
      case 'unary': {
        if (syntax.operator === '+') return visit(syntax.operand);
        if (syntax.operator !== '-') throw notInLesson(syntax.column, `"${syntax.operator}"`);
        const operand = visit(syntax.operand);
        return operation(syntax, '−', 'negate', [operand], -nodes[operand].value);
      }
      case 'binary': {
        if (!BINARY_OPERATORS.includes(syntax.operator)) throw notInLesson(syntax.operatorColumn, `"${syntax.operator}"`);
        const operator = syntax.operator as BinaryOperator;
        const left = visit(syntax.left);
        const right = visit(syntax.right);
        return operation(syntax, operator, operator, [left, right], applyBinary(operator, nodes[left].value, nodes[right].value));
      }
      case 'call': {
        if (!isFunctionName(syntax.name)) {
          throw new ExpressionError(syntax.column, `unknown function "${syntax.name}"; known: ${FUNCTION_NAMES.join(', ')}`);
        }
        if (syntax.args.length !== 1) {
          throw new ExpressionError(syntax.column, `${syntax.name}(...) takes one argument, got ${syntax.args.length}`);
        }
        const argument = visit(syntax.args[0]);
        return operation(syntax, syntax.name, syntax.name, [argument], applyFunction(syntax.name, nodes[argument].value));
      }
      case 'boolean':
        throw notInLesson(syntax.column, syntax.text);
      case 'index':
        throw notInLesson(syntax.target.column + syntax.target.text.length, 'indexing with "[…]"');
    }
  };

  const output = visit(tree);
  return { source, nodes, output, variables };
}

function notInLesson(column: number, what: string): ExpressionError {
  return new ExpressionError(column, `${what} is not part of these expressions; use numbers, variables, + - * / ^ and ${FUNCTION_NAMES.join(', ')}`);
}

/**
 * The backward pass as a list of moves, output first. Because every input has a smaller id than
 * the nodes that use it, visiting operations in decreasing id order finishes all of a node's
 * consumers before the node itself, so its upstream gradient is complete when it is visited.
 */
export function backwardSteps(graph: ExpressionGraph): BackwardStep[] {
  const gradient = new Float64Array(graph.nodes.length);
  gradient[graph.output] = 1;
  const steps: BackwardStep[] = [];
  for (let id = graph.output; id >= 0; id--) {
    const node = graph.nodes[id];
    if (node.kind !== 'operation' || !node.dependsOnVariables) continue;
    const upstream = gradient[id];
    const locals = localGradients(node, graph.nodes);
    const passes: GradientPass[] = [];
    node.inputs.forEach((input, i) => {
      if (!graph.nodes[input].dependsOnVariables) return;
      const passed = locals[i] * upstream;
      const gradientBefore = gradient[input];
      gradient[input] += passed;
      passes.push({ to: input, localGradient: locals[i], passed, gradientBefore, gradientAfter: gradient[input] });
    });
    steps.push({ node: id, upstream, passes });
  }
  return steps;
}

/** ∂(output)/∂(variable) for every variable, after the whole backward pass. */
export function variableGradients(graph: ExpressionGraph, steps: readonly BackwardStep[] = backwardSteps(graph)): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, id] of Object.entries(graph.variables)) {
    // A variable that is itself the output has gradient 1 and no steps.
    result[name] = id === graph.output ? 1 : 0;
  }
  for (const step of steps) {
    for (const pass of step.passes) {
      const node = graph.nodes[pass.to];
      if (node.kind === 'variable') result[node.label] = pass.gradientAfter;
    }
  }
  return result;
}
