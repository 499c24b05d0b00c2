import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_SECRET, startHarness, waitFor, type Harness } from './paper-harness';

describe('paper broker postbacks', () => {
  let h: Harness;
  let receiver: http.Server;
  const received: Record<string, any>[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ contentType: req.headers['content-type'], ...JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/postback`;
    h = await startHarness({ postbackUrl: url });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(async () => {
    await h.broker.drainPostbacks(); // the last test's postbacks may still be answering
    h.broker.reset();
    received.length = 0;
  });

  it('when an order fills in two parts, then UPDATE then COMPLETE are posted in order with a valid checksum', async () => {
    const { order_id } = await h.place({ price: 100, quantity: 60, tag: 'pb-1' });
    await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 30 });
    await h.control('POST', `/control/orders/${order_id}/fill`, {});
    await waitFor(() => received.length >= 2);

    expect(received.map((p) => [p.status, p.filled_quantity, p.pending_quantity, p.unfilled_quantity])).toEqual([
      ['UPDATE', 30, 30, 30],
      ['COMPLETE', 60, 0, 0],
    ]);
    const last = received[1]!;
    expect(last).toMatchObject({ contentType: 'application/json', order_id, tag: 'pb-1', average_price: 100, cancelled_quantity: 0 });
    expect(last.order_timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const expected = createHash('sha256').update(order_id + last.order_timestamp + API_SECRET).digest('hex');
    expect(last.checksum).toBe(expected);
    expect(h.kite.validatePostback(last as any, API_SECRET)).toBe(true);
  });

  it('when an order is modified, cancelled or rejected, then UPDATE, CANCELLED and REJECTED are posted', async () => {
    const a = await h.place({ price: 100 });
    const b = await h.place({ price: 100 });
    await h.kite.modifyOrder('regular', a.order_id, { price: 101 });
    await h.kite.cancelOrder('regular', a.order_id);
    await h.control('POST', `/control/orders/${b.order_id}/reject`, { message: 'no' });
    await waitFor(() => received.length >= 3);
    const of = (id: string) => received.filter((p) => p.order_id === id);
    expect(of(a.order_id).map((p) => p.status)).toEqual(['UPDATE', 'CANCELLED']);
    expect(of(b.order_id).map((p) => p.status)).toEqual(['REJECTED']);
    expect(of(a.order_id)[1]).toMatchObject({ cancelled_quantity: 30, price: 101 });
  });

  it('when drop_postbacks is injected for one postback, then only that one is lost and the stats count it', async () => {
    await h.control('POST', '/control/faults', { kind: 'drop_postbacks', count: 1 });
    const { order_id } = await h.place({ price: 100, quantity: 60 });
    await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 30 });
    await h.control('POST', `/control/orders/${order_id}/fill`, {});
    await h.broker.drainPostbacks();
    expect(received.map((p) => p.status)).toEqual(['COMPLETE']);
    expect(await h.control('GET', '/control/stats')).toMatchObject({ postbacksDropped: 1, postbacksSent: 1 });
  });

  it('when the postback URL refuses connections, then the failure is counted and not retried', async () => {
    await h.control('POST', '/control/config', { postbackUrl: 'http://127.0.0.1:9/nowhere' });
    const { order_id } = await h.place({ price: 100 });
    await h.control('POST', `/control/orders/${order_id}/fill`, {});
    await h.broker.drainPostbacks();
    expect(await h.control('GET', '/control/stats')).toMatchObject({ postbacksFailed: 1, postbacksSent: 0 });
  });
});
