import { ApplicationFailure } from '@temporalio/activity';
import type { AuditEvent, OrderState } from '../domain/order-state';
import type { OrderStore } from '../store/order-store';

import { FailureTypes } from '../workflows/order-messages';

// Prisma's codes for a value the column cannot hold, and Postgres' SQLSTATE class 22 (data exception) in raw queries.
const DATA_CODES = new Set(['P2000', 'P2005', 'P2006', 'P2007', 'P2020', 'P2023', 'P2033']);
const DATA_TEXT = /Code: `22[0-9A-Z]{3}`|out of range|invalid input syntax|unsupported Unicode escape|invalid byte sequence|value too long|numeric field overflow/i;

/** A data exception (never a connection or lock problem, which a retry can outlast). */
export function isDataException(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && DATA_CODES.has(code)) || (typeof message === 'string' && DATA_TEXT.test(message));
}

/** Persistence activities: upserts keyed by order id, event id and trade id, so a retry changes nothing. */
export function createStoreActivities({ store }: { store: Pick<OrderStore, 'saveProgress'> }) {
  return {
    /**
     * Records the order's current row, its new audit events and its fills. A save the database refuses for its data
     * fails at once (DATA_REJECTED, not retried): retrying it could only loop.
     */
    async saveOrderProgress(args: { state: OrderState; events: AuditEvent[] }): Promise<void> {
      try {
        await store.saveProgress(args.state, args.events);
      } catch (err) {
        if (!isDataException(err)) throw err;
        throw ApplicationFailure.create({ type: FailureTypes.dataRejected, nonRetryable: true, message: `the database refused the order's data: ${(err as Error).message.slice(-300)}` });
      }
    },
  };
}
