// Checks every message from the explorer webview (untrusted content, DESIGN.md §1) and
// rebuilds it from the checked fields only. A rejection names the field and the problem.
import {
  EXPLORER_LIMITS as L, isExplorerView, type ExplorerRequest, type ExplorerWebviewMessage, type NormOrder,
} from '../../protocol/explorers';

class Rejection extends Error {}

function reject(path: string, problem: string): never {
  throw new Rejection(`${path}: ${problem}`);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) reject(path, 'expected an object');
  return value as Record<string, unknown>;
}

function finite(value: unknown, path: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) reject(path, `expected a finite number, got ${JSON.stringify(value) ?? typeof value}`);
  if (value < min || value > max) reject(path, `${value} is out of range ${min}..${max}`);
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  const n = finite(value, path, min, max);
  if (!Number.isInteger(n)) reject(path, `expected a whole number, got ${n}`);
  return n;
}

function list(value: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) reject(path, 'expected an array');
  if (value.length < min || value.length > max) reject(path, `expected ${min}..${max} entries, got ${value.length}`);
  return value;
}

function point(value: unknown, path: string): [number, number] {
  const [x, y] = list(value, path, 2, 2).map((v, i) => finite(v, `${path}[${i}]`, -L.coordinate, L.coordinate));
  return [x, y];
}

function order(value: unknown, path: string): NormOrder {
  return value === 'inf' ? 'inf' : finite(value, path, 1, L.maxOrder);
}

function request(raw: unknown): ExplorerRequest {
  const r = record(raw, 'request');
  if (!isExplorerView(r.view)) reject('request.view', `unknown view ${JSON.stringify(r.view)}`);
  switch (r.view) {
    case 'norms':
      return {
        view: 'norms',
        orders: list(r.orders, 'request.orders', 1, L.orders).map((o, i) => order(o, `request.orders[${i}]`)),
        a: point(r.a, 'request.a'),
        b: point(r.b, 'request.b'),
      };
    case 'information':
      return {
        view: 'information',
        p: list(r.p, 'request.p', 1, L.outcomes).map((v, i) => finite(v, `request.p[${i}]`)),
        q: list(r.q, 'request.q', 1, L.outcomes).map((v, i) => finite(v, `request.q[${i}]`)),
        bits: r.bits === true,
      };
    case 'activations':
      return { view: 'activations', slope: finite(r.slope, 'request.slope', L.slope.min, L.slope.max) };
    case 'expression': {
      if (typeof r.source !== 'string') reject('request.source', 'expected a string');
      if (r.source.length > L.expressionLength) reject('request.source', `longer than ${L.expressionLength} characters`);
      const raw = record(r.values, 'request.values');
      const names = Object.keys(raw);
      if (names.length > L.variables) reject('request.values', `more than ${L.variables} variables`);
      const values: Record<string, number> = {};
      for (const name of names) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) reject('request.values', `"${name}" is not a variable name`);
        values[name] = finite(raw[name], `request.values.${name}`);
      }
      return { view: 'expression', source: r.source, values };
    }
    case 'surface':
      return {
        view: 'surface',
        learningRate: finite(r.learningRate, 'request.learningRate', L.learningRate.min, L.learningRate.max),
        steps: integer(r.steps, 'request.steps', 1, L.steps),
      };
    case 'race':
      return { view: 'race', steps: integer(r.steps, 'request.steps', 1, L.steps) };
    case 'noise':
      return { view: 'noise', draws: integer(r.draws, 'request.draws', 10, L.draws) };
  }
}

export type ExplorerValidation = { ok: true; message: ExplorerWebviewMessage } | { ok: false; reason: string };

export function validateExplorerMessage(raw: unknown): ExplorerValidation {
  try {
    const m = record(raw, 'message');
    if (m.type === 'ready') return { ok: true, message: { type: 'ready' } };
    if (m.type === 'request') return { ok: true, message: { type: 'request', request: request(m.request) } };
    return reject('message.type', `unknown message type ${JSON.stringify(m.type)}`);
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.message };
    throw error;
  }
}
