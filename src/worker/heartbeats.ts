import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';

/**
 * Every regular activity whose caller set a heartbeat timeout heartbeats while it runs — a broker call held by the
 * rate limiter or a slow broker, a gate waiting on its account lock — so the timeout can be short: a worker killed
 * under it is noticed within that timeout, and the activity runs again elsewhere, instead of after its whole
 * start-to-close budget. The first beat comes after a third of the timeout: a short activity sends none.
 * (Local activities cannot heartbeat; they run again when their workflow task times out.)
 */
/** Activities that heartbeat themselves, with details a retry resumes from: a bare beat here would erase them. */
const SELF_HEARTBEATING = new Set(['superviseAccount']);

export const heartbeatWhileRunning: ActivityInterceptorsFactory = (ctx: Context) => ({ inbound: new HeartbeatWhileRunning(ctx) });

class HeartbeatWhileRunning implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { isLocal, heartbeatTimeoutMs, activityType } = this.ctx.info;
    if (isLocal || !heartbeatTimeoutMs || SELF_HEARTBEATING.has(activityType)) return next(input);
    const timer = setInterval(() => this.ctx.heartbeat(), Math.max(200, Math.floor(heartbeatTimeoutMs / 3)));
    try {
      return await next(input);
    } finally {
      clearInterval(timer);
    }
  }
}
