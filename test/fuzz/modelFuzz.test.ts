// The fuzz smoke run inside `npx mocha` (issue 11): 200 seeded mutations of every example and
// fixture through the real CLI, each ending ok or with a clean located error; and a few of them
// launched through the stdio debug adapter over DAP, each answered without the adapter dying.
// The longer run: `npm run fuzz -- --cases 5000` (scripts/fuzz.ts).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { ACCEPTABLE, ROOT, fuzz, makeCase, outcomeTable, prepareDataFolder, seedFiles } from './modelFuzzer';

const SMOKE_SEED = 7;
const SMOKE_CASES = 200;

describe('fuzz: mutated model files through the CLI', function () {
  this.timeout(600_000);

  it(`${SMOKE_CASES} seeded cases end ok or with a clean located error`, async () => {
    const results = await fuzz(SMOKE_SEED, SMOKE_CASES, 4, { timeoutMs: 20_000, memoryMiB: 1024 });
    const bad = results.filter((r) => !ACCEPTABLE.includes(r.outcome));
    const report = bad.map((r) => `case ${r.fuzzCase.index} ${r.outcome}: ${r.fuzzCase.seedFile}; ${r.fuzzCase.mutations.join('; ')}: ${r.detail}`);
    assert.deepEqual(report, [], outcomeTable(results));
    // The mutations reach both sides: some files still train, most are refused.
    assert.ok(results.some((r) => r.outcome === 'ok') && results.some((r) => r.outcome === 'clean error'), outcomeTable(results));
  });

  it('is deterministic: a case is the same file every time', () => {
    const seeds = seedFiles();
    assert.ok(seeds.length >= 20, `${seeds.length} seed files`);
    for (const index of [0, 17, 123]) assert.deepEqual(makeCase(SMOKE_SEED, index, seeds), makeCase(SMOKE_SEED, index, seeds));
    assert.notDeepEqual(makeCase(SMOKE_SEED, 1, seeds).bytes, makeCase(SMOKE_SEED + 1, 1, seeds).bytes);
  });
});

describe('fuzz: mutated model files launched through the debug adapter (DAP)', function () {
  // Twelve launches on a shared 2-core machine; a hung request still fails at dc.defaultTimeout (30 s).
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'backprop-dap-fuzz-'));
    prepareDataFolder(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every launch is answered (stopped, or an error without a stack trace) and the adapter keeps answering', async () => {
    const seeds = seedFiles();
    const dc = new DebugClient(process.execPath, join(ROOT, 'dist', 'debugAdapter.js'), 'backprop');
    dc.defaultTimeout = 30_000;
    await dc.start();
    try {
      for (let index = 0; index < 12; index++) {
        const fuzzCase = makeCase(SMOKE_SEED, 1000 + index, seeds);
        const model = join(dir, `dap-${index}.backprop.json`);
        writeFileSync(model, fuzzCase.bytes);
        const what = `${fuzzCase.seedFile}; ${fuzzCase.mutations.join('; ')}`;
        // A launch that loads waits for configurationDone after its `initialized` event, as VS Code sends it.
        const configure = () => void dc.configurationDoneRequest();
        dc.once('initialized', configure);
        const answer = await dc.launchRequest({ model, stopOnEntry: true } as never).then(
          () => 'launched',
          (error: Error) => error.message,
        );
        if (answer !== 'launched') {
          assert.doesNotMatch(answer, /\n\s+at |Maximum call stack|internal error/, what);
          assert.match(answer, /dap-\d+\.backprop\.json(:\d+:\d+)?: error: |Cannot read the model file/, what);
        }
        dc.removeListener('initialized', configure);
        assert.equal((await dc.threadsRequest()).body.threads.length, 1, what);
        await dc.disconnectRequest({});
      }
    } finally {
      await dc.stop();
    }
  });
});
