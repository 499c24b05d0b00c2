/** Sliding one-second window per key (Kite limits order requests per API key). Rejected requests do not count. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  /** Records a hit and returns true when the request is within `perSecond`. */
  allow(key: string, perSecond: number, nowMs: number): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => nowMs - t < 1000);
    if (recent.length >= perSecond) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(nowMs);
    this.hits.set(key, recent);
    return true;
  }

  clear(): void {
    this.hits.clear();
  }
}
