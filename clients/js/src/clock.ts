/** One ping/pong exchange. */
export interface ClockSample {
  /** Round-trip time in ms. */
  rttMs: number;
  /** Server time minus local time (`Date.now()`), in ms, assuming a symmetric path. */
  offsetMs: number;
}

/**
 * Estimates the offset between the server clock and the local clock from ping/pong samples:
 * of the last few samples, the one with the smallest round trip is the most trustworthy
 * (NTP-style).
 */
export class ClockSync {
  readonly samples: ClockSample[] = [];

  /** @param window how many recent samples to keep */
  constructor(readonly window = 8) {}

  /** Adds one exchange: local send time, the pong's server time, local receive time. */
  addSample(clientSendMs: number, serverMs: number, clientRecvMs = Date.now()): ClockSample {
    const rttMs = Math.max(0, clientRecvMs - clientSendMs);
    const sample = { rttMs, offsetMs: serverMs - (clientSendMs + rttMs / 2) };
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
    return sample;
  }

  /** Server time minus local time in ms (0 before the first sample). */
  get offsetMs(): number {
    if (this.samples.length === 0) return 0;
    return this.samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best)).offsetMs;
  }

  /** The latest round-trip time in ms, or NaN before the first sample. */
  get rttMs(): number {
    return this.samples.length ? this.samples[this.samples.length - 1].rttMs : NaN;
  }

  /** The estimated server time now (or at local time `localMs`). */
  serverNow(localMs = Date.now()): number {
    return localMs + this.offsetMs;
  }
}

/** A monotonic clock in ms (the time base of `StateUpdate.receivedAt`). */
export function monotonicNow(): number {
  return globalThis.performance ? globalThis.performance.now() : Date.now();
}
