/** Reconnection settings; see {@link backoffDelay}. */
export interface ReconnectOptions {
  /** The first attempt's ceiling in ms (default 250). */
  baseMs?: number;
  /** The ceiling never grows beyond this, in ms (default 5000). */
  capMs?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

/** The defaults: 250 ms base, 5 s cap, unlimited attempts. */
export const DEFAULT_RECONNECT: Required<ReconnectOptions> = Object.freeze({
  baseMs: 250,
  capMs: 5000,
  maxAttempts: Infinity,
});

/**
 * Capped exponential backoff with FULL jitter: the delay before attempt `attempt` (0 = the
 * first after a drop) is uniform in `[0, min(capMs, baseMs * 2^attempt)]`. Full jitter spreads
 * the reconnects of many clients dropped at once (a node restart) over the whole window instead
 * of bunching them at its end; with the defaults the window is 250 ms, 500 ms, 1 s, 2 s, 4 s,
 * then 5 s for every later attempt, so a client is back well within the node's seat grace
 * (15 s by default) while the node sees at most one attempt per client per 2.5 s on average.
 */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const { baseMs, capMs } = { ...DEFAULT_RECONNECT, ...options };
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}
