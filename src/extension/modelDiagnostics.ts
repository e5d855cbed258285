// Problems in a model file as VS Code diagnostics: each engine Diagnostic (JSON path, message,
// offset/length or line/column) becomes a ranged entry in the Problems panel, so a click lands on
// the value to fix. Each problem is listed once: a JSON syntax error that VS Code's own JSON
// language service already lists as an error is left to it, and our sentence for it is shown on
// hover over the same place instead.
import * as vscode from 'vscode';
import type { Diagnostic as ModelProblem } from '../engine/types';

export const DIAGNOSTIC_SOURCE = 'backprop';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function positionOf(offset: number, starts: readonly number[]): vscode.Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return new vscode.Position(low, offset - starts[low]);
}

function lineEnd(line: number, starts: readonly number[], text: string): number {
  const next = line + 1 < starts.length ? starts[line + 1] - 1 : text.length;
  return next > starts[line] && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
}

/**
 * Where a problem is in `text`: its offset and length when the parser knew them; otherwise from
 * its line/column to the end of that line; otherwise the whole first line (a problem with the
 * file as a whole, such as an empty file).
 */
export function problemRange(problem: ModelProblem, text: string): vscode.Range {
  const starts = lineStarts(text);
  if (problem.offset !== undefined) {
    const start = Math.min(Math.max(problem.offset, 0), text.length);
    const end = Math.min(start + Math.max(problem.length ?? 0, 1), text.length);
    return new vscode.Range(positionOf(start, starts), positionOf(Math.max(end, start), starts));
  }
  const line = problem.line !== undefined ? Math.min(Math.max(problem.line - 1, 0), starts.length - 1) : 0;
  const end = lineEnd(line, starts, text);
  const column = problem.column !== undefined ? Math.min(Math.max(problem.column - 1, 0), end - starts[line]) : 0;
  return new vscode.Range(line, column, line, end - starts[line]);
}

/** The JSON dialects VS Code's JSON language service validates (as their language ids). */
export type JsonDialect = 'json' | 'jsonc';

/** VS Code's built-in extension that validates JSON documents. */
const JSON_SERVICE_EXTENSION = 'vscode.json-language-features';

/**
 * The dialect VS Code's JSON language service validates `document` in, or undefined when it does
 * not validate it: another language id (a `files.associations` entry), `json.validate.enable`
 * off, or the built-in JSON extension disabled. Only then must we list its syntax errors ourselves.
 */
export function jsonServiceDialect(document: Pick<vscode.TextDocument, 'languageId'>): JsonDialect | undefined {
  if (document.languageId !== 'json' && document.languageId !== 'jsonc') return undefined;
  if (!vscode.extensions.getExtension(JSON_SERVICE_EXTENSION)) return undefined;
  if (!vscode.workspace.getConfiguration('json').get<boolean>('validate.enable', true)) return undefined;
  return document.languageId;
}

/**
 * Whether VS Code's JSON service lists `problem` itself, as an error at the same place. It reports
 * every JSON syntax error of strict JSON; in JSONC it accepts comments and only warns about a
 * trailing comma, which a model file (plain JSON) cannot have, so those stay ours.
 */
export function listedByJsonService(problem: ModelProblem, dialect: JsonDialect | undefined): boolean {
  if (problem.syntax === undefined || dialect === undefined) return false;
  return dialect === 'json' || problem.syntax === 'other';
}

/**
 * A model's problems for the editor: `listed` go to the Problems panel; `explained` are the ones
 * VS Code's JSON service lists already, kept to show our sentence when the pointer rests on them.
 */
export function problemsForEditor(
  problems: readonly ModelProblem[],
  text: string,
  dialect: JsonDialect | undefined,
): { listed: vscode.Diagnostic[]; explained: vscode.Diagnostic[] } {
  return {
    listed: toVscodeDiagnostics(problems.filter((p) => !listedByJsonService(p, dialect)), text),
    explained: toVscodeDiagnostics(problems.filter((p) => listedByJsonService(p, dialect)), text),
  };
}

/** Our sentence for a problem VS Code's JSON service lists, when `position` is on it. */
export function explanationAt(explained: readonly vscode.Diagnostic[], position: vscode.Position): vscode.Hover | undefined {
  const here = explained.filter((d) => d.range.contains(position));
  if (here.length === 0) return undefined;
  return new vscode.Hover(here.map((d) => new vscode.MarkdownString().appendText(`Backprop Stepper: ${d.message}`)), here[0].range);
}

export function toVscodeDiagnostics(problems: readonly ModelProblem[], text: string): vscode.Diagnostic[] {
  return problems.map((problem) => {
    const diagnostic = new vscode.Diagnostic(
      problemRange(problem, text),
      problem.path && !problem.message.includes(problem.path) ? `${problem.path}: ${problem.message}` : problem.message,
      problem.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
    );
    diagnostic.source = DIAGNOSTIC_SOURCE;
    return diagnostic;
  });
}

/**
 * Removes a document's problems when it closes (an untitled model closed without saving
 * included), is deleted or is renamed, so no problem outlives the file it is about.
 */
export function clearDiagnosticsWhenGone(collection: vscode.DiagnosticCollection): vscode.Disposable[] {
  return [
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
    vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((uri) => collection.delete(uri))),
    vscode.workspace.onDidRenameFiles((e) => e.files.forEach(({ oldUri }) => collection.delete(oldUri))),
  ];
}
