// Where things are in the model file's text: JSON syntax errors with line/column, and the range
// of any JSON path, so every diagnostic can be underlined in the editor (jsonc-parser keeps the
// offsets that JSON.parse throws away).
import { type Node, type ParseError, findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Diagnostic, JsonSyntaxKind } from '../types';
import { excerpt } from './words';

export type PathSegment = string | number;

/** `["layers", 1, "weights", 2]` → `layers[1].weights[2]`; the root is the empty string. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${excerpt(s, 60)}]`; // a key with spaces or control characters, quoted and escaped
  }
  return out;
}

/** Line starts of a text, for turning offsets into 1-based line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

/** The parsed tree plus what it takes to point at any part of it. */
export class JsonDocument {
  private readonly lines: LineIndex;

  private constructor(
    readonly text: string,
    readonly root: Node | undefined,
    readonly syntaxErrors: ParseError[],
  ) {
    this.lines = new LineIndex(text);
  }

  static parse(written: string): JsonDocument {
    // A UTF-8 byte-order mark is not part of the JSON; a space keeps every offset where it was.
    const text = written.charCodeAt(0) === 0xfeff ? ` ${written.slice(1)}` : written;
    const errors: ParseError[] = [];
    // Model files are strict JSON (no comments, no trailing commas) so any JSON tool can read them.
    const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
    return new JsonDocument(text, root, errors);
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    return this.lines.position(offset);
  }

  /** The value node at a path, or the deepest existing ancestor when the path does not exist. */
  nodeAt(segments: readonly PathSegment[]): Node | undefined {
    if (!this.root) return undefined;
    for (let n = segments.length; n >= 0; n--) {
      const node = findNodeAtLocation(this.root, segments.slice(0, n) as PathSegment[]);
      if (node) return node;
    }
    return this.root;
  }

  /** The key of a property (`"momentum"` in `"momentum": 0.9`), falling back to its value. */
  keyAt(segments: readonly PathSegment[]): Node | undefined {
    const value = this.nodeAt(segments);
    const property = value?.parent;
    if (property?.type === 'property' && property.children?.[1] === value) return property.children![0];
    return value;
  }

  /** A diagnostic located at a node (value by default, or the property key). */
  diagnostic(
    segments: readonly PathSegment[],
    message: string,
    options: { severity?: Diagnostic['severity']; at?: 'value' | 'key' | 'start' } = {},
  ): Diagnostic {
    const at = options.at ?? 'value';
    const node = at === 'key' ? this.keyAt(segments) : this.nodeAt(segments);
    const offset = node?.offset ?? 0;
    const length = at === 'start' ? 1 : (node?.length ?? 0);
    return { path: formatPath(segments), message, severity: options.severity ?? 'error', offset, length, ...this.position(offset) };
  }

  /** A diagnostic at a raw offset (syntax errors, where there is no tree node). */
  diagnosticAtOffset(offset: number, length: number, message: string): Diagnostic {
    return { path: '', message, severity: 'error', offset, length, ...this.position(offset) };
  }

  /** A syntax error in words, of its kind, at the text to change (a trailing comma: the comma itself). */
  syntaxDiagnostic(error: ParseError): Diagnostic {
    const syntax = syntaxKind(this.text, error);
    const message = describeSyntaxError(this.text, error);
    if (syntax === 'trailing comma') return { ...this.diagnosticAtOffset(this.text.slice(0, error.offset).trimEnd().length - 1, 1, message), syntax };
    return { ...this.diagnosticAtOffset(error.offset, error.length, message), syntax };
  }
}

function foundAt(text: string, error: ParseError): string {
  return text.slice(error.offset, error.offset + Math.max(error.length, 1));
}

/** Which kind of syntax error this is: a comment, a trailing comma, or any other. */
export function syntaxKind(text: string, error: ParseError): JsonSyntaxKind {
  const found = foundAt(text, error);
  if ((found === '}' || found === ']') && text.slice(0, error.offset).trimEnd().endsWith(',')) return 'trailing comma';
  // Compare the code's name: ParseErrorCode is a const enum, which isolated modules cannot inline.
  const code = printParseErrorCode(error.error);
  return code === 'InvalidCommentToken' || code === 'UnexpectedEndOfComment' ? 'comment' : 'other';
}

/** The first JSON syntax error, said in words; the later ones are nearly always its echoes. */
export function describeSyntaxError(text: string, error: ParseError): string {
  const found = foundAt(text, error);
  const shown = error.offset >= text.length ? 'the end of the file' : excerpt(found);
  switch (syntaxKind(text, error)) {
    case 'trailing comma':
      return `JSON syntax: trailing comma before ${JSON.stringify(found)}; JSON does not allow it, remove the comma`;
    case 'comment':
      return 'JSON syntax: comments are not allowed in a model file (it is plain JSON); put notes in "description"';
    case 'other':
      break;
  }
  switch (printParseErrorCode(error.error)) {
    case 'CommaExpected':
      return `JSON syntax: expected a comma before ${shown}`;
    case 'ColonExpected':
      return `JSON syntax: expected ":" after the property name, found ${shown}`;
    case 'PropertyNameExpected':
      return `JSON syntax: expected a property name in double quotes, found ${shown}`;
    case 'ValueExpected':
      return `JSON syntax: expected a value (number, string, true/false, null, array or object), found ${shown}`;
    case 'CloseBraceExpected':
      return `JSON syntax: expected "}" to close the object, found ${shown}`;
    case 'CloseBracketExpected':
      return `JSON syntax: expected "]" to close the array, found ${shown}`;
    case 'EndOfFileExpected':
      return `JSON syntax: the file should end after the top-level object, found ${shown}`;
    case 'UnexpectedEndOfString':
      return 'JSON syntax: a string is not closed with a double quote';
    case 'UnexpectedEndOfNumber':
    case 'InvalidNumberFormat':
      return `JSON syntax: malformed number ${shown}; write numbers like 0.5, -2 or 1e-3 (NaN and Infinity are not JSON)`;
    case 'InvalidSymbol':
      return `JSON syntax: unexpected ${shown}; strings need double quotes, and NaN/Infinity are not JSON numbers`;
    default:
      return `JSON syntax: unexpected ${shown}`;
  }
}
