// The project's own model-file fuzzer (issue 11). Seeded: case k of seed s is always the same
// file. It mutates every example and fixture model (structure, types, extreme numbers, nesting,
// encodings, data paths, sizes), runs each through the real CLI (`node dist/cli.js run F
// --steps 3 --json`) in a small pool of processes, and sorts each outcome into one of:
//   ok            exit 0 and every stdout line is a JSON object
//   clean error   exit 1 or 2, every stderr line a located `file:line:column: error: …` (or
//                 `file: error: …` for a training stop), printable, no stack trace
//   stack trace   a stack frame or "internal error" (exit 70) in the output
//   crash         any other exit (a signal, an unknown code) or unreadable output
//   timeout       more than the time limit of CPU time, or 15 times the limit on the wall clock
//                 (a process blocked on a read uses no CPU); killed. CPU time, because on a shared,
//                 loaded machine the wall clock of a quick run says more about the neighbours.
//   memory        peak resident memory above the budget (killed)
// Only the first two are acceptable. Used by test/fuzz/modelFuzz.test.ts (a few hundred cases)
// and scripts/fuzz.ts (`npm run fuzz -- --cases 5000`).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Rng } from '../../src/engine/rng';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export const OUTCOMES = ['ok', 'clean error', 'stack trace', 'crash', 'timeout', 'memory'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const ACCEPTABLE: readonly Outcome[] = ['ok', 'clean error'];

export interface FuzzCase {
  index: number;
  seedFile: string; // the example or fixture it mutates, relative to the repository
  mutations: string[]; // what was done, in order
  bytes: Buffer; // the model file as written to disk
}

export interface CaseResult {
  fuzzCase: FuzzCase;
  outcome: Outcome;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  peakMiB: number;
  seconds: number; // wall clock
  cpuSeconds: number; // user + system, as last sampled
  detail: string; // the first lines of stderr, for the report
}

/** Every model file in examples/ and test/ (the seeds that are mutated). */
export function seedFiles(): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') visit(path);
      else if (entry.name.endsWith('.backprop.json')) found.push(path);
    }
  };
  visit('examples');
  visit('test');
  return found.sort();
}

// ---- mutations of the parsed JSON value

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** One of `items` (undefined when there are none). */
const pick = <T>(rng: Rng, items: readonly T[]): T => items[items.length === 0 ? 0 : rng.int(items.length)];

/** Every path to a value in `value` (the root is []), down to 30 levels. */
function allPaths(value: Json, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (path.length >= 30) return out;
  if (Array.isArray(value)) value.slice(0, 50).forEach((v, i) => allPaths(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const k of Object.keys(value)) allPaths(value[k], [...path, k], out);
  return out;
}

function getAt(value: Json, path: Path): Json {
  return path.reduce<Json>((v, k) => (v as Record<string, Json>)[k as string], value);
}

function setAt(value: Json, path: Path, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const parent = getAt(value, path.slice(0, -1)) as Record<string, Json>;
  parent[path[path.length - 1] as string] = replacement;
  return value;
}

function deleteAt(value: Json, path: Path): void {
  if (path.length === 0) return;
  const parent = getAt(value, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, Json>)[key as string];
}

const EXTREME_NUMBERS = [0, -0, -1, 1, 2, 0.5, 1e-300, 5e-324, 1e308, -1e308, 2 ** 53 + 2, 4096, 4097, 65, 64, 1e6, 1e6 + 1, 1e7, 1e9, 2 ** 31, -(2 ** 31), 1000, 1001, 1250, 3.5];
const STRANGE_STRINGS = ['', ' ', 'relu', 'softmax', 'newton', 'levenberg-marquardt', 'lbfgs', 'conjugate-gradient', 'adam', 'cross-entropy', 'mse', 'batch', 'mini-batch', 'stochastic', '\u001b[31mred\u001b[0m', 'line\nbreak', '\u202eevil', '\ud800', 'x'.repeat(300), '0', '1e400', 'NaN', '__proto__', 'constructor'];
const KEYS = ['inputs', 'layers', 'units', 'activation', 'loss', 'optimizer', 'type', 'learningRate', 'data', 'x', 'y', 'csv', 'target', 'generator', 'samples', 'batch', 'mode', 'size', 'split', 'train', 'test', 'validation', 'regularization', 'l1', 'l2', 'maxIter', 'historySize', 'weights', 'bias', 'seed', '__proto__', 'constructor', 'toString'];

function randomValue(rng: Rng, depth = 0): Json {
  switch (rng.int(depth > 2 ? 4 : 6)) {
    case 0: return pick(rng, EXTREME_NUMBERS);
    case 1: return pick(rng, STRANGE_STRINGS);
    case 2: return pick(rng, [null, true, false]);
    case 3: return rng.uniform() * 10 - 5;
    case 4: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rng.int(3) }, () => [pick(rng, KEYS), randomValue(rng, depth + 1)]));
  }
}

