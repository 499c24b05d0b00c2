import { isGrpcServiceError } from '@temporalio/client';

/**
 * A dependency that is down, as the 503 the API answers with: the code names it, so a client (or an operator's
 * alert rule) knows what to wait for. Anything else is not an outage and stays a 500.
 */
export interface Outage { code: 'DATABASE_UNAVAILABLE' | 'TEMPORAL_UNAVAILABLE'; message: string }

const PG_DOWN_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const PG_DOWN_TEXT = /can't reach database server|connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery)|timeout exceeded when trying to connect|connection (refused|closed)|server closed the connection|timed out fetching a new connection/i;
// gRPC status codes of a server that cannot be reached or did not answer in time.
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** The outage an error stands for, or null. Looks through `cause` chains (Prisma and the Temporal client wrap). */
export function outageOf(err: unknown): Outage | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof name === 'string' && /^Prisma|DriverAdapter/.test(name) && ((typeof code === 'string' && PG_DOWN_CODES.has(code)) || PG_DOWN_TEXT.test(text))) {
      return { code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; nothing was changed by this request unless it says otherwise — try again shortly' };
    }
    if (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)) {
      return { code: 'TEMPORAL_UNAVAILABLE', message: 'the workflow service (Temporal) is unavailable or did not answer in time; try again shortly' };
    }
    if (typeof name === 'string' && name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|failed to connect|connection refused/i.test(text)) {
      return { code: 'TEMPORAL_UNAVAILABLE', message: 'the workflow service (Temporal) is unavailable or did not answer in time; try again shortly' };
    }
  }
  return null;
}
