// Validation against schemas/backprop.schema.json, with Ajv's terse errors rewritten as
// sentences that name the JSON path, say what was found and what to write instead.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
// The schema is data shared with VS Code (jsonValidation); the bundler inlines it.
import schema from '../../../schemas/backprop.schema.json';
import type { Diagnostic } from '../types';
import { type JsonDocument, type PathSegment, formatPath } from './jsonText';
import { closest, describeValue, excerpt, quoteList } from './words';

let validator: ValidateFunction | undefined;

function compiledSchema(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true });
    // Editor-only annotations VS Code reads for hover and completion.
    ajv.addVocabulary(['markdownDescription', 'defaultSnippets', 'enumDescriptions', 'markdownEnumDescriptions']);
    validator = ajv.compile(schema);
  }
  return validator;
}

const DATA_SOURCES: Record<string, string> = { x: 'x/y', y: 'x/y', generator: 'generator', csv: 'csv', builtin: 'builtin' };

/** What to write for a missing required field. */
const REQUIRED_EXAMPLES: Record<string, string> = {
  inputs: '"inputs": 2',
  layers: '"layers": [{ "units": 1, "activation": "sigmoid" }]',
  loss: '"loss": "mse"',
  optimizer: '"optimizer": { "type": "sgd", "learningRate": 0.1 }',
  data: '"data": { "x": [[0, 1]], "y": [[1]] }',
  units: '"units": 4',
  activation: '"activation": "relu"',
  type: '"type": "sgd"',
  train: '"train": 0.8',
  mode: '"mode": "mini-batch"',
  target: '"target": "label"',
  x: '"x": [[0, 1]]',
  y: '"y": [[1]]',
};

const ENUM_NOUNS: Record<string, string> = {
  activation: 'activation',
  loss: 'loss',
  type: 'optimizer type',
  generator: 'generator',
  builtin: 'built-in dataset',
  normalize: 'normalization',
  mode: 'batch mode',
  lineSearch: 'line search',
};

export function pointerToSegments(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Schema diagnostics for a parsed JSON value, located in the document's text. */
export function validateAgainstSchema(value: unknown, doc: JsonDocument): Diagnostic[] {
  const validate = compiledSchema();
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).filter(
    // Branch failures of anyOf are summarized by the anyOf error itself; `if` only says its
    // `then` failed, which has its own error.
    (e) => !/\/anyOf\/\d+\//.test(e.schemaPath) && e.keyword !== 'if',
  );
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const conflict = dataSourceConflict(value);
  if (conflict) out.push(conflict(doc));
  for (const e of errors) {
    if (conflict && e.instancePath === '/data' && e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      if (extra in DATA_SOURCES) continue;
    }
    const d = describeError(e, doc);
    const key = `${d.path}\u0000${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

/** Two data sources at once (`x` and `generator`, ...) is one mistake, said once. */
function dataSourceConflict(value: unknown): ((doc: JsonDocument) => Diagnostic) | undefined {
  const data = (value as { data?: unknown })?.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const keys = Object.keys(data).filter((k) => k in DATA_SOURCES);
  const families = [...new Set(keys.map((k) => DATA_SOURCES[k]))];
  if (families.length < 2) return undefined;
  const second = keys.find((k) => DATA_SOURCES[k] === families[1])!;
  return (doc) =>
    doc.diagnostic(
      ['data', second],
      `data.${second}: data takes exactly one source, but this file gives ${quoteList(families, 'and')}; keep one of them`,
      { at: 'key' },
    );
}

function describeError(e: ErrorObject, doc: JsonDocument): Diagnostic {
  const segments = pointerToSegments(e.instancePath);
  const path = formatPath(segments);
  const where = path || 'the file';
  const last = segments[segments.length - 1];
  const found = describeValue(e.data);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const expected = typeWords(params.type as string);
      let hint = '';
      if (typeof e.data === 'string' && /number|integer/.test(String(params.type)) && e.data.trim() !== '' && Number.isFinite(Number(e.data))) {
        hint = `; write ${e.data.trim()} without quotes`;
      }
      return doc.diagnostic(segments, `${where}: expected ${expected}, found ${found}${hint}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const noun = ENUM_NOUNS[String(last)] ?? 'value';
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      const suggestion = guess ? `did you mean "${guess}"? ` : '';
      return doc.diagnostic(segments, `${where}: unknown ${noun} ${found}; ${suggestion}expected one of ${quoteList(allowed, 'or')}`);
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const example = REQUIRED_EXAMPLES[missing] ? `, e.g. ${REQUIRED_EXAMPLES[missing]}` : '';
      const inContext = missingContext(e, segments);
      const subject = path ? `${path}: missing required field "${missing}"` : `missing required top-level field "${missing}"`;
      return doc.diagnostic(segments, `${subject}${inContext}${example}`, { at: segments.length ? 'key' : 'start' });
    }
    case 'additionalProperties':
      return unknownField(e, doc, segments);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return doc.diagnostic(segments, rangeMessage(where, String(last), e.keyword, params.limit as number, e.data));
    case 'minItems':
      return doc.diagnostic(segments, `${where}: needs at least ${params.limit} item${params.limit === 1 ? '' : 's'}, found ${found}${minItemsHint(String(last))}`);
    case 'maxItems':
    case 'additionalItems':
      return doc.diagnostic(segments, `${where}: has too many items (at most ${params.limit}), found ${found}`);
    case 'minLength':
      return doc.diagnostic(segments, `${where}: must not be empty`);
    case 'maxLength':
      return doc.diagnostic(segments, `${where}: is too long (at most ${params.limit} characters)`);
    case 'anyOf':
      if (path === 'data') {
        return doc.diagnostic(
          segments,
          'data: no data source; write inline "x" and "y", a "generator" (e.g. "generator": "xor"), a "csv" file with a "target" column, or a "builtin" dataset ("iris" or "digits")',
          { at: 'key' },
        );
      }
      if (last === 'target') {
        return doc.diagnostic(segments, `${where}: expected a column name or a list of column names, found ${found}`);
      }
      return doc.diagnostic(segments, `${where}: ${e.message ?? 'is not valid'}`);
    default:
      return doc.diagnostic(segments, `${where}: ${e.message ?? 'is not valid'}`);
  }
}