/** Data paths a hostile or careless file might name, each set up in the case folder where needed. */
const DATA_PATHS = ['/proc/self/environ', '/etc/passwd', '/etc/shadow', '../../../../../etc/hostname', '/dev/zero', '/dev/urandom', '/proc/self/pagemap', 'link-out.csv', 'fifo.csv', '.', 'big.csv', 'hostile.csv', 'overflow.csv', 'empty.csv', 'wide.csv', 'ok.csv', 'missing.csv', 'ok.csv\u0000.txt', '\u001b[2J.csv'];

type Mutation = (value: Json, rng: Rng) => { value: Json; note: string };

const VALUE_MUTATIONS: Record<string, Mutation> = {
  'delete a value': (value, rng) => {
    const path = pick(rng, allPaths(value).filter((p) => p.length > 0));
    if (path) deleteAt(value, path);
    return { value, note: `delete ${JSON.stringify(path)}` };
  },
  'replace a value with another type': (value, rng) => {
    const path = pick(rng, allPaths(value));
    return { value: setAt(value, path, randomValue(rng)), note: `retype ${JSON.stringify(path)}` };
  },
  'extreme number': (value, rng) => {
    const numbers = allPaths(value).filter((p) => typeof getAt(value, p) === 'number');
    const path = numbers.length ? pick(rng, numbers) : pick(rng, allPaths(value));
    const n = pick(rng, EXTREME_NUMBERS) * (rng.uniform() < 0.2 ? -1 : 1);
    return { value: setAt(value, path, n), note: `number ${JSON.stringify(path)} = ${n}` };
  },
  'add an unknown or known key': (value, rng) => {
    const objects = allPaths(value).filter((p) => { const v = getAt(value, p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
    const path = pick(rng, objects);
    const key = pick(rng, KEYS);
    if (path) (getAt(value, path) as Record<string, Json>)[key] = randomValue(rng);
    return { value, note: `add ${key} at ${JSON.stringify(path)}` };
  },
  'wrap in arrays': (value, rng) => {
    const path = pick(rng, allPaths(value));
    let wrapped = getAt(value, path);
    const depth = pick(rng, [1, 2, 5, 17, 100]);
    for (let i = 0; i < depth; i++) wrapped = [wrapped];
    return { value: setAt(value, path, wrapped), note: `wrap ${JSON.stringify(path)} in ${depth} arrays` };
  },
  'data path': (value, rng) => {
    const path = pick(rng, DATA_PATHS);
    const root = value as Record<string, Json>;
    if (root && typeof root === 'object' && !Array.isArray(root)) root.data = { csv: path, target: pick(rng, ['label', 'y', 'missing']) };
    return { value, note: `data.csv = ${JSON.stringify(path)}` };
  },
  'big network': (value, rng) => {
    const root = value as Record<string, Json>;
    if (!root || typeof root !== 'object' || Array.isArray(root)) return { value, note: 'big network (not an object)' };
    const units = pick(rng, [64, 256, 1000, 2048, 4096]);
    const count = pick(rng, [1, 2, 8, 64]);
    root.layers = [...Array.from({ length: count }, () => ({ units, activation: pick(rng, ['relu', 'tanh', 'sigmoid']) })), { units: 1, activation: 'sigmoid' }];
    if (rng.uniform() < 0.5) root.inputs = pick(rng, [2, 1024, 4096]);
    return { value, note: `${count} layers of ${units} units` };
  },
  'many samples': (value, rng) => {
    const root = value as Record<string, Json>;
    if (!root || typeof root !== 'object' || Array.isArray(root)) return { value, note: 'many samples (not an object)' };
    const samples = pick(rng, [1000, 100_000, 1_000_000]);
    root.data = { generator: pick(rng, ['xor', 'spiral', 'linear', 'circles']), samples };
    root.batch = pick<Json>(rng, [{ mode: 'batch' }, { mode: 'mini-batch', size: pick(rng, [1, 32, 100_000]) }, { mode: 'stochastic' }]);
    return { value, note: `generator with ${samples} samples, batch ${JSON.stringify(root.batch)}` };
  },
  'many inline rows': (value, rng) => {
    const root = value as Record<string, Json>;
    if (!root || typeof root !== 'object' || Array.isArray(root)) return { value, note: 'many rows (not an object)' };
    const rows = pick(rng, [1000, 50_000, 150_000]);
    const inputs = typeof root.inputs === 'number' && root.inputs > 0 && root.inputs < 50 ? root.inputs : 2;
    root.data = { x: Array.from({ length: rows }, (_, r) => Array.from({ length: inputs }, (_, c) => ((r * 7 + c) % 13) / 13)), y: Array.from({ length: rows }, (_, r) => [r % 2]) };
    return { value, note: `${rows} inline rows` };
  },
  'second-order optimizer': (value, rng) => {
    const root = value as Record<string, Json>;
    if (!root || typeof root !== 'object' || Array.isArray(root)) return { value, note: 'optimizer (not an object)' };
    const type = pick(rng, ['newton', 'levenberg-marquardt', 'lbfgs', 'conjugate-gradient']);
    root.optimizer = { type, maxIter: pick(rng, [1, 20, 1000, 1_000_000_000]) };
    if (rng.uniform() < 0.3) root.regularization = { l1: pick(rng, [0, 0.01, 1e200]), l2: pick(rng, [0, 1e200]) };
    return { value, note: `optimizer ${JSON.stringify(root.optimizer)}` };
  },
};

type TextMutation = (text: string, rng: Rng) => { text: string; note: string };

const TEXT_MUTATIONS: Record<string, TextMutation> = {
  'truncate': (text, rng) => {
    const at = rng.int(text.length + 1);
    return { text: text.slice(0, at), note: `truncate at ${at}` };
  },
  'duplicate a key': (text, rng) => {
    const keys = [...text.matchAll(/"([A-Za-z]+)":/g)];
    if (keys.length === 0) return { text, note: 'duplicate a key (none)' };
    const m = pick(rng, keys);
    return { text: `${text.slice(0, m.index)}"${m[1]}": ${JSON.stringify(randomValue(rng))}, ${text.slice(m.index)}`, note: `duplicate "${m[1]}"` };
  },
  'deep nesting': (text, rng) => {
    const depth = pick(rng, [15, 16, 17, 1_900, 10_000, 200_000]);
    const open = rng.uniform() < 0.5 ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    const at = text.indexOf('{') + 1;
    return { text: `${text.slice(0, at)}"deep": ${open.repeat(depth)}1${close.repeat(depth)}, ${text.slice(at)}`, note: `nest ${depth} deep with ${open}` };
  },
  'byte-order mark': (text) => ({ text: `\uFEFF${text}`, note: 'BOM' }),
  'control characters': (text, rng) => {
    const at = rng.int(text.length + 1);
    const junk = pick(rng, ['\u0000', '\u001b[31m', '\u0007', '\r', '\u2028', '\u009b', '\ufffe', '\ud800']);
    return { text: text.slice(0, at) + junk + text.slice(at), note: `insert ${JSON.stringify(junk)} at ${at}` };
  },
  'comments and trailing commas': (text, rng) => {
    const choice = rng.int(3);
    if (choice === 0) return { text: `// a comment\n${text}`, note: 'comment' };
    if (choice === 1) return { text: text.replace(/\}\s*$/, ',}'), note: 'trailing comma' };
    return { text: text.replace(/: (-?\d+(\.\d+)?)/, ': NaN'), note: 'NaN literal' };
  },
  'huge number literal': (text, rng) => {
    const m = pick(rng, [...text.matchAll(/(?<=: )-?\d+(\.\d+)?/g)]);
    if (!m) return { text, note: 'huge number (none)' };
    const literal = pick(rng, ['1e400', '-1e400', '1e-400', '123456789012345678901234567890', '0.' + '0'.repeat(400) + '1', '1'.repeat(400)]);
    return { text: text.slice(0, m.index) + literal + text.slice(m.index! + m[0].length), note: `number literal ${literal.slice(0, 20)}` };
  },
};

type ByteMutation = (bytes: Buffer, rng: Rng) => { bytes: Buffer; note: string };

const BYTE_MUTATIONS: Record<string, ByteMutation> = {
  'UTF-16': (bytes) => ({ bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('utf8'), 'utf16le')]), note: 'UTF-16LE with BOM' }),
  'invalid UTF-8': (bytes, rng) => {
    const at = rng.int(bytes.length + 1);
    return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), bytes.subarray(at)]), note: `invalid UTF-8 at ${at}` };
  },
  'flip bytes': (bytes, rng) => {
    const copy = Buffer.from(bytes);
    const n = 1 + rng.int(4);
    for (let i = 0; i < n && copy.length; i++) copy[rng.int(copy.length)] = rng.int(256);
    return { bytes: copy, note: `flip ${n} bytes` };
  },
  'padding to the size limit': (bytes, rng) => {
    const size = pick(rng, [4 * 1024 * 1024 - 10, 4 * 1024 * 1024 + 1, 12 * 1024 * 1024]);
    const text = bytes.toString('utf8');
    const at = text.lastIndexOf('}');
    if (at < 0) return { bytes, note: 'pad (no object)' };
    const pad = Math.max(0, size - bytes.length - 20);
    return { bytes: Buffer.from(`${text.slice(0, at)}, "description": "${'x'.repeat(pad)}"${text.slice(at)}`), note: `pad to ${size} bytes` };
  },
};

