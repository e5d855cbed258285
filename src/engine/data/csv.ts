// CSV to Dataset. RFC 4180: comma-separated, a header row, fields optionally in double quotes
// with "" for a quote inside; CRLF, LF (or a lone CR) end a record; a newline inside quotes is
// part of the field. Every problem is reported as file:line:column of the offending field.
// Columns named by `target` are the outputs; every other column is a numeric input.
// Cell and header text is echoed only as a short escaped excerpt: a file's content must not
// split a message into lines or reach a terminal as escape sequences.
import { excerpt } from '../model/words';
import type { Dataset } from '../types';

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = 'CsvError';
  }
}

export interface CsvOptions {
  /** Name shown in messages, e.g. the path as written in the model file. */
  file: string;
  targets: readonly string[];
  /**
   * How target columns become outputs: 'categorical' one-hot encodes by class name, 'numeric'
   * keeps the numbers (regression), 'auto' is categorical when any target cell is not a number.
   */
  targetKind: 'categorical' | 'numeric' | 'auto';
}

interface FieldStart {
  line: number;
  column: number;
}

/** Calls `onRecord` for each record with its fields and where each field starts. */
export function readCsvRecords(text: string, file: string, onRecord: (fields: string[], starts: FieldStart[]) => void): void {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first name
  let line = 1;
  let lineStart = i;
  const n = text.length;
  while (i < n) {
    const fields: string[] = [];
    const starts: FieldStart[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      starts.push({ line, column: i - lineStart + 1 });
      let value = '';
      if (text[i] === '"') {
        const open = { line, column: i - lineStart + 1 };
        i++;
        let closed = false;
        let chunkStart = i;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            value += text.slice(chunkStart, i);
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              chunkStart = i;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        if (!closed) throw new CsvError(file, open.line, open.column, 'this quoted field is never closed; end it with a double quote (write "" for a quote inside a field)');
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvError(file, line, i - lineStart + 1, `unexpected ${excerpt(text[i])} after a closing quote; a quoted field must be followed by a comma or the end of the line`);
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') {
            throw new CsvError(file, line, i - lineStart + 1, 'a double quote inside an unquoted field; quote the whole field and write the quote as ""');
          }
          i++;
        }
        value = text.slice(start, i);
      }
      fields.push(value);
      if (i >= n) endOfRecord = true;
      else if (text[i] === ',') i++;
      else {
        i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        lineStart = i;
        endOfRecord = true;
      }
    }
    // Blank lines (a record of one empty field) are skipped, as most CSV readers do.
    if (!(fields.length === 1 && fields[0] === '')) onRecord(fields, starts);
  }
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function parseNumber(cell: string): number | undefined {
  if (!DECIMAL.test(cell)) return undefined;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** A cell written as a decimal number too large for float64 (1e400). */
function overflows(cell: string): boolean {
  return DECIMAL.test(cell) && !Number.isFinite(Number(cell));
}

/** Class names in a stable order: numerically when every name is a number, else by code point. */
function sortClassNames(names: string[]): string[] {
  const numeric = names.every((s) => parseNumber(s) !== undefined);
  return [...names].sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
}

export function parseCsvDataset(text: string, options: CsvOptions): Dataset {
  const { file } = options;
  if (text.trim() === '') throw new CsvError(file, 1, 1, 'the file is empty; expected a header row of column names, then one row per sample');
  let header: string[] | undefined;
  let targetColumns: number[] = [];
  let inputColumns: number[] = [];
  const inputs: number[] = [];
  const targetCells: string[][] = [];
  const targetStarts: FieldStart[][] = [];
  readCsvRecords(text, file, (fields, starts) => {
    if (!header) {
      header = fields.map((f) => f.trim());
      ({ targetColumns, inputColumns } = columnRoles(header, starts, options));
      return;
    }
    if (fields.length !== header.length) {
      const at = fields.length > header.length ? starts[header.length] : { line: starts[0].line, column: starts[fields.length - 1].column };
      throw new CsvError(file, at.line, at.column, `this row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${header.length}; every row needs one value per column`);
    }
    for (const c of inputColumns) {
      const value = parseNumber(fields[c]);
      if (value === undefined) throw cellError(file, starts[c], header[c], fields[c], 'input');
      inputs.push(value);
    }
    targetCells.push(targetColumns.map((c) => fields[c].trim()));
    targetStarts.push(targetColumns.map((c) => starts[c]));
  });
  const names = header!;
  const samples = targetCells.length;
  if (samples === 0) throw new CsvError(file, 2, 1, 'the file has a header but no data rows');
  targetCells.forEach((row, r) =>
    row.forEach((cell, t) => {
      if (cell === '') throw cellError(file, targetStarts[r][t], names[targetColumns[t]], cell, 'target');
    }),
  );
  const categorical =
    options.targetKind === 'categorical' ||
    (options.targetKind === 'auto' && targetCells.some((row) => row.some((cell) => parseNumber(cell) === undefined)));
  const base = { samples, inputs: inputColumns.length, x: Float64Array.from(inputs), inputNames: inputColumns.map((c) => names[c]) };
  if (!categorical) {
    const y = new Float64Array(samples * targetColumns.length);
    targetCells.forEach((row, r) =>
      row.forEach((cell, t) => {
        const value = parseNumber(cell);
        if (value === undefined) throw cellError(file, targetStarts[r][t], names[targetColumns[t]], cell, 'target');
        y[r * targetColumns.length + t] = value;
      }),
    );
    return { ...base, y, outputs: targetColumns.length, outputNames: targetColumns.map((c) => names[c]) };
  }
  if (targetColumns.length !== 1) {
    throw new CsvError(file, 1, 1, `class labels are one-hot encoded from one target column, but ${targetColumns.length} are named; name one categorical column, or several numeric ones for regression`);
  }
  const classes = sortClassNames([...new Set(targetCells.map((row) => row[0]))]);
  const classIndex = new Map(classes.map((name, k) => [name, k]));
  const y = new Float64Array(samples * classes.length);
  targetCells.forEach((row, r) => {
    y[r * classes.length + classIndex.get(row[0])!] = 1;
  });
  return { ...base, y, outputs: classes.length, outputNames: classes };
}

function columnRoles(header: string[], starts: FieldStart[], options: CsvOptions): { targetColumns: number[]; inputColumns: number[] } {
  const seen = new Map<string, number>();
  header.forEach((name, c) => {
    if (name === '') throw new CsvError(options.file, starts[c].line, starts[c].column, `column ${c + 1} of the header has no name; every column needs one`);
    if (seen.has(name)) throw new CsvError(options.file, starts[c].line, starts[c].column, `the header names ${excerpt(name)} twice (columns ${seen.get(name)! + 1} and ${c + 1}); column names must be unique`);
    seen.set(name, c);
  });
  const targetColumns = options.targets.map((t) => {
    const c = seen.get(t);
    if (c === undefined) throw new MissingColumnError(options.file, t, header);
    return c;
  });
  const inputColumns = header.map((_, c) => c).filter((c) => !targetColumns.includes(c));
  if (inputColumns.length === 0) throw new CsvError(options.file, 1, 1, 'every column is a target, so there are no inputs; a CSV needs at least one input column besides the targets');
  return { targetColumns, inputColumns };
}

const MAX_LISTED_COLUMNS = 10;

/** A target named in the model file that the header does not have (reported at data.target). */
export class MissingColumnError extends Error {
  constructor(
    readonly file: string,
    readonly column: string,
    readonly header: readonly string[],
  ) {
    const shown = header.slice(0, MAX_LISTED_COLUMNS).map((h) => excerpt(h)).join(', ');
    const more = header.length > MAX_LISTED_COLUMNS ? `, ... (${header.length} columns)` : '';
    super(`${excerpt(file, 120)} has no column ${excerpt(column)}; its columns are ${shown}${more}`);
    this.name = 'MissingColumnError';
  }
}

function cellError(file: string, at: FieldStart, column: string, cell: string, role: 'input' | 'target'): CsvError {
  if (cell.trim() === '') {
    return new CsvError(file, at.line, at.column, `missing value in column ${excerpt(column)}; missing values are not filled in: write a number or remove the row`);
  }
  if (overflows(cell)) {
    return new CsvError(file, at.line, at.column, `${excerpt(cell.trim())} in column ${excerpt(column)} overflows: it is too large for a float64 number (the largest is about 1.8e308)`);
  }
  const what = role === 'input' ? 'input columns must hold numbers (every column not named in "target" is an input)' : 'numeric target columns must hold numbers';
  return new CsvError(file, at.line, at.column, `${excerpt(cell)} in column ${excerpt(column)} is not a number; ${what}`);
}
