// Issue 10, item 9: no ghost problems, and each problem listed once. A model's problems leave the Problems panel when its
// document closes (an untitled model closed unsaved included), is deleted or is renamed.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { getLanguageService, TextDocument } from 'vscode-json-languageservice';
import { parseModelFile } from '../../../src/engine/model';
import {
  type JsonDialect,
  clearDiagnosticsWhenGone,
  explanationAt,
  jsonServiceDialect,
  listedByJsonService,
  problemsForEditor,
  toVscodeDiagnostics,
} from '../../../src/extension/modelDiagnostics';
import { DiagnosticSeverity, type Hover, Position, Range, installedExtensions, settings, workspaceEvents } from './vscodeStub';

describe('model diagnostics: none outlive their document', () => {
  it('closing, deleting and renaming remove the problems of exactly that document', () => {
    const deleted: unknown[] = [];
    const collection = { delete: (uri: unknown) => deleted.push(uri) } as unknown as vscode.DiagnosticCollection;
    const subscriptions = clearDiagnosticsWhenGone(collection);
    const untitled = 'untitled:/model-1.backprop.json';
    workspaceEvents.closed.fire({ uri: untitled });
    workspaceEvents.deleted.fire({ files: ['file:///a.backprop.json', 'file:///b.backprop.json'] });
    workspaceEvents.renamed.fire({ files: [{ oldUri: 'file:///old.backprop.json', newUri: 'file:///new.backprop.json' }] });
    assert.deepEqual(deleted, [untitled, 'file:///a.backprop.json', 'file:///b.backprop.json', 'file:///old.backprop.json']);
    for (const s of subscriptions) s.dispose();
    workspaceEvents.closed.fire({ uri: 'untitled:/model-2.backprop.json' });
    assert.equal(deleted.length, 4, 'no longer listening after dispose');
  });
});

