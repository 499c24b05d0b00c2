/**
 * Whether the broker answers at all: calls that fail without an answer (network, timeout, 5xx) since the last one that
 * got an answer mean it may be down, and a probe (at most one every `probeEveryMs`) says whether it still is.
 */
export class Reachability {
  /** Since when every call has failed without an answer; null once one is answered. */
  private failingSince: number | null = null;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private probing: Promise<boolean> | null = null;

  constructor(private readonly probeEveryMs = 2000, private readonly now: () => number = Date.now) {}

  answered(): void {
    this.failingSince = null;
  }

  unanswered(): void {
    this.failingSince ??= this.now();
  }

  /** Unreachable: calls failed unanswered since the last answer and `probe` (run at most every probeEveryMs) fails too. */
  async unreachable(probe: () => Promise<unknown>): Promise<boolean> {
    if (this.failingSince === null) return false;
    if (this.probing) return this.probing;
    if (this.now() - this.lastProbeAt < this.probeEveryMs) return true;
    this.lastProbeAt = this.now();
    this.probing = probe().then(() => false, () => this.failingSince !== null).finally(() => { this.probing = null; });
    return this.probing;
  }
}
