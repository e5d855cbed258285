// The editor's side of the live protocol (docs/live-protocol.md) against malformed and hostile
// input: every bad frame or message is a LiveProtocolError naming what is wrong (never another
// throw), a peer with a wrong token is refused without ending the session, and a peer that
// presents the token and then breaks the protocol ends it with a message.
import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { join } from 'node:path';
import { FrameReader, LiveProtocolError, encodeEditorMessage, parseRecorderMessage } from '../../../src/extension/live/liveProtocol';
import { LiveProcess, type ProcessEvent } from '../../../src/extension/live/liveProcess';

/** A frame as the recorder writes it (trace-format.md §4): prefix, JSON padded to 8 bytes, data. */
function frame(json: string, data: Float64Array = new Float64Array(0), prefix: Partial<{ jsonLength: number; reserved: number; dataLength: bigint }> = {}): Uint8Array {
  const text = new TextEncoder().encode(json);
  const padded = Math.ceil((16 + text.length) / 8) * 8 - 16;
  const out = new Uint8Array(16 + padded + data.byteLength).fill(0x20, 16, 16 + padded);
  out.set(text, 16);
  out.set(new Uint8Array(data.buffer), 16 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, prefix.jsonLength ?? padded, true);
  view.setUint32(4, prefix.reserved ?? 0, true);
  view.setBigUint64(8, prefix.dataLength ?? BigInt(data.byteLength), true);
  return out;
}

const HELLO = {
  type: 'hello', protocol: 1, token: 'ab'.repeat(16), pid: 42, producer: { name: 'backprop_stepper', version: '0.1.0', torch: '1.13.1' },
  dtype: 'float64', rank: 0, worldSize: 1, trainSamples: null,
  model: { type: 'Sequential', modules: [{ name: '0', type: 'Linear', role: 'dense', parameters: [{ name: 'weight', shape: [1, 2] }, { name: 'bias', shape: [1] }] }] },
};

function read(bytes: Uint8Array): unknown[] {
  return new FrameReader().push(bytes).map(parseRecorderMessage);
}

function refused(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => read(bytes), (error: unknown) => error instanceof LiveProtocolError && pattern.test(error.message));
}

describe('live protocol: frames and recorder messages', () => {
  it('reads a hello and a paused frame with a binary tensor, also when the bytes arrive in pieces', () => {
    const z = new Float64Array([0.5, -1.25]);
    const paused = {
      type: 'paused', step: 1, epoch: 1, batch: [0, 1], phase: 'forward', layer: 0, module: '0', reason: 'stopAt', nonFinite: null,
      data: { layer: { index: 0, kind: 'dense', z: { $tensor: { offset: 0, shape: [2, 1], dtype: 'float64' } }, delta: null, update: { weights: null, bias: null } } },
    };
    const bytes = new Uint8Array([...frame(JSON.stringify(HELLO)), ...frame(JSON.stringify(paused), z)]);
    const reader = new FrameReader();
    const messages: unknown[] = [];
    for (let i = 0; i < bytes.length; i += 7) messages.push(...reader.push(bytes.slice(i, i + 7)).map(parseRecorderMessage));
    assert.equal(messages.length, 2);
    const [hello, pause] = messages as [{ modules: { name: string }[] }, { layerData: { z: { shape: number[]; data: Float64Array } } }];
    assert.equal(hello.modules[0].name, '0');
    assert.deepEqual(pause.layerData.z.shape, [2, 1]);
    assert.deepEqual([...pause.layerData.z.data], [0.5, -1.25]);
  });

  it('refuses an oversize frame from its prefix alone, a nonzero reserved field and a misaligned frame', () => {
    const prefixOnly = (fields: Parameters<typeof frame>[2]) => frame('{}', undefined, fields).slice(0, 16);
    refused(prefixOnly({ jsonLength: 16 * 1024 * 1024 + 8 }), /message JSON of 16777224 bytes is over the limit/);
    refused(prefixOnly({ dataLength: 2n ** 40n }), /message data of \d+ bytes is over the limit/);
    refused(prefixOnly({ reserved: 7 }), /reserved field is 7/);
    refused(prefixOnly({ jsonLength: 3 }), /8-byte alignment/);
  });

  it('refuses bad JSON, non-UTF-8 text, a non-object, a message without a type and an unknown type', () => {
    refused(frame('{"type": "hello",'), /not JSON/);
    const bad = frame('{"type":"end"}  ');
    bad[18] = 0xff;
    refused(bad, /not UTF-8/);
    refused(frame('[1, 2]'), /must be a JSON object/);
    refused(frame('{"kind": "hello"}'), /no "type" string/);
    refused(frame('{"type": "rm -rf"}'), /unknown message type "rm -rf"/);
  });

  it('refuses missing and unknown fields, wrong types, out-of-range values and tensors that point outside the data', () => {
    const hello = (change: Record<string, unknown>) => frame(JSON.stringify({ ...HELLO, ...change }));
    refused(frame(JSON.stringify({ type: 'end', reason: 'finished' })), /'end' message: missing field 'message'/);
    refused(hello({ extra: 1 }), /'hello' message: unknown field 'extra'/);
    refused(hello({ pid: '42' }), /pid must be a whole number/);
    refused(hello({ protocol: 2 }), /live protocol 2, this editor 1/);
    refused(hello({ rank: 3, worldSize: 2 }), /rank must be below worldSize 2/);
    refused(hello({ trainSamples: 0 }), /trainSamples must be a whole number ≥ 1/);
    refused(hello({ trainSamples: '100' }), /trainSamples must be a whole number ≥ 1/);
    refused(hello({ model: { type: 'Sequential', modules: [{ name: '0', type: 'Linear', role: 'magic', parameters: [] }] } }), /role must be one of dense, activation, opaque/);
    refused(frame(JSON.stringify({ type: 'end', reason: 'bored', message: '' })), /reason must be one of/);
    const paused = { type: 'paused', step: 0, epoch: 1, batch: [], phase: 'loss', layer: null, module: null, reason: 'stopAt', nonFinite: null, data: { loss: 1, output: null } };
    refused(frame(JSON.stringify(paused)), /step must be a whole number ≥ 1/);
    refused(frame(JSON.stringify({ ...paused, step: 1, phase: 'sideways' })), /phase must be one of forward, loss, backward, update/);
    refused(frame(JSON.stringify({ ...paused, step: 1, data: { loss: { $tensor: { offset: 8, shape: [4], dtype: 'float64' } }, output: null } }), new Float64Array(2)), /runs past the frame's 16-byte data block/);
    refused(frame(JSON.stringify({ type: 'step', record: { step: 1, epoch: 1, batch: [0], layers: [] } })), /'step' message: record\.layers/);
    const forward = { ...paused, step: 1, phase: 'forward', layer: 0, module: '0', data: { layer: { index: 0 } } };
    refused(frame(JSON.stringify({ ...forward, data: { layer: { index: 0 }, deadUnits: [0, -1] } })), /data\.deadUnits\[1\] must be a whole number ≥ 0/);
    refused(frame(JSON.stringify({ ...forward, data: { layer: { index: 0 }, deadUnits: 'all' } })), /data\.deadUnits must be a list of unit indices, at a forward pause/);
    refused(frame(JSON.stringify({ ...forward, phase: 'backward', data: { layer: { index: 0 }, deadUnits: [] } })), /data\.deadUnits must be a list of unit indices, at a forward pause/);
  });

  it('frames the editor\'s commands as the recorder reads them: JSON padded to 8 bytes, no data', () => {
    const bytes = encodeEditorMessage({ type: 'continue', stopAt: [{ phase: 'update', module: null }], stopOnNonFinite: true });
    const view = new DataView(bytes.buffer);
    assert.equal((16 + view.getUint32(0, true)) % 8, 0);
    assert.equal(view.getUint32(4, true), 0);
    assert.equal(view.getBigUint64(8, true), 0n);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes.subarray(16))), { type: 'continue', stopAt: [{ phase: 'update', module: null }], stopOnNonFinite: true });
  });
});