/** Case `index` of the run seeded `seed`: the same file every time. */
export function makeCase(seed: number, index: number, seeds: readonly string[]): FuzzCase {
  const rng = new Rng((seed * 1_000_003 + index * 7919 + 1) >>> 0);
  const seedFile = pick(rng, seeds);
  let text = readFileSync(join(ROOT, seedFile), 'utf8');
  const mutations: string[] = [];
  const count = 1 + rng.int(3);
  for (let m = 0; m < count; m++) {
    const family = rng.uniform();
    if (family < 0.6) {
      const name = pick(rng, Object.keys(VALUE_MUTATIONS));
      const indent = rng.uniform() < 0.5 ? 2 : undefined;
      try {
        const result = VALUE_MUTATIONS[name](JSON.parse(text) as Json, rng);
        text = JSON.stringify(result.value, null, indent) ?? 'undefined';
        mutations.push(`${name}: ${result.note}`);
      } catch {
        // An earlier text mutation left no JSON value (or one too deep for this process to walk):
        // value mutations have nothing to work on.
      }
    } else {
      const name = pick(rng, Object.keys(TEXT_MUTATIONS));
      const result = TEXT_MUTATIONS[name](text, rng);
      text = result.text;
      mutations.push(`${name}: ${result.note}`);
    }
  }
  let bytes: Buffer = Buffer.from(text, 'utf8');
  if (rng.uniform() < 0.12) {
    const name = pick(rng, Object.keys(BYTE_MUTATIONS));
    const result = BYTE_MUTATIONS[name](bytes, rng);
    bytes = result.bytes;
    mutations.push(`${name}: ${result.note}`);
  }
  return { index, seedFile, mutations, bytes };
}

