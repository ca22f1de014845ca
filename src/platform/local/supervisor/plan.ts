/** What the revision planner needs to know of each replica slot. */
export interface SlotView {
  index: number;
  /** Started for the revision's current restartAt. */
  current: boolean;
  ready: boolean;
  /** Already being stopped; its index stays taken until it is gone. */
  stopping: boolean;
}

/** Replica indexes to start and to stop now. */
export interface RevisionPlan {
  start: number[];
  stop: number[];
}

/**
 * Decides how to move a revision toward `desired` replicas, level-based: call it after every change.
 * Plain scaling starts the lowest free indexes and stops the highest. When replicas are outdated
 * (a restart was asked for), one new replica is started at a time, and an old one is stopped only
 * once that still leaves at least `desired` replicas ready — unready old ones go first.
 */
export function planRevision(slots: SlotView[], desired: number): RevisionPlan {
  const active = slots.filter((s) => !s.stopping);
  const fresh = active.filter((s) => s.current);
  const outdated = active.filter((s) => !s.current);
  const taken = new Set(slots.map((s) => s.index));
  const start: number[] = [];
  const stop: number[] = [];
  const byIndexDesc = (a: SlotView, b: SlotView): number => b.index - a.index;

  if (outdated.length === 0 || desired <= 0) {
    if (active.length < desired) start.push(...freeIndexes(taken, desired - active.length));
    if (active.length > desired)
      stop.push(
        ...[...active]
          .sort(byIndexDesc)
          .slice(0, active.length - desired)
          .map((s) => s.index),
      );
    return { start, stop };
  }

  if (fresh.length > desired)
    stop.push(
      ...[...fresh]
        .sort(byIndexDesc)
        .slice(0, fresh.length - desired)
        .map((s) => s.index),
    );
  const freshKept = Math.min(fresh.length, desired);
  if (freshKept < desired && fresh.every((s) => s.ready)) start.push(...freeIndexes(taken, 1));

  let total = freshKept + outdated.length + start.length;
  let ready = active.filter((s) => s.ready && !stop.includes(s.index)).length;
  const order = [...outdated].sort((a, b) => Number(a.ready) - Number(b.ready) || b.index - a.index);
  for (const slot of order) {
    if (total <= desired) break;
    if (slot.ready && ready - 1 < desired) continue;
    stop.push(slot.index);
    total -= 1;
    if (slot.ready) ready -= 1;
  }
  return { start, stop };
}

function freeIndexes(taken: Set<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}
