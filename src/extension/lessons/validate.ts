// Checks every message from the explorer webview (untrusted content, DESIGN.md §1) and
// rebuilds it from the checked fields only. A rejection names the field and the problem.
import { MAX_EXPRESSION_LENGTH } from '../../engine/expression';
import {
  EXPLORER_LIMITS as L, isExplorerView, type ExplorerRequest, type ExplorerWebviewMessage, type NormOrder,
} from '../../protocol/explorers';
import { checked, describe, finite, integer, list, object, reject, text } from '../../protocol/check';
import { pictureFields } from '../../protocol/validate';

function point(value: unknown, path: string): [number, number] {
  const [x, y] = list(value, path, 2, 2, (v, at) => finite(v, at, -L.coordinate, L.coordinate));
  return [x, y];
}

function order(value: unknown, path: string): NormOrder {
  return value === 'inf' ? 'inf' : finite(value, path, 1, L.maxOrder);
}

function request(raw: unknown): ExplorerRequest {
  const r = object(raw, 'request');
  if (!isExplorerView(r.view)) reject('request.view', `unknown view ${describe(r.view)}`);
  switch (r.view) {
    case 'norms':
      return {
        view: 'norms',
        orders: list(r.orders, 'request.orders', 1, L.orders, order),
        a: point(r.a, 'request.a'),
        b: point(r.b, 'request.b'),
      };
    case 'information':
      return {
        view: 'information',
        p: list(r.p, 'request.p', 1, L.outcomes, (v, at) => finite(v, at)),
        q: list(r.q, 'request.q', 1, L.outcomes, (v, at) => finite(v, at)),
        bits: r.bits === true,
      };
    case 'activations':
      return {
        view: 'activations',
        slope: finite(r.slope, 'request.slope', L.slope.min, L.slope.max),
        z: finite(r.z, 'request.z', -L.activationZ, L.activationZ),
      };
    case 'expression': {
      const source = text(r.source, 'request.source', MAX_EXPRESSION_LENGTH);
      const raw = object(r.values, 'request.values');
      const names = Object.keys(raw);
      if (names.length > L.variables) reject('request.values', `more than ${L.variables} variables`);
      // fromEntries defines own properties, so a variable named __proto__ stays a variable.
      const values: Record<string, number> = Object.fromEntries(names.map((name) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) reject('request.values', `${describe(name)} is not a variable name`);
        return [name, finite(raw[name], `request.values.${name}`)];
      }));
      return { view: 'expression', source, values };
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
  return checked((): ExplorerWebviewMessage => {
    const m = object(raw, 'message');
    if (m.type === 'ready') return { type: 'ready' };
    if (m.type === 'request') return { type: 'request', request: request(m.request) };
    if (m.type === 'savePicture') {
      if (!isExplorerView(m.view)) reject('message.view', `unknown view ${describe(m.view)}`);
      return { type: 'savePicture', view: m.view, ...pictureFields(m) };
    }
    return reject('message.type', `unknown message type ${describe(m.type)}`);
  });
}
