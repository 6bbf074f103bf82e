/**
 * Test helpers shared by the SaaS connectors: an in-memory event sink with the store's exactly-once rule, and
 * a fake clock whose sleep advances it instantly.
 */
import type { AssetEvent, AssetEventInput, AssetEventSink } from "../../catalog/model/events.ts";
import { keyToString } from "../../catalog/model/index.ts";

/** An in-memory {@link AssetEventSink} that, like the store, records each (asset, dedupe key) once. */
export function createMemoryEventSink(): AssetEventSink & { readonly events: AssetEvent[] } {
  const events: AssetEvent[] = [];
  const seen = new Set<string>();
  return {
    events,
    async recordAssetEvents(batch: readonly AssetEventInput[]) {
      let inserted = 0;
      for (const event of batch) {
        const id = `${keyToString(event.assetKey)}\u0000${event.dedupeKey}`;
        if (seen.has(id)) continue;
        seen.add(id);
        events.push({ ...event, id: events.length + 1, recordedAt: new Date().toISOString() });
        inserted++;
      }
      return { inserted };
    },
  };
}

/** A fake clock whose sleep advances it instantly (no real waiting). */
export function createFakeClock(start = Date.parse("2026-10-01T06:00:00Z")) {
  let current = start;
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    async sleep(ms: number) {
      current += ms;
      // Let I/O (the simulator's timers, sockets) run between polls.
      await new Promise((resolve) => setTimeout(resolve, 2));
    },
  };
}
