/** One Server-Sent Event as the OMS sends it. */
export interface SseEvent {
  id: string;
  event: string;
  data: any;
}

/**
 * A minimal SSE reader over fetch (what a strategy written in any language does): yields each event as its frame
 * completes; `close()` drops the connection like a network cut.
 */
export class SseClient {
  private readonly controller = new AbortController();
  private buffer = '';
  private readonly queue: SseEvent[] = [];
  private waiter: (() => void) | null = null;
  private ended: Error | null = null;
  status = 0;

  private constructor() {}

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const c = new SseClient();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: c.controller.signal });
    c.status = res.status;
    if (res.status !== 200 || !res.body) throw new Error(`SSE open answered ${res.status}: ${await res.text()}`);
    void c.pump(res.body);
    return c;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = this.buffer.indexOf('\n\n')) >= 0) {
          const frame = this.buffer.slice(0, i);
          this.buffer = this.buffer.slice(i + 2);
          const e = parseFrame(frame);
          if (e) this.queue.push(e);
        }
        this.waiter?.();
      }
      this.ended = new Error('the stream ended');
    } catch (err) {
      this.ended = err as Error;
    }
    this.waiter?.();
  }

  /** The next event, waiting up to `timeoutMs`. */
  async next(timeoutMs = 20_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.ended) throw this.ended;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(t); resolve(); };
      });
      this.waiter = null;
    }
    return this.queue.shift()!;
  }

  /** Events until `done` holds for one (that one included). */
  async until(done: (e: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent[]> {
    const got: SseEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = await this.next(Math.max(1, deadline - Date.now()));
      got.push(e);
      if (done(e)) return got;
    }
  }

  close(): void {
    this.controller.abort();
  }
}

function parseFrame(frame: string): SseEvent | null {
  let id = '';
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { id, event, data: JSON.parse(data.join('\n')) } : null;
}
