// CSV data: RFC 4180 quoting, and each kind of bad file named by file:line:column; the size
// limit; target columns; and normalization statistics taken from the training rows only.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvError, parseCsvDataset } from '../../src/engine/data/csv';
import { MAX_CSV_BYTES } from '../../src/engine/limits';
import type { DataFileReader } from '../../src/engine/data/files';
import { nodeFileReader } from '../../src/engine/data/nodeFiles';
import { loadModel } from '../../src/engine/model';

const parse = (text: string, targets = ['label'], targetKind: 'auto' | 'categorical' = 'auto') =>
  parseCsvDataset(text, { file: 'd.csv', targets, targetKind });

function expectCsvError(text: string, line: number, column: number, words: RegExp): void {
  assert.throws(
    () => parse(text),
    (e: unknown) => {
      assert.ok(e instanceof CsvError, String(e));
      assert.deepEqual([e.line, e.column], [line, column], e.message);
      assert.ok(e.message.startsWith(`d.csv:${line}:${column}: `));
      assert.match(e.message, words);
      return true;
    },
  );
}

/** An in-memory reader that counts reads, standing in for the VS Code workspace. */
function memoryReader(files: Record<string, string>, sizes: Record<string, number> = {}): DataFileReader & { reads: number } {
  const reader = {
    reads: 0,
    locate: (p: string) => (p in files ? { ok: true as const, size: sizes[p] ?? Buffer.byteLength(files[p]) } : { ok: false as const, reason: 'missing' as const }),
    readText: (p: string, maxBytes: number) => {
      reader.reads++;
      return Buffer.byteLength(files[p]) > maxBytes ? undefined : files[p];
    },
  };
  return reader;
}

function modelText(data: object, extra: object = {}): string {
  return JSON.stringify({ inputs: 2, layers: [{ units: 2, activation: 'softmax' }], loss: 'cross-entropy', optimizer: { type: 'sgd', learningRate: 0.1 }, data, ...extra }, null, 2);
}

