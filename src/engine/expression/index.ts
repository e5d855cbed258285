export { ExpressionError, FUNCTION_NAMES, parseExpression } from './parser';
export type { FunctionName, SyntaxNode } from './parser';
export { backwardSteps, buildGraph, localGradients, variableGradients } from './graph';
export type { BackwardStep, ExpressionGraph, GradientPass, GraphNode, Operation } from './graph';
