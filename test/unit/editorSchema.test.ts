// Issue 10 item 9: every problem in a model file is listed once. The extension reports schema and
// semantic problems itself; VS Code's JSON language service (run here as VS Code runs it, on the
// schema package.json's `jsonValidation` points to) must add none of its own, yet still offer
// completion and hover from the one schema.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getLanguageService, TextDocument, type JSONSchema } from 'vscode-json-languageservice';
import { parseModelFile } from '../../src/engine/model';
import { editorSchema } from '../../scripts/editorSchema.mjs';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { jsonValidation: Array<{ fileMatch: string; url: string }> } };
const source = JSON.parse(readFileSync(join(root, 'schemas/backprop.schema.json'), 'utf8')) as JSONSchema;

/** The schema VS Code is given, from the shipped path (the build writes it). */
function servedSchema(): JSONSchema {
  const [contribution] = manifest.contributes.jsonValidation;
  assert.equal(contribution.fileMatch, '*.backprop.json');
  return JSON.parse(readFileSync(join(root, contribution.url), 'utf8')) as JSONSchema;
}

/** VS Code's JSON language service with `schema` for *.backprop.json. */
function service(schema: JSONSchema) {
  const ls = getLanguageService({});
  ls.configure({ validate: true, allowComments: false, schemas: [{ uri: 'backprop://schema.json', fileMatch: ['*.backprop.json'], schema }] });
  return ls;
}

async function schemaProblems(schema: JSONSchema, text: string): Promise<string[]> {
  const ls = service(schema);
  const doc = TextDocument.create('file:///w/m.backprop.json', 'json', 1, text);
  const found = await ls.doValidation(doc, ls.parseJSONDocument(doc), { schemaValidation: 'error' });
  return found.map((d) => (typeof d.message === 'string' ? d.message : d.message.value));
}

async function completions(schema: JSONSchema, text: string): Promise<string[]> {
  const ls = service(schema);
  const offset = text.indexOf('|');
  const doc = TextDocument.create('file:///w/m.backprop.json', 'json', 1, text.replace('|', ''));
  const list = await ls.doComplete(doc, doc.positionAt(offset), ls.parseJSONDocument(doc));
  return (list?.items ?? []).map((i) => i.label);
}

const model = (optimizer: string, layer = '{ "units": 1, "activation": "sigmoid" }') =>
  `{ "inputs": 2, "layers": [${layer}], "loss": "mse", "optimizer": ${optimizer}, "data": { "x": [[0, 1]], "y": [[1]] } }`;

describe('the schema VS Code reads (item 9: every problem listed once)', () => {
  it('is what the build writes from the one schema', () => {
    assert.deepEqual(servedSchema(), editorSchema(source));
  });

  it('adds no problem of its own to files the extension finds wrong, while the full schema would', async () => {
    const bad = join(root, 'test/fixtures/bad');
    const texts = readdirSync(bad).filter((f) => f.endsWith('.backprop.json')).map((f) => [f, readFileSync(join(bad, f), 'utf8')] as const);
    texts.push(['type and semantic error', model('{ "type": "sgd", "learningRate": "fast" }', '{ "units": 2, "activation": "sigmoid" }')]);
    texts.push(['unknown keys', model('{ "type": "adam", "learningRate": 0.1, "momentum": 0.9 }', '{ "units": -1, "activation": "swish", "colour": 3 }')]);
    // The extension lists these itself (a type error does not hide the semantic ones).
    assert.deepEqual(parseModelFile(texts.at(-2)![1]).diagnostics.map((d) => d.path), ['optimizer.learningRate', 'data.y[0]']);
    const fullSchemaProblems = new Map<string, number>();
    for (const [name, text] of texts) {
      // What VS Code's JSON language reports with no schema at all (a syntax error) is not the schema's.
      assert.deepEqual(await schemaProblems(servedSchema(), text), await schemaProblems({}, text), `${name}: VS Code would list these beside the extension's own`);
      fullSchemaProblems.set(name, (await schemaProblems(source, text)).length - (await schemaProblems({}, text)).length);
    }
    // The same service with the full schema does report them: the check above can fail.
    assert.ok(fullSchemaProblems.get('type and semantic error')! >= 1 && fullSchemaProblems.get('unknown keys')! >= 4, JSON.stringify([...fullSchemaProblems]));
  });

  it('offers the fields and values the full schema offers, in the same order', async () => {
    const places = [
      '{ | }',
      '{ "loss": | }',
      '{ "layers": [ { "activation": | } ] }',
      '{ "layers": [ { | } ] }',
      '{ "optimizer": { "type": "adam", | } }',
      '{ "optimizer": { "type": | } }',
      '{ "batch": { "shuffle": | } }',
      '{ "data": { | } }',
    ];
    for (const place of places) {
      const offered = await completions(servedSchema(), place);
      assert.ok(offered.length > 0, `nothing offered at ${place}`);
      assert.deepEqual(offered, await completions(source, place), place);
    }
    assert.ok((await completions(servedSchema(), '{ "loss": | }')).includes('"cross-entropy"'));
  });

  it('keeps every description of the full schema for hover', () => {
    const descriptions = (schema: unknown): string[] =>
      JSON.stringify(schema).match(/"(?:markdownD|d)escription":"(?:[^"\\]|\\.)*"/g) ?? [];
    const served = new Set(descriptions(servedSchema()));
    const missing = descriptions(source).filter((d) => !served.has(d));
    assert.deepEqual(missing, []);
  });
});
