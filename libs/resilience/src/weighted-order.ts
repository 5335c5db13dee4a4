/** What weightedOrder needs of a target (RouteTarget has both). */
export interface Weighted {
  readonly priority: number;
  readonly weight: number;
}

/**
 * The order to try targets in: by priority (lower first, as given within a priority when
 * weights do not apply), and within one priority a weighted random shuffle: each pick takes a
 * remaining target with probability weight / (sum of the remaining weights), so a target of
 * weight w comes first with probability w / sum. `random` returns [0, 1), like Math.random.
 *
 * Returns the input itself (no copy, no random draw) when no two targets share a priority and
 * the input is already ordered, which is the common case of an alias listing fallbacks.
 */
export function weightedOrder<T extends Weighted>(targets: readonly T[], random: () => number = Math.random): readonly T[] {
  let sorted = true;
  let shared = false;
  for (let i = 1; i < targets.length; i++) {
    const step = targets[i].priority - targets[i - 1].priority;
    if (step < 0) sorted = false;
    else if (step === 0) shared = true;
  }
  if (sorted && !shared) return targets;
  // Array.prototype.sort is stable: equal priorities keep the order given.
  const order = sorted ? [...targets] : [...targets].sort((a, b) => a.priority - b.priority);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && order[end].priority === order[start].priority) end++;
    shuffleRange(order, start, end, random);
    start = end;
  }
  return order;
}

/** Weighted sampling without replacement over order[start, end), in place. */
function shuffleRange<T extends Weighted>(order: T[], start: number, end: number, random: () => number): void {
  for (let slot = start; slot < end - 1; slot++) {
    let total = 0;
    for (let i = slot; i < end; i++) total += order[i].weight;
    let point = random() * total;
    let pick = end - 1; // rounding may leave `point` just past the last cumulative sum
    for (let i = slot; i < end; i++) {
      point -= order[i].weight;
      if (point < 0) {
        pick = i;
        break;
      }
    }
    if (pick !== slot) [order[slot], order[pick]] = [order[pick], order[slot]];
  }
}
