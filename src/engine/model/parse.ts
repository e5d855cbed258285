// parseModelFile: text → a validated ModelFile, or diagnostics that name the JSON path and the
// line/column of every problem. First what makes the text unreadable as one JSON object (size,
// nesting, syntax, duplicate keys, numbers that overflow), then the JSON Schema, then the
// semantic checks. A semantic check runs when the fields it reads passed the schema, so a schema
// error in one part of the file does not hide the problems of another.
import type { Node } from 'jsonc-parser';
import { MAX_MODEL_FILE_BYTES, MAX_NESTING, MAX_REPORTED_PROBLEMS, describeBytes } from '../limits';
import type { Diagnostic, ModelFile } from '../types';
import { JsonDocument, LineIndex, type PathSegment, formatPath } from './jsonText';
import { validateAgainstSchema } from './schemaErrors';
import { excerpt } from './words';
import { checkSemantics } from './semantics';

export interface ParsedModel {
  model?: ModelFile; // present when there is no error (warnings may remain)
  diagnostics: Diagnostic[];
  /** The parsed text, for locating later problems (absent when the text was refused unparsed). */
  doc?: JsonDocument;
}

/** The top-level fields a model file must have; a semantic check needs the ones it reads present. */
const REQUIRED_FIELDS = ['inputs', 'layers', 'loss', 'optimizer', 'data'];

export function parseModelFile(text: string): ParsedModel {
  if (text.length > MAX_MODEL_FILE_BYTES) {
    return { diagnostics: [wholeFileProblem(`the file is ${describeBytes(text.length)}; model files up to ${describeBytes(MAX_MODEL_FILE_BYTES)} are read. Put large data in a "csv" file next to it.`)] };
  }
  const tooDeep = deepestNesting(text);
  if (tooDeep !== undefined) {
    const message = `arrays and objects are nested more than ${MAX_NESTING} deep here; a model file needs at most 5 levels (layers[l].weights[row])`;
    return { diagnostics: [{ path: '', message, severity: 'error', offset: tooDeep, length: 1, ...new LineIndex(text).position(tooDeep) }] };
  }
  const doc = JsonDocument.parse(text);
  if (doc.text.trim() === '') {
    return fail(doc, doc.diagnosticAtOffset(0, 0, 'the file is empty; a model file is one JSON object such as { "inputs": 2, "layers": [...], "loss": "mse", "optimizer": {...}, "data": {...} }'));
  }
  if (doc.syntaxErrors.length > 0) {
    return fail(doc, doc.syntaxDiagnostic(doc.syntaxErrors[0]));
  }
  const root = doc.root!;
  if (root.type !== 'object') {
    return fail(doc, doc.diagnostic([], `the file holds ${root.type === 'array' ? 'an array' : `a ${root.type}`}, but a model file is one JSON object { ... } with "inputs", "layers", "loss", "optimizer" and "data"`));
  }
  const unreadable = [...duplicateKeys(root, doc), ...nonFiniteNumbers(root, doc)];
  if (unreadable.length > 0) return { diagnostics: capped(unreadable), doc };
  const value = JSON.parse(doc.text) as Record<string, unknown>;
  const schemaProblems = validateAgainstSchema(value, doc);
  const invalid = new Set(schemaProblems.filter((d) => d.severity === 'error').map((d) => topLevelField(d.path)));
  const usable = (fields: readonly string[]) => fields.every((f) => !invalid.has(f) && (f in value || !REQUIRED_FIELDS.includes(f)));
  const diagnostics = capped([...schemaProblems, ...checkSemantics(value as unknown as ModelFile, doc, usable)]);
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics, doc } : { model: value as unknown as ModelFile, diagnostics, doc };
}

function fail(doc: JsonDocument, diagnostic: Diagnostic): ParsedModel {
  return { diagnostics: [diagnostic], doc };
}

function wholeFileProblem(message: string): Diagnostic {
  return { path: '', message, severity: 'error', offset: 0, length: 0, line: 1, column: 1 };
}

/**
 * The offset of the first bracket nested deeper than MAX_NESTING, found by one pass over the text
 * (outside strings), before any recursive parser or validator can run out of stack on it.
 */
export function deepestNesting(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_NESTING) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return undefined;
}

/** The field of the top-level object a diagnostic's path starts in ("layers" for layers[1].units). */
function topLevelField(path: string): string {
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path);
  if (quoted) return JSON.parse(`"${quoted[1]}"`) as string;
  return /^[^.[]*/.exec(path)![0];
}

/** Keeps the first MAX_REPORTED_PROBLEMS and says how many more there are. */
function capped(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_REPORTED_PROBLEMS) return diagnostics;
  const rest = diagnostics.length - MAX_REPORTED_PROBLEMS;
  const last = diagnostics[MAX_REPORTED_PROBLEMS];
  return [
    ...diagnostics.slice(0, MAX_REPORTED_PROBLEMS),
    { ...last, severity: 'error', message: `${rest} more problem${rest === 1 ? '' : 's'} not listed (the first ${MAX_REPORTED_PROBLEMS} are); fix these and check again` },
  ];
}

/** Walks every value node with its path (the tree is at most MAX_NESTING deep, so recursion is safe). */
function walk(node: Node, path: PathSegment[], visit: (node: Node, path: PathSegment[]) => void): void {
  visit(node, path);
  if (node.type === 'object') {
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (key && value) walk(value, [...path, key.value as string], visit);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((child, i) => walk(child, [...path, i], visit));
  }
}

/** A key written twice in one object: JSON readers disagree on which one counts, so neither is guessed. */
function duplicateKeys(root: Node, doc: JsonDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(root, [], (node, path) => {
    if (node.type !== 'object') return;
    const first = new Map<string, Node>();
    for (const property of node.children ?? []) {
      const key = property.children?.[0];
      if (!key) continue;
      const name = key.value as string;
      const earlier = first.get(name);
      if (!earlier) {
        first.set(name, key);
        continue;
      }
      const where = formatPath([...path, name]);
      const { line, column } = doc.position(earlier.offset);
      const message = `${where}: ${excerpt(name)} is written twice in this object (first at line ${line}, column ${column}); JSON readers disagree on which one counts, so keep one`;
      out.push({ ...doc.diagnosticAtOffset(key.offset, key.length, message), path: where });
    }
  });
  return out;
}

/** Numbers such as 1e400 are valid JSON but overflow float64 to ±Infinity. */
function nonFiniteNumbers(root: Node, doc: JsonDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(root, [], (node, path) => {
    if (node.type === 'number' && !Number.isFinite(node.value)) {
      const written = doc.text.slice(node.offset, node.offset + node.length);
      out.push(doc.diagnostic(path, `${formatPath(path)}: ${written} overflows: it is too large for a float64 number (the largest is about 1.8e308); write a finite number`));
    }
  });
  return out;
}
