// The bench's attribution of garbage-collection pauses to contenders' windows (bench/measure.ts),
// against the real collector: pauses caused by allocating inside a window count for it, a window
// that allocates nothing gets none, and pauses between windows count for no one.
import { strict as assert } from 'node:assert';
import { GcPausesByWindow } from '../../bench/measure';

/** Short-lived garbage enough for several scavenges (each array kept until a thousand later ones replace it). */
const ring: number[][] = new Array(1000);
function allocate(): number {
  for (let i = 0; i < 2_000_000; i++) ring[i % ring.length] = [i, i + 1, i + 2];
  return ring[0][0];
}

/** About as long as `allocate`, with no allocation. */
function compute(): number {
  let sum = 0;
  for (let i = 0; i < 20_000_000; i++) sum += i % 7;
  return sum;
}

describe('bench: garbage-collection pauses by window', () => {
  it('charges each pause to the window it began in, and none to a window that allocates nothing', async () => {
    const gc = new GcPausesByWindow();
    for (let r = 0; r < 3; r++) {
      await gc.timed(0, async () => allocate());
      await gc.timed(1, async () => compute());
    }
    const [allocating, computing] = await gc.finish(2);
    assert.ok(allocating > 0, `the allocating windows' pauses: ${allocating} ms`);
    assert.equal(computing, 0);
  });

  it('counts no pause that began outside every window', async () => {
    const gc = new GcPausesByWindow();
    allocate();
    await gc.timed(0, async () => compute());
    allocate();
    assert.deepEqual(await gc.finish(1), [0]);
  });
});