function typeWords(type: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    integer: 'a whole number',
    string: 'a string in double quotes',
    boolean: 'true or false',
    object: 'an object { ... }',
    array: 'an array [ ... ]',
    null: 'null',
  };
  return type.split(',').map((t) => words[t] ?? t).join(' or ');
}

function missingContext(e: ErrorObject, segments: PathSegment[]): string {
  if (segments[0] === 'data' && /allOf\/\d+\/then/.test(e.schemaPath)) {
    const data = e.data as Record<string, unknown>;
    if ('csv' in data) return ' (csv data names its target column)';
    return ' (inline data needs both "x" and "y")';
  }
  return '';
}

function unknownField(e: ErrorObject, doc: JsonDocument, segments: PathSegment[]): Diagnostic {
  const extra = String((e.params as { additionalProperty: string }).additionalProperty);
  const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
  const fieldSegments = [...segments, extra];
  const fieldPath = formatPath(fieldSegments);
  const parent = formatPath(segments);
  const data = e.data as Record<string, unknown>;
  let message: string;
  if (parent === 'optimizer' && typeof data.type === 'string') {
    const accepted = allowed.filter((k) => k !== 'type');
    const guess = closest(extra, accepted);
    message = `${fieldPath}: optimizer ${excerpt(data.type)} has no hyperparameter ${excerpt(extra)}; ${guess ? `did you mean "${guess}"? ` : ''}it accepts ${quoteList(accepted, 'and')}`;
  } else if (parent === 'data' && /allOf\/\d+\/then/.test(e.schemaPath)) {
    const source = Object.keys(data).find((k) => k in DATA_SOURCES) ?? 'this';
    message = `${fieldPath}: ${excerpt(extra)} does not apply to ${DATA_SOURCES[source] ?? source} data, which takes ${quoteList(allowed, 'and')}`;
  } else {
    const guess = closest(extra, allowed);
    message = `${fieldPath}: unknown field ${excerpt(extra)}; ${guess ? `did you mean "${guess}"? ` : ''}${parent || 'the top level'} takes ${quoteList(allowed.filter((k) => k !== '$schema'), 'and')}`;
  }
  return doc.diagnostic(fieldSegments, message, { at: 'key' });
}

function rangeMessage(where: string, field: string, keyword: string, limit: number, value: unknown): string {
  const bound = { minimum: '≥', maximum: '≤', exclusiveMinimum: '>', exclusiveMaximum: '<' }[keyword];
  const base = `${where}: must be ${bound} ${limit}, found ${describeValue(value)}`;
  switch (field) {
    case 'learningRate':
      return `${base}; the learning rate is the size of each step down the gradient, a small positive number such as 0.01`;
    case 'size':
      return `${base}; write the number of samples per mini-batch (e.g. 32), or "mode": "batch" for the whole training set`;
    case 'units':
    case 'inputs':
      return keyword === 'maximum' ? `${base}; layers wider than ${limit} are beyond what this tool steps through` : `${base}; write a whole number of at least 1`;
    default:
      return base;
  }
}

function minItemsHint(field: string): string {
  if (field === 'layers') return '; add at least the output layer, e.g. { "units": 1, "activation": "sigmoid" }';
  if (field === 'x' || field === 'y') return '; write one row per sample';
  return '';
}