describe('CSV loader', () => {
  it('reads quoted fields: commas, doubled quotes and newlines inside quotes', () => {
    const d = parse('"a, the first",b,label\r\n1,2,"x ""quoted"""\n3,"4","two\nlines"\n');
    assert.deepEqual(d.inputNames, ['a, the first', 'b']);
    assert.deepEqual([...d.x], [1, 2, 3, 4]);
    assert.deepEqual(d.outputNames, ['two\nlines', 'x "quoted"']);
    assert.deepEqual([...d.y], [0, 1, 1, 0]);
  });

  it('counts lines inside quoted fields when reporting later errors', () => {
    expectCsvError('a,b,label\n1,2,"multi\nline"\n3,oops,y\n', 4, 3, /"oops" in column "b" is not a number/);
  });

  it('an unclosed quote is reported where it opens', () => {
    expectCsvError('a,b,label\n1,2,x\n3,"4,y\n', 3, 3, /quoted field is never closed/);
  });

  it('a quote inside an unquoted field', () => {
    expectCsvError('a,b,label\n1,2 "in",x\n', 2, 5, /double quote inside an unquoted field/);
  });

  it('text after a closing quote', () => {
    expectCsvError('a,b,label\n1,"2"3,x\n', 2, 6, /after a closing quote/);
  });

  it('missing values', () => {
    expectCsvError('a,b,label\n1,2,x\n3,,y\n', 3, 3, /missing value in column "b"/);
    expectCsvError('a,b,label\n1,2,x\n3,4,\n', 3, 5, /missing value in column "label"/);
  });

  it('non-numeric cells', () => {
    expectCsvError('a,b,label\n1,2,x\nNaN,4,y\n', 3, 1, /"NaN" in column "a" is not a number/);
  });

  it('ragged rows: too many and too few fields', () => {
    expectCsvError('a,b,label\n1,2,x,9\n', 2, 7, /4 fields but the header has 3/);
    expectCsvError('a,b,label\n1,2\n', 2, 3, /2 fields but the header has 3/);
  });

  it('an empty file and a file with only a header', () => {
    expectCsvError('', 1, 1, /the file is empty/);
    expectCsvError('a,b,label\n', 2, 1, /no data rows/);
  });

  it('duplicate column names', () => {
    expectCsvError('a,a,label\n1,2,x\n', 1, 3, /names "a" twice/);
  });

  it('categorical targets become one-hot rows in sorted class order; numeric ones stay numbers', () => {
    const c = parse('a,b,label\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n');
    assert.deepEqual(c.outputNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual([...c.y], [0, 0, 1, 1, 0, 0, 0, 1, 0]);
    const r = parse('a,t1,b,t2\n1,0.5,2,-1\n3,1.5,4,2e3\n', ['t1', 't2']);
    assert.deepEqual([...r.x], [1, 2, 3, 4]);
    assert.deepEqual([...r.y], [0.5, -1, 1.5, 2000]);
    assert.equal(r.outputs, 2);
    const numericClasses = parse('a,label\n1,10\n2,9\n3,2\n', ['label'], 'categorical');
    assert.deepEqual(numericClasses.outputNames, ['2', '9', '10']);
  });

  it('a target column the header lacks is reported at data.target with a suggestion', () => {
    const text = modelText({ csv: 'd.csv', target: 'lable' });
    const { diagnostics } = loadModel(text, { files: memoryReader({ 'd.csv': 'a,b,label\n1,2,x\n' }) });
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].path, 'data.target');
    assert.match(diagnostics[0].message, /has no column "lable".*did you mean "label"/);
    assert.equal(diagnostics[0].line, text.split('\n').findIndex((l) => l.includes('"target"')) + 1);
  });

  it('CSV errors from loadModel name the CSV place and sit on data.csv in the model file', () => {
    const text = modelText({ csv: 'd.csv', target: 'label' });
    const { diagnostics, data } = loadModel(text, { files: memoryReader({ 'd.csv': 'a,b,label\n1,2,x\n3,?,y\n' }) });
    assert.equal(data, undefined);
    assert.equal(diagnostics[0].path, 'd.csv:3:3');
    assert.match(diagnostics[0].message, /^data.csv: d.csv:3:3: "\?" in column "b"/);
    assert.equal(diagnostics[0].line, text.split('\n').findIndex((l) => l.includes('"csv"')) + 1);
  });

  it('a missing CSV file is reported at data.csv', () => {
    const { diagnostics } = loadModel(modelText({ csv: 'nowhere.csv', target: 'label' }), { files: memoryReader({}) });
    assert.equal(diagnostics[0].path, 'data.csv');
    assert.match(diagnostics[0].message, /"nowhere.csv" not found/);
  });

  it('a 50 MB file is refused by its size, before it is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-csv-'));
    try {
      const row = '0.123456,0.654321,x\n';
      const rows = Math.ceil((50 * 1024 * 1024) / row.length);
      writeFileSync(join(dir, 'big.csv'), 'a,b,label\n' + row.repeat(rows));
      const disk = nodeFileReader(dir);
      let reads = 0;
      const counting: DataFileReader = { locate: (p) => disk.locate(p), readText: (p, max) => (reads++, disk.readText(p, max)) };
      const { diagnostics, data } = loadModel(modelText({ csv: 'big.csv', target: 'label' }), { files: counting });
      assert.equal(data, undefined);
      assert.equal(reads, 0);
      assert.equal(diagnostics[0].path, 'data.csv');
      assert.match(diagnostics[0].message, new RegExp(`is 50\\.0 MiB \\([\\d,]+ bytes\\); data files up to ${MAX_CSV_BYTES / 1024 / 1024} MiB are loaded`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('normalization is fitted on the training rows only (no statistics leak from validation/test)', () => {
    const lines = ['a,b,label'];
    for (let i = 0; i < 40; i++) lines.push(`${i},${(i * 7) % 11},${i % 2 ? 'odd' : 'even'}`);
    const csv = lines.join('\n');
    const text = modelText({ csv: 'd.csv', target: 'label', normalize: 'standard' }, { split: { train: 0.5, validation: 0.25, test: 0.25 } });
    const { data, normalization, diagnostics } = loadModel(text, { files: memoryReader({ 'd.csv': csv }) });
    assert.deepEqual(diagnostics, []);
    const raw = lines.slice(1).map((l) => l.split(',').slice(0, 2).map(Number));
    const train = data!.split.train;
    for (let j = 0; j < 2; j++) {
      const values = train.map((r) => raw[r][j]);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      assert.ok(Math.abs(normalization!.offset[j] - mean) < 1e-12);
      assert.ok(Math.abs(normalization!.scale[j] - std) < 1e-12);
      const allMean = raw.reduce((s, row) => s + row[j], 0) / raw.length;
      assert.notEqual(normalization!.offset[j], allMean, 'the fit must not see every row');
      // Every row (also test rows) is scaled with the training statistics.
      const t = data!.split.test[0];
      assert.ok(Math.abs(data!.dataset.x[t * 2 + j] - (raw[t][j] - mean) / std) < 1e-12);
    }
  });
});