/** The data files the cases may name, made once per run in `dir` (the case files are written beside them). */
export function prepareDataFolder(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const row = '0.5,0.25,1\n';
  writeFileSync(join(dir, 'ok.csv'), 'a,b,label\n' + '0,0,0\n1,1,0\n0,1,1\n1,0,1\n');
  writeFileSync(join(dir, 'big.csv'), 'a,b,label\n' + row.repeat(Math.ceil((10 * 1024 * 1024) / row.length) + 1));
  writeFileSync(join(dir, 'hostile.csv'), 'a,"b\u001b[31m\nred",label\n1,"\u001b]0;title\u0007\u001b[2J",x\n');
  writeFileSync(join(dir, 'overflow.csv'), 'a,b,label\n1,1e400,1\n');
  writeFileSync(join(dir, 'empty.csv'), '');
  writeFileSync(join(dir, 'wide.csv'), Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',') + ',label\n' + '1,'.repeat(5000) + '0\n');
  symlinkSync('/etc/passwd', join(dir, 'link-out.csv'));
  execFileSync('mkfifo', [join(dir, 'fifo.csv')]);
  // The CSV files next to the seeds (fixtures that name one).
  for (const seed of seedFiles()) {
    for (const entry of readdirSync(join(ROOT, dirname(seed)))) {
      if (entry.endsWith('.csv')) copyFileSync(join(ROOT, dirname(seed), entry), join(dir, `seed-${entry}`));
    }
  }
}

