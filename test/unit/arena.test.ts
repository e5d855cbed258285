// Arena sizes come from the allocations themselves: an arena counts what it was asked for, and
// the next arena of the same source is that large, so after one step nothing spills over.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Arena, ArenaSource } from '../../src/engine/arena';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';

describe('arena sizes are learned from the allocations', () => {
  it('an arena counts every number asked for, within and beyond its capacity; reset grows a scratch arena to it', () => {
    const arena = new Arena(4);
    const inside = arena.take(3);
    const beyond = arena.take(5);
    assert.equal(arena.demand, 8);
    assert.equal(inside.buffer, arena.take(0).buffer, 'the first view is carved from the arena');
    assert.notEqual(beyond.buffer, inside.buffer, 'what does not fit is allocated on its own');
    arena.reset();
    assert.equal(arena.capacity, 8);
    const again = [arena.take(3), arena.take(5)];
    assert.ok(again.every((view) => view.buffer === again[0].buffer), 'after the reset both fit');
  });

  it('a source hands out arenas as large as the most any of its arenas was asked for', () => {
    const source = new ArenaSource();
    const first = source.arena();
    assert.equal(first.capacity, 0);
    first.take(100);
    first.take(20);
    const second = source.arena();
    assert.equal(second.capacity, 120);
    second.take(50);
    assert.equal(source.arena().capacity, 120, 'a smaller step does not shrink the next arena');
  });

  it("the trainer's steps after the first fit their arenas exactly (the sizes are the allocations')", () => {
    const text = readFileSync(join(__dirname, '..', '..', 'examples', 'xor.backprop.json'), 'utf8');
    const loaded = loadModel(text);
    const trainer = new Trainer(loaded.model!, loaded.data!);
    const arenas: Arena[] = [];
    const source = (trainer as unknown as { recordedArenas: ArenaSource }).recordedArenas;
    const hand = source.arena.bind(source);
    source.arena = () => {
      const arena = hand();
      arenas.push(arena);
      return arena;
    };
    for (let s = 0; s < 4; s++) trainer.step();
    assert.equal(arenas.length, 4);
    assert.ok(arenas[0].demand > 0 && arenas[0].capacity === 0, 'the first step learns');
    for (const arena of arenas.slice(1)) assert.equal(arena.capacity, arenas[0].demand);
    assert.ok(arenas.slice(1).every((arena) => arena.demand <= arena.capacity), 'later steps spill nothing');
  });

  it("untraced steps after the first reuse one arena's memory, and their records hold none of it", () => {
    const text = readFileSync(join(__dirname, '..', '..', 'examples', 'xor.backprop.json'), 'utf8');
    const loaded = loadModel(text);
    const trainer = new Trainer(loaded.model!, loaded.data!, { trace: false });
    const reused = (trainer as unknown as { reused: Arena }).reused;
    trainer.step();
    trainer.step(); // the first step learned the size, the second found it
    const buffer = reused.take(0).buffer;
    for (let s = 0; s < 3; s++) {
      const record = trainer.step();
      assert.ok(reused.demand > 0 && reused.demand <= reused.capacity, `step ${record.step} fits the reused arena`);
      assert.equal(reused.take(0).buffer, buffer, `step ${record.step} used the same memory`);
      for (const layer of record.layers) {
        const tensors = Object.values(layer).filter((value) => value instanceof Float64Array && value.buffer === buffer);
        assert.deepEqual(tensors, [], `step ${record.step} layer ${layer.index}: no tensor of the reused memory`);
      }
    }
  });
});
