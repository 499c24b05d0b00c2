/** What start-up brought up, taken down in reverse order; a stop that fails is logged and the others still run. */
export class ShutdownStack {
  private readonly stops: (() => Promise<unknown>)[] = [];

  constructor(private readonly log: (line: string) => void) {}

  push(stop: () => Promise<unknown>): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const s of this.stops.reverse()) await s().catch((e) => this.log(`shutdown: ${String(e)}`));
  }
}
