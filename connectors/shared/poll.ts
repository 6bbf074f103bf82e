/**
 * Waiting and polling, shared by the SaaS connectors' launchers and observers (Fivetran, Census): a sleep
 * that an AbortSignal cancels, and a background loop that runs one poll at a time every interval and can be
 * stopped (waiting for the poll in flight). Clocks and sleeps are injected by callers so tests run in fake time.
 */

/** Sleeps `ms`; rejects with the signal's reason when it is aborted. */
export const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A background loop running `poll` every interval, never two at once. */
export interface PollingLoop {
  /** Starts polling now and then every `intervalMs`; errors go to `onError` and polling goes on. */
  start(intervalMs: number, onError?: (error: unknown) => void): void;
  /** Stops the loop and waits for the poll in flight. */
  stop(): Promise<void>;
}

export function createPollingLoop(poll: () => Promise<unknown>): PollingLoop {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  return {
    start(intervalMs, onError = () => {}) {
      if (timer) return;
      const tick = () => {
        if (running) return;
        running = poll()
          .catch(onError)
          .finally(() => {
            running = null;
          });
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

/** Why a signal was aborted, for a message: its reason's message, else "aborted". */
export function abortReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : "aborted";
}
