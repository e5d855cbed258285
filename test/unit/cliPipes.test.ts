// The CLI into pipes (issue 11, item 7): `run … --json | head` ends quietly with exit 0, and a
// reader slower than training holds training back instead of letting output pile up in memory.
// Runs the built CLI (dist/cli.js) as a separate process, as a shell pipeline would.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const XOR = join(root, 'examples', 'xor.backprop.json');

/** Peak resident memory of a running process in MiB (VmHWM), or undefined once it has exited. */
function peakMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CLI: pipes', function () {
  this.timeout(60_000);

  it('`run … --json | head -n 1` prints one line and the run exits 0 without a message', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cli}" run "${XOR}" --steps 1000000 --json | head -n 1`], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout.trim().split('\n').length, 1);
    assert.equal(JSON.parse(result.stdout).step, 1);
  });

  it('a reader that closes the pipe early ends the run quietly with exit 0', async () => {
    const child = spawn(process.execPath, [cli, 'run', XOR, '--steps', '1000000', '--json', '--grain', 'op'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.equal(stderr, '');
  });

  it('a slow reader holds training back: memory stays flat, output is not buffered', async () => {
    const child = spawn(process.execPath, [cli, 'run', XOR, '--steps', '1000000', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let received = 0;
    const drain = () => {
      let chunk: Buffer | null;
      while ((chunk = child.stdout.read() as Buffer | null) !== null) received += chunk.length;
    };
    // Training has started once the first line arrives; give the process a second to settle.
    child.stdout.pause();
    await new Promise((resolve) => child.stdout.once('readable', resolve));
    await sleep(1000);
    drain();
    const start = peakMiB(child.pid!)!;
    // Then read what is there every 400 ms: a reader much slower than training. Unbuffered, the
    // producer waits on the full pipe and its memory stays where it was; buffered (as before),
    // it grew by about 25 MiB a second on the same machine.
    for (let round = 0; round < 8; round++) {
      await sleep(400);
      drain();
    }
    const growth = peakMiB(child.pid!)! - start;
    assert.ok(received > 0 && received < 8 * 1024 * 1024, `${received} bytes reached the reader`);
    assert.ok(growth < 15, `peak RSS grew by ${growth.toFixed(1)} MiB from ${start.toFixed(0)} MiB`);
    child.stdout.destroy();
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
  });
});
