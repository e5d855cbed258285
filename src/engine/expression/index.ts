export { EXPRESSION_LIMITS, ExpressionError, parseExpression } from './syntax';
export type { SyntaxNode } from './syntax';
export { FUNCTION_NAMES, MAX_EXPRESSION_LENGTH, backwardSteps, buildGraph, localGradients, variableGradients } from './graph';
export type { BackwardStep, ExpressionGraph, FunctionName, GradientPass, GraphNode, Operation } from './graph';