// Item 9, every problem listed once: VS Code's JSON language service lists JSON syntax errors
// itself. The oracle below is that service (the library VS Code's JSON server is built on) with the
// settings the workbench's server passes it (code-server 4.100's jsonServerMain.js: JSONC ignores
// comments and warns about trailing commas; JSON reports both as errors).
describe('model diagnostics: a JSON syntax error is listed once, by VS Code or by us', () => {
  const model = '"layers": [ { "units": 1, "activation": "sigmoid" } ], "loss": "mse", "optimizer": { "type": "sgd", "learningRate": 0.1 }, "data": { "x": [[0, 1]], "y": [[1]] }';
  const broken: Record<string, string> = {
    'a missing comma': `{\n  "inputs": 2\n  ${model}\n}\n`,
    'a trailing comma': `{ "inputs": 2, ${model}, }`,
    'a comment': `{\n  // two inputs\n  "inputs": 2, ${model}\n}`,
    'single quotes': `{ 'inputs': 2, ${model} }`,
    'NaN': `{ "inputs": NaN, ${model} }`,
    'an unclosed object': `{ "inputs": 2, ${model}`,
  };

  async function vscodeJsonProblems(text: string, dialect: JsonDialect) {
    const service = getLanguageService({});
    const document = TextDocument.create('file:///w/m.backprop.json', dialect, 1, text);
    const settings = dialect === 'jsonc' ? { comments: 'ignore', trailingCommas: 'warning' } : { comments: 'error', trailingCommas: 'error' };
    return service.doValidation(document, service.parseJSONDocument(document), settings as never);
  }

  type LspRange = { start: { line: number; character: number }; end: { line: number; character: number } };
  const overlaps = (a: LspRange, b: vscode.Range) => {
    const theirs = new Range(a.start.line, a.start.character, a.end.line, a.end.character);
    return theirs.contains(b.start as Position) || (b as unknown as Range).contains(theirs.start);
  };

  for (const [name, text] of Object.entries(broken)) {
    it(`${name}: one error row in strict JSON, our words on hover; listed by us where VS Code does not list it`, async () => {
      const [problem] = parseModelFile(text).diagnostics;
      assert.ok(problem.syntax, `${name} is a syntax error: ${problem.message}`);
      for (const dialect of ['json', 'jsonc'] as const) {
        const { listed, explained } = problemsForEditor([problem], text, dialect);
        const theirs = (await vscodeJsonProblems(text, dialect)).filter((d) => overlaps(d.range, toVscodeDiagnostics([problem], text)[0].range));
        const theirErrors = theirs.filter((d) => d.severity === 1);
        if (theirErrors.length > 0) {
          assert.deepEqual([listed.length, explained.length], [0, 1], `${dialect}: VS Code lists "${theirErrors[0].message}", so ours is left out of Problems`);
          const hover = explanationAt(explained, explained[0].range.start) as unknown as Hover;
          assert.equal(hover.contents[0].text, `Backprop Stepper: ${problem.message}`);
        } else {
          assert.deepEqual([listed.length, explained.length], [1, 0], `${dialect}: VS Code does not list it as an error, so we do`);
          assert.equal(listed[0].severity, DiagnosticSeverity.Error);
          // what it does list is a warning (a trailing comma in JSONC) or nothing (a comment in JSONC)
          assert.ok(theirs.every((d) => d.severity === 2), `${dialect}: ${JSON.stringify(theirs)}`);
        }
      }
      // where VS Code's service does not validate the document, every problem is ours
      assert.deepEqual(problemsForEditor([problem], text, undefined).listed.map((d) => d.message), [toVscodeDiagnostics([problem], text)[0].message]);
    });
  }

  it('strict JSON leaves every kind of syntax error to VS Code; JSONC keeps comments and trailing commas ours', () => {
    const left = (dialect: JsonDialect) =>
      Object.entries(broken).filter(([, text]) => listedByJsonService(parseModelFile(text).diagnostics[0], dialect)).map(([name]) => name);
    assert.deepEqual(left('json'), Object.keys(broken));
    assert.deepEqual(left('jsonc'), ['a missing comma', 'single quotes', 'NaN', 'an unclosed object']);
  });

  it('a schema or semantic problem stays ours in every dialect', () => {
    const text = `{ "inputs": 2, "layers": [ { "units": 2, "activation": "sigmoid" } ], "loss": "mse", "optimizer": { "type": "sgd", "learningRate": "fast" }, "data": { "x": [[0, 1]], "y": [[1]] } }`;
    const problems = parseModelFile(text).diagnostics;
    assert.deepEqual(problems.map((p) => p.path), ['optimizer.learningRate', 'data.y[0]']);
    for (const dialect of ['json', 'jsonc', undefined] as const) {
      const { listed, explained } = problemsForEditor(problems, text, dialect);
      assert.deepEqual([listed.length, explained.length], [2, 0], String(dialect));
    }
  });

  describe('whether VS Code validates the document', () => {
    afterEach(() => {
      settings.clear();
      installedExtensions.add('vscode.json-language-features');
    });
    it('in the language it has: json and jsonc yes, any other language id no', () => {
      assert.equal(jsonServiceDialect({ languageId: 'json' }), 'json');
      assert.equal(jsonServiceDialect({ languageId: 'jsonc' }), 'jsonc');
      assert.equal(jsonServiceDialect({ languageId: 'plaintext' }), undefined);
    });
    it('not with json.validate.enable off', () => {
      settings.set('json.validate.enable', false);
      assert.equal(jsonServiceDialect({ languageId: 'json' }), undefined);
      settings.set('json.validate.enable', true);
      assert.equal(jsonServiceDialect({ languageId: 'json' }), 'json');
    });
    it('not with the built-in JSON extension disabled', () => {
      installedExtensions.delete('vscode.json-language-features');
      assert.equal(jsonServiceDialect({ languageId: 'json' }), undefined);
    });
  });
});
