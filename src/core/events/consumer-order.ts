/** What ordering needs of a consumer: its name and the consumers it runs after. */
export interface Ordered {
  readonly name: string;
  readonly after: readonly string[];
}

/**
 * The order consumers run in within a round of a delivery, which is also the order they take their
 * locks in (so every lane and instance locks alike): each after the consumers its `after` names, ties
 * broken by name. Declared, never implied by module import order. Throws on an `after` naming no
 * consumer, and on a cycle.
 */
export function inConsumerOrder<T extends Ordered>(consumers: readonly T[]): T[] {
  const byName = new Map(consumers.map((consumer) => [consumer.name, consumer]));
  for (const consumer of consumers) {
    for (const before of consumer.after) {
      if (!byName.has(before)) throw new Error(`Consumer "${consumer.name}" runs after "${before}", which is no consumer of this app`);
    }
  }
  const waitingFor = new Map(consumers.map((consumer) => [consumer.name, new Set(consumer.after)]));
  const ordered: T[] = [];
  while (waitingFor.size > 0) {
    const ready = [...waitingFor].filter(([, before]) => before.size === 0).map(([name]) => name);
    if (ready.length === 0) throw new Error(`Consumers run after one another in a circle: ${[...waitingFor.keys()].sort().join(', ')}`);
    const next = ready.sort()[0];
    ordered.push(byName.get(next)!);
    waitingFor.delete(next);
    for (const before of waitingFor.values()) before.delete(next);
  }
  return ordered;
}
