import type { OrderGroupState } from '../domain/order-group-state';
import type { Db } from './prisma';
import { json } from './order-store';

/** The only code that speaks Prisma for OCO/bracket groups: one row per group, rewritten whole on each save. */
export class OrderGroupStore {
  constructor(private readonly db: Db) {}

  /** Upsert keyed by the group id: a retried save writes the same row again. */
  async saveGroup(s: OrderGroupState): Promise<void> {
    const r = s.request;
    const row = {
      status: s.status, statusMessage: s.statusMessage, openQuantity: s.position.open,
      legs: json(s.legs), episodes: json(s.episodes), updatedAt: new Date(s.updatedAt),
    };
    await this.db.orderGroup.upsert({
      where: { id: s.groupId },
      create: {
        id: s.groupId, clientOrderId: r.clientOrderId, kind: r.kind, strategyId: r.strategyId, tradingsymbol: r.tradingsymbol, exchange: r.exchange,
        side: r.side, quantity: r.quantity, payloadHash: s.payloadHash, request: json(r), createdAt: new Date(s.createdAt), ...row,
      },
      update: row,
    });
  }

  async getGroup(id: string) {
    return this.db.orderGroup.findUnique({ where: { id } });
  }

  async findGroupByClientOrderId(clientOrderId: string) {
    return this.db.orderGroup.findUnique({ where: { clientOrderId }, select: { id: true, status: true, payloadHash: true } });
  }

  async findStrategyOfGroup(id: string): Promise<string | null> {
    return (await this.db.orderGroup.findUnique({ where: { id }, select: { strategyId: true } }))?.strategyId ?? null;
  }
}
