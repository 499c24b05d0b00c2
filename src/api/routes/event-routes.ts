import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { STRATEGY_EVENT_TYPES, type StrategyEventType } from '../../domain/strategy-events';
import type { EventFilter } from '../../store/event-store';
import type { EventMessage, EventStreamService } from '../../services/event-stream';
import { principalOf } from '../auth';

const cursor = z.string().regex(/^\d{1,18}$/, 'an event id (digits) from an earlier event');

/** Query of GET /events: from which cursor, which strategy, which types; nothing else is accepted. */
export const EventsQuery = z.strictObject({
  since: cursor.optional(),
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -').optional(),
  types: z.string().transform((s, ctx) => {
    const types = s.split(',').map((t) => t.trim()).filter(Boolean);
    const bad = types.filter((t) => !STRATEGY_EVENT_TYPES.includes(t as StrategyEventType));
    if (bad.length || types.length === 0) ctx.addIssue({ code: 'custom', message: `types are a comma-separated list of ${STRATEGY_EVENT_TYPES.join(', ')}` });
    return types as StrategyEventType[];
  }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const PAGE = 500;
const HEARTBEAT_MS = 15_000;

const frame = (m: EventMessage) => `id: ${m.id}\nevent: ${m.type}\ndata: ${JSON.stringify(m)}\n\n`;

/**
 * GET /api/v1/events: the caller's events in order. As Server-Sent Events (the default), it stays open and sends each
 * event as it commits; a client that reconnects with `Last-Event-ID` (browsers do) or `?since=` misses nothing and
 * gets nothing twice. With `Accept: application/json` it answers one page instead (`nextCursor` is the next `since`).
 */
export function eventRoutes(service: EventStreamService, log: (line: string) => void): Router {
  const r = Router();
  r.get('/events', async (req, res) => {
    const q = EventsQuery.parse(req.query);
    const resumeFrom = q.since ?? cursor.optional().parse(req.get('last-event-id') || undefined);
    const filter = service.filterOf({ principal: principalOf(res), strategyId: q.strategyId, types: q.types });
    const start = await service.startOf(resumeFrom === undefined ? undefined : BigInt(resumeFrom));
    if (req.accepts(['text/event-stream', 'application/json']) === 'application/json') {
      const events = await service.read(start, filter, q.limit ?? 100);
      return void res.json({ events, nextCursor: events.length ? events[events.length - 1].id : start.toString() });
    }
    stream(req, res, service, filter, start, log);
  });
  return r;
}

/** Writes events from `start` on until the client goes away; each wake-up reads from the last id sent. */
function stream(req: Request, res: Response, service: EventStreamService, filter: EventFilter, start: bigint, log: (line: string) => void): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write(`retry: 1000\n: from ${start}\n\n`);
  let last = start;
  let pumping = false;
  let again = false;
  let open = true;
  const pump = async () => {
    if (pumping) return void (again = true);
    pumping = true;
    try {
      do {
        again = false;
        for (;;) {
          const page = await service.read(last, filter, PAGE);
          if (!open || page.length === 0) break;
          const ok = res.write(page.map(frame).join(''));
          last = BigInt(page[page.length - 1].id);
          if (!ok) await new Promise((resolve) => res.once('drain', resolve));
          if (page.length < PAGE) break;
        }
      } while (again && open);
    } catch (err) {
      // The client resumes from the last id it got: ending is safe, a half-written stream is not.
      log(`event stream: reading failed (${(err as Error).message}); closing the stream, the client resumes from id ${last}`);
      close();
      res.end();
    } finally {
      pumping = false;
    }
  };
  const unsubscribe = service.subscribe(() => void pump());
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  const close = () => {
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on('close', close);
  void pump();
}
