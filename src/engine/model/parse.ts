// parseModelFile: text → a validated ModelFile, or diagnostics that name the JSON path and the
// line/column of every problem. Syntax first, then the JSON Schema, then the semantic checks;
// a later stage runs only when the earlier ones found no error, so each message is about the
// file as written, not an echo of an earlier mistake.
import type { Node } from 'jsonc-parser';
import type { Diagnostic, ModelFile } from '../types';
import { JsonDocument, type PathSegment, describeSyntaxError, formatPath } from './jsonText';
import { validateAgainstSchema } from './schemaErrors';
import { checkSemantics } from './semantics';

export interface ParsedModel {
  model?: ModelFile; // present when there is no error (warnings may remain)
  diagnostics: Diagnostic[];
}

export function parseModelFile(text: string): ParsedModel {
  const doc = JsonDocument.parse(text);
  if (text.trim() === '') {
    return fail(doc.diagnosticAtOffset(0, 0, 'the file is empty; a model file is one JSON object such as { "inputs": 2, "layers": [...], "loss": "mse", "optimizer": {...}, "data": {...} }'));
  }
  if (doc.syntaxErrors.length > 0) {
    const first = doc.syntaxErrors[0];
    return fail(doc.diagnosticAtOffset(first.offset, first.length, describeSyntaxError(text, first)));
  }
  const root = doc.root!;
  if (root.type !== 'object') {
    return fail(doc.diagnostic([], `the file holds ${root.type === 'array' ? 'an array' : `a ${root.type}`}, but a model file is one JSON object { ... } with "inputs", "layers", "loss", "optimizer" and "data"`));
  }
  const nonFinite = nonFiniteNumbers(root, doc);
  if (nonFinite.length > 0) return { diagnostics: nonFinite };
  const value = JSON.parse(text) as unknown;
  const schemaProblems = validateAgainstSchema(value, doc);
  if (schemaProblems.some((d) => d.severity === 'error')) return { diagnostics: schemaProblems };
  const model = value as ModelFile;
  const diagnostics = [...schemaProblems, ...checkSemantics(model, doc)];
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { model, diagnostics };
}

function fail(diagnostic: Diagnostic): ParsedModel {
  return { diagnostics: [diagnostic] };
}

/** Numbers such as 1e400 are valid JSON but overflow float64 to ±Infinity. */
function nonFiniteNumbers(root: Node, doc: JsonDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (node: Node, path: PathSegment[]) => {
    if (node.type === 'number' && !Number.isFinite(node.value)) {
      const written = doc.text.slice(node.offset, node.offset + node.length);
      out.push(doc.diagnostic(path, `${formatPath(path)}: ${written} is too large for a float64 number (the largest is about 1.8e308); write a finite number`));
    } else if (node.type === 'object') {
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) walk(value, [...path, key.value as string]);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => walk(child, [...path, i]));
    }
  };
  walk(root, []);
  return out;
}