describe('live protocol: the socket', function () {
  this.timeout(15_000);
  // A stand-in for Python that keeps running without connecting: the test is the peer.
  const idle = join(__dirname, '..', '..', 'debug', 'fixtures', 'pytorch', 'idle.js');

  async function started(): Promise<{ live: LiveProcess; events: ProcessEvent[]; ended: Promise<ProcessEvent> }> {
    const events: ProcessEvent[] = [];
    let resolveEnded!: (e: ProcessEvent) => void;
    const ended = new Promise<ProcessEvent>((resolve) => (resolveEnded = resolve));
    const live = new LiveProcess((event) => {
      events.push(event);
      if (event.type === 'ended') resolveEnded(event);
    });
    await live.start({ python: process.execPath, program: idle, args: [], cwd: __dirname, recorderPath: __dirname });
    return { live, events, ended };
  }

  function peer(path: string, bytes: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect(path, () => socket.write(bytes));
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
    });
  }

  it('refuses a peer with a wrong token and keeps the session; a peer with the token that sends garbage ends it with the reason', async () => {
    const { live, events, ended } = await started();
    const answer = await peer(live.socketPath, frame(JSON.stringify({ ...HELLO, token: 'f'.repeat(32) })));
    assert.match(new TextDecoder().decode(answer.subarray(16)), /"type":"refuse"/);
    assert.equal(events.filter((e) => e.type === 'ended').length, 0, 'a stranger does not end the session');
    const good = frame(JSON.stringify({ ...HELLO, token: live.token }));
    const garbage = frame('{"type": "paused", "step": "one"}');
    void peer(live.socketPath, new Uint8Array([...good, ...garbage]));
    const end = await ended;
    assert.equal(end.type, 'ended');
    assert.match((end as { reason: string }).reason, /rank 0 sent a bad message \('paused' message: missing field/);
    assert.ok(events.some((e) => e.type === 'ready'));
  });

  it('ends the session when the first message is not a hello or the frame is oversize', async () => {
    for (const [bytes, pattern] of [
      [frame(JSON.stringify({ type: 'end', reason: 'finished', message: '' })), /first message must be 'hello'/],
      [frame('{}', undefined, { jsonLength: 2 ** 31 }).slice(0, 16), /over the limit/],
    ] as const) {
      const { live, ended } = await started();
      void peer(live.socketPath, bytes);
      assert.match(((await ended) as { reason: string }).reason, pattern);
    }
  });
});
