// Random and hostile messages through both webview validators (issue 11 item 8): every value the
// structured-clone algorithm can deliver is accepted (and comes back as a fresh, plain copy) or
// rejected with a reason that names the field; nothing throws. Seeded: a failure names its case.
import { strict as assert } from 'node:assert';
import { validateExplorerMessage } from '../../src/extension/lessons/validate';
import { routeWebviewMessage, type InspectorActions } from '../../src/extension/inspectorRouter';
import { validateWebviewMessage } from '../../src/protocol/validate';
import { FUZZ_CASES, Fuzzer } from '../support/fuzz';
import { SMALL_SUMMARY } from '../support/models';

const model = SMALL_SUMMARY;

const INSPECTOR_MESSAGES = [
  { type: 'ready' },
  { type: 'command', command: { name: 'run', stepsPerSecond: 10 } },
  { type: 'command', command: { name: 'runUntil', until: { kind: 'lossBelow', value: 0.01 } } },
  { type: 'select', layer: 1, parameter: { kind: 'weight', layer: 1, out: 0, in: 2 }, sample: 1 },
  { type: 'requestTensor', step: 2, name: 'layers[0].weights' },
  { type: 'requestExplanation', step: 1, parameter: { kind: 'bias', layer: 0, out: 2 } },
  { type: 'viewState', state: { step: 4, selectedLayer: 0, sample: 'mean', diagramMode: 'gradient', detailMode: 'heatmap', speed: 4 } },
  { type: 'protocolError', reason: 'bad record' },
  { type: 'savePicture', view: 'loss', format: 'svg', data: '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="1"></svg>', width: 2, height: 1 },
  { type: 'copyText', format: 'markdown', text: '| factor | mean |' },
];
const EXPLORER_MESSAGES = [
  { type: 'ready' },
  { type: 'request', request: { view: 'norms', orders: [1, 2, 'inf'], a: [1, 2], b: [0, 1] } },
  { type: 'request', request: { view: 'information', p: [1, 0], q: [0.5, 0.5], bits: true } },
  { type: 'request', request: { view: 'expression', source: '(2*x + y)^2', values: { x: 1, y: 2 } } },
  { type: 'request', request: { view: 'surface', learningRate: 0.1, steps: 20 } },
  { type: 'request', request: { view: 'noise', draws: 100 } },
];

/** What a webview can actually deliver: the structured clone of `value`, or nothing if it cannot be cloned. */
function delivered(value: unknown): { value: unknown } | undefined {
  try {
    return { value: structuredClone(value) };
  } catch {
    return undefined;
  }
}

/** True when `value` holds only JSON-like plain data: what an accepted message must be rebuilt into. */
function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype) return false;
  return Object.values(value).every((v) => isPlainData(v, seen));
}

type Outcome = 'accepted' | 'rejected' | 'undeliverable';

function fuzz(name: string, seed: number, valid: readonly unknown[], validate: (raw: unknown) => { ok: true; message: unknown } | { ok: false; reason: string }, reasonStart: RegExp) {
  it(`${name}: ${FUZZ_CASES} seeded random and hostile messages are accepted or rejected with a located reason, never an exception`, () => {
    const fuzzer = new Fuzzer(seed);
    const outcomes: Record<Outcome, number> = { accepted: 0, rejected: 0, undeliverable: 0 };
    for (let n = 0; n < FUZZ_CASES; n++) {
      const candidate = n % 3 === 0 ? fuzzer.value(4) : fuzzer.mutate(fuzzer.pick(valid));
      const message = delivered(candidate);
      if (!message) {
        outcomes.undeliverable++;
        continue;
      }
      let result;
      try {
        result = validate(message.value);
      } catch (error) {
        assert.fail(`case ${n} (seed ${seed}) threw ${String(error)}`);
      }
      if (result.ok) {
        outcomes.accepted++;
        assert.ok(isPlainData(result.message), `case ${n}: an accepted message is rebuilt from plain data only`);
      } else {
        outcomes.rejected++;
        assert.match(result.reason, reasonStart, `case ${n}: the reason names the field`);
        assert.ok(result.reason.length < 400, `case ${n}: a short reason, not the message echoed: ${result.reason.slice(0, 100)}…`);
      }
    }
    // Both kinds of answer must occur, or the generator is not reaching the validator's branches.
    assert.ok(outcomes.accepted > 0 && outcomes.rejected > 0, JSON.stringify(outcomes));
  });
}

describe('fuzz: webview messages through both validators', () => {
  fuzz('inspector', 12, INSPECTOR_MESSAGES, (raw) => validateWebviewMessage(raw, { model }), /^message[\w.[\]]*( \(layer\))?: /);
  fuzz('explorers', 13, EXPLORER_MESSAGES, validateExplorerMessage, /^(message|request)[\w.[\]]*: /);

  const hostile: Array<[string, unknown]> = [
    ['an object whose toString is not a function, with a BigInt', { type: 'x', toString: 0, n: 1n }],
    ['a BigInt', 1n],
    ['a cycle', (() => { const a: Record<string, unknown> = { type: 'request' }; a.request = a; return a; })()],
    ['nesting 100,000 deep', Array.from({ length: 100_000 }).reduce((inner) => ({ type: 'request', request: inner }), {})],
    ['a Map', new Map([['type', 'ready']])],
    ['a Date', new Date(0)],
    ['a typed array', new Float64Array([1, 2])],
    ['a request whose values hold __proto__', JSON.parse('{"type":"request","request":{"view":"expression","source":"x","values":{"__proto__":1}}}')],
  ];
  for (const [what, value] of hostile) {
    it(`answers ${what} without throwing`, () => {
      assert.equal(validateWebviewMessage(value, { model }).ok, false);
      const explorer = validateExplorerMessage(value);
      if (what.includes('__proto__')) {
        // A variable named __proto__ is an ordinary own variable of the copy, not a prototype.
        assert.ok(explorer.ok && explorer.message.type === 'request' && explorer.message.request.view === 'expression');
        assert.ok(explorer.ok && explorer.message.type === 'request' && explorer.message.request.view === 'expression' && Object.hasOwn(explorer.message.request.values, '__proto__'));
      } else assert.equal(explorer.ok, false);
    });
  }

  it('the inspector router logs a hostile message instead of throwing while it describes it', async () => {
    const lines: string[] = [];
    const actions = new Proxy({}, { get: () => () => assert.fail('no action may run') }) as InspectorActions;
    assert.equal(await routeWebviewMessage({ type: 'x', toString: 0, n: 1n }, { model }, actions, (line) => lines.push(line)), false);
    assert.equal(await routeWebviewMessage({ type: 'x', toString: 0, n: 1n }, undefined, actions, (line) => lines.push(line)), false);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /rejected a webview message: message\.type: expected one of .* got "x": \{"type":"x","toString":0,"n":"1n"\}/);
  });
});