/** Peak resident memory of a live process in MiB (VmHWM), or undefined once it is gone. */
function peakMiB(pid: number): number | undefined {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ
/** A run whose wall clock exceeds the CPU limit this many times is taken to hang (seen: 20× CPU on a machine at load 22). */
const WALL_CLOCK_FACTOR = 15;

/** CPU seconds (user + system) a live process has used, or undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const LOCATED = /^.+?(:\d+:\d+)?: (error|warning): \S/;
const STACK = /^\s+at .+(\(|:\d+:\d+)|internal error|Maximum call stack|node:internal|^\w*Error: /m;

/** What came out on stdout, checked line by line as it arrived (a step's line can be 100 MB). */
export interface StdoutSummary {
  lines: number;
  notJson: number;
  start: string; // the first characters, to look for a stack trace
}

/** Sorts one finished run into an outcome. */
export function classify(exitCode: number | null, signal: NodeJS.Signals | null, stdout: StdoutSummary, stderr: string): { outcome: Outcome; why?: string } {
  if (STACK.test(stderr) || STACK.test(stdout.start) || exitCode === 70) return { outcome: 'stack trace' };
  if (signal !== null) return { outcome: 'crash', why: `signal ${signal}` };
  const printable = !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(stderr);
  if (exitCode === 0) {
    if (stdout.lines === 0 || stdout.notJson > 0) return { outcome: 'crash', why: `exit 0 with ${stdout.lines} lines on stdout, ${stdout.notJson} of them not JSON objects` };
    if (!printable || !stderr.split('\n').filter((l) => l).every((l) => LOCATED.test(l))) return { outcome: 'crash', why: 'exit 0 with an unlocated or unprintable message' };
    return { outcome: 'ok' };
  }
  if (exitCode === 1 || exitCode === 2) {
    const lines = stderr.split('\n').filter((l) => l !== '');
    if (lines.length === 0) return { outcome: 'crash', why: `exit ${exitCode} without a message` };
    if (!printable) return { outcome: 'crash', why: 'a message with control characters' };
    const located = exitCode === 2 ? lines.every((l) => /^error: \S/.test(l)) : lines.every((l) => LOCATED.test(l));
    if (!located) return { outcome: 'crash', why: 'an unlocated message' };
    return { outcome: 'clean error' };
  }
  return { outcome: 'crash', why: `exit code ${exitCode}` };
}

export interface RunOptions {
  timeoutMs: number;
  memoryMiB: number;
  cli?: string; // the CLI bundle to run (default dist/cli.js)
}

/** Runs one case's file through the CLI in `dir` and classifies what happened. */
export function runCase(fuzzCase: FuzzCase, dir: string, options: RunOptions): Promise<CaseResult> {
  const file = join(dir, `case-${fuzzCase.index}.backprop.json`);
  writeFileSync(file, fuzzCase.bytes);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [options.cli ?? CLI, 'run', basename(file), '--steps', '3', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: StdoutSummary = { lines: 0, notJson: 0, start: '' };
    let pending: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.start.length < 2000) stdout.start += d.toString('utf8', 0, 2000);
      for (let from = 0; ; ) {
        const end = d.indexOf(10, from);
        if (end < 0) {
          if (from < d.length) pending.push(d.subarray(from));
          break;
        }
        const line = Buffer.concat([...pending, d.subarray(from, end)]).toString('utf8');
        pending = [];
        from = end + 1;
        stdout.lines++;
        try {
          const value: unknown = JSON.parse(line);
          if (value === null || typeof value !== 'object') stdout.notJson++;
        } catch {
          stdout.notJson++;
        }
      }
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = stderr.length < 200_000 ? stderr + d.toString('utf8') : stderr));
    let peak = 0;
    let cpu = 0;
    let killedFor: Outcome | undefined;
    const watch = setInterval(() => {
      peak = Math.max(peak, peakMiB(child.pid!) ?? 0);
      cpu = Math.max(cpu, cpuSeconds(child.pid!) ?? 0);
      if (peak > options.memoryMiB && !killedFor) {
        killedFor = 'memory';
        child.kill('SIGKILL');
      } else if ((cpu * 1000 > options.timeoutMs || Date.now() - started > WALL_CLOCK_FACTOR * options.timeoutMs) && !killedFor) {
        killedFor = 'timeout';
        child.kill('SIGKILL');
      }
    }, 100);
    child.on('close', (exitCode, signal) => {
      clearInterval(watch);
      if (pending.length > 0) {
        stdout.lines++;
        stdout.notJson++; // output that does not end with a newline
      }
      rmSync(file, { force: true });
      const classified = killedFor ? { outcome: killedFor } : classify(exitCode, signal, stdout, stderr);
      const detail = [classified.why, stderr.split('\n').slice(0, 3).join(' | ').slice(0, 400)].filter(Boolean).join(': ');
      resolve({ fuzzCase, outcome: classified.outcome, exitCode, signal, peakMiB: peak, seconds: (Date.now() - started) / 1000, cpuSeconds: cpu, detail });
    });
  });
}

/** Runs cases [0, count) of `seed` with `workers` processes at a time. */
export async function fuzz(seed: number, count: number, workers: number, options: RunOptions, onResult?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-fuzz-'));
  try {
    prepareDataFolder(dir);
    const seeds = seedFiles();
    const results: CaseResult[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const result = await runCase(makeCase(seed, next++, seeds), dir, options);
        results.push(result);
        onResult?.(result);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    return results.sort((a, b) => a.fuzzCase.index - b.fuzzCase.index);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts per outcome, as a Markdown table. */
export function outcomeTable(results: readonly CaseResult[]): string {
  const rows = OUTCOMES.map((o) => `| ${o} | ${results.filter((r) => r.outcome === o).length} |`);
  return ['| outcome | cases |', '| --- | ---: |', ...rows, `| total | ${results.length} |`].join('\n');
}
