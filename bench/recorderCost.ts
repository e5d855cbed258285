// Recording cost of the PyTorch recorder (issue 13): bench/recorder.py times an unrecorded
// 784-128-10 PyTorch step against the same step recorded to JSON Lines and to the binary form,
// and prints the section's markdown. It needs /usr/bin/python3 with torch (Debian's python3-torch).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchSection } from './measure';

export const recorderCost: BenchSection = {
  title: 'PyTorch recorder: cost of recording a step',
  run: () => execFileSync('/usr/bin/python3', [join(__dirname, 'recorder.py')], { encoding: 'utf8' }).trimEnd(),
};
