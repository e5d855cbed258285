// Lists kept in step order (checkpoints, epoch ends, epoch rows) are searched, not scanned: a long
// training has hundreds of thousands of entries.

/** How many entries of `list` (sorted by `stepOf`, ascending) have a step at or before `step`: a binary search. */
export function countAtOrBefore<T>(list: readonly T[], stepOf: (item: T) => number, step: number): number {
  let low = 0;
  let high = list.length; // the count lies in [low, high]
  while (low < high) {
    const mid = (low + high) >> 1;
    if (stepOf(list[mid]) <= step) low = mid + 1;
    else high = mid;
  }
  return low;
}
