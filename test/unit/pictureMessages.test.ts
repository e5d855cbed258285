// What the host accepts from the webview to save or copy (issue 15 item 2): the inspector's real
// validator (src/protocol/validate.ts) and router. A picture is written to a file the user picks
// and text goes to the clipboard, so wrong kinds, sizes, scripts and non-PNG bytes are refused
// with the field and the reason.
import { strict as assert } from 'node:assert';
import { deflateSync } from 'node:zlib';
import { validateWebviewMessage, LIMITS } from '../../src/protocol/validate';
import { routeWebviewMessage, type InspectorActions } from '../../src/extension/inspectorRouter';
import { validateExplorerMessage } from '../../src/extension/lessons/validate';
import type { ModelSummary, WebviewMessage } from '../../src/protocol/messages';

const model: ModelSummary = {
  inputs: 2,
  layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
  loss: 'binary-cross-entropy',
  regularization: null,
  optimizer: { type: 'sgd', hyperparameters: { learningRate: 0.1 } },
  dataset: { samples: 4, train: 4, validation: 0, test: 0, batchSize: 2, batchesPerEpoch: 2, task: 'classification' },
};

/** A real PNG (signature, IHDR, one IDAT, IEND) of width × height grey pixels, written with Node's zlib. */
function png(width: number, height: number): string {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let r = 0; r < height; r++) rows[r * (width + 1)] = 0; // filter: none
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]).toString('base64');
}

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><text x="1" y="10">0.25</text></svg>';

describe('pictures and text from the webview: what the host accepts', () => {
  const check = (raw: unknown) => validateWebviewMessage(raw, { model });
  const rejects = (raw: unknown, reason: RegExp) => {
    const result = check(raw);
    assert.equal(result.ok, false, `should reject ${JSON.stringify(raw).slice(0, 200)}`);
    if (!result.ok) assert.match(result.reason, reason);
  };

  it('accepts an SVG, a PNG of the stated size and LaTeX/Markdown text, keeping only the checked fields', () => {
    for (const raw of [
      { type: 'savePicture', view: 'network', format: 'svg', data: SVG, width: 30, height: 20 },
      { type: 'savePicture', view: 'chain-rule', format: 'png', data: png(30, 20), width: 30, height: 20 },
      { type: 'copyText', format: 'latex', text: '\\frac{\\partial J}{\\partial w}' },
      { type: 'copyText', format: 'markdown', text: '| factor | mean |' },
    ]) {
      const result = check({ ...raw, extra: 'dropped' });
      assert.ok(result.ok, JSON.stringify(result));
      if (result.ok) assert.deepEqual(result.message, raw);
    }
  });

  it('refuses each bad picture or text with the field and the reason', () => {
    const picture = { type: 'savePicture', view: 'loss', format: 'svg', data: SVG, width: 30, height: 20 };
    rejects({ ...picture, view: 'toolbar' }, /message\.view: expected one of "network", .* got "toolbar"/);
    rejects({ ...picture, format: 'gif' }, /message\.format: expected one of "svg", "png", got "gif"/);
    rejects({ ...picture, width: 0 }, /message\.width: 0 is out of range 1\.\.16384/);
    rejects({ ...picture, height: 1e6 }, /message\.height: 1000000 is out of range/);
    rejects({ ...picture, data: 42 }, /message\.data: expected a string, got 42/);
    rejects({ ...picture, data: '<html><svg></svg></html>' }, /message\.data: an SVG picture must start with <svg/);
    rejects({ ...picture, data: '<svg><script>alert(1)</script></svg>' }, /message\.data: an SVG picture may not hold scripts/);
    rejects({ ...picture, data: '<svg><rect onload ="x()"/></svg>' }, /may not hold scripts or event handlers/);
    rejects({ ...picture, data: '<svg><a href="javascript:x()"/></svg>' }, /may not hold scripts/);
    rejects({ ...picture, data: '<svg ' + 'x'.repeat(LIMITS.picture) }, /message\.data: string of \d+ characters is longer than/);
    const bitmap = { ...picture, format: 'png', data: png(30, 20) };
    rejects({ ...bitmap, width: 60 }, /message\.data: the PNG is 30 × 20 pixels, not the 60 × 20 the message states/);
    rejects({ ...bitmap, data: Buffer.from('GIF89a' + 'x'.repeat(60)).toString('base64') }, /message\.data: the data is not a PNG/);
    rejects({ ...bitmap, data: 'not base64 at all! '.repeat(4) }, /message\.data: a PNG picture must be base64 text/);
    rejects({ type: 'copyText', format: 'html', text: 'x' }, /message\.format: expected one of "latex", "markdown", got "html"/);
    rejects({ type: 'copyText', format: 'latex', text: 'x'.repeat(LIMITS.copiedText + 1) }, /message\.text: string of \d+ characters is longer than 1048576/);
    rejects({ type: 'copyText', format: 'latex' }, /message\.text: expected a string, got undefined/);
  });

  it('the explorers\' validator checks pictures the same way, with its own views', () => {
    const good = { type: 'savePicture', view: 'race', format: 'png', data: png(8, 5), width: 8, height: 5 };
    assert.deepEqual(validateExplorerMessage({ ...good, extra: 1 }), { ok: true, message: good });
    const refused = (raw: unknown) => { const r = validateExplorerMessage(raw); return r.ok ? '' : r.reason; };
    assert.match(refused({ ...good, view: 'network' }), /message\.view: unknown view "network"/);
    assert.match(refused({ ...good, height: 6 }), /message\.data: the PNG is 8 × 5 pixels, not the 8 × 6/);
    assert.match(refused({ ...good, format: 'svg', data: '<svg onclick="x()"></svg>' }), /may not hold scripts or event handlers/);
  });

  it('the router hands a checked picture to savePicture and logs a refused one without acting', async () => {
    const calls: WebviewMessage[] = [];
    const none = () => undefined;
    const actions: InspectorActions = {
      ready: none, command: none, select: none, requestTensor: none, show: none, requestExplanation: none, viewState: none, protocolError: none,
      savePicture: (m) => void calls.push(m), copyText: (m) => void calls.push(m),
    };
    const log: string[] = [];
    assert.equal(await routeWebviewMessage({ type: 'savePicture', view: 'data', format: 'png', data: png(4, 3), width: 4, height: 3 }, { model }, actions, (l) => log.push(l)), true);
    assert.equal(await routeWebviewMessage({ type: 'savePicture', view: 'data', format: 'png', data: png(4, 3), width: 3, height: 4 }, { model }, actions, (l) => log.push(l)), false);
    assert.deepEqual(calls.map((m) => m.type), ['savePicture']);
    assert.equal(log.length, 1);
    assert.match(log[0], /rejected a webview message: message\.data: the PNG is 4 × 3 pixels/);
  });
});
