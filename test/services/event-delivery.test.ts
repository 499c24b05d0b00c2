import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Subscription } from '../../src/config/events-config';
import { requestFor, send, signatureOf, wants } from '../../src/services/event-delivery';
import type { EventMessage } from '../../src/services/event-stream';
import { startReceiver } from '../support/http-receiver';

const NOW_MS = Date.parse('2026-11-24T04:00:07.900Z');
const NOW_S = String(Math.floor(NOW_MS / 1000));

const webhook = (overrides: Partial<Subscription> = {}): Subscription => ({
  name: 'webhook:s1-hook', kind: 'webhook', format: 'generic', url: 'https://hooks.example.com/s1', secret: 'whsec-s1', strategyIds: ['s1'],
  types: ['ORDER_STATUS', 'ORDER_FILL', 'POSITION', 'INTERVENTION'], minSeverity: 'info', ...overrides,
});
const channel = (overrides: Partial<Subscription> = {}): Subscription => ({
  name: 'alert:desk', kind: 'alert', format: 'generic', url: 'https://alerts.example.com/in', secret: null, types: ['ALERT'], minSeverity: 'info', ...overrides,
});

const fillMessage: EventMessage = {
  id: '42', type: 'ORDER_FILL', strategyId: 's1', account: 'ZX1234', orderId: 'order-a1', occurredAt: '2026-11-24T04:00:05.000Z',
  data: { orderId: 'order-a1', tradeId: 'T-1', tradingsymbol: 'BANKNIFTY26NOV52000CE', exchange: 'NFO', product: 'NRML', side: 'BUY', quantity: 30, price: '100.05' },
};
const alertMessage = (kind: string, severity: string | undefined, id = '43'): EventMessage => ({
  id, type: 'ALERT', strategyId: null, account: 'ZX1234', orderId: null, occurredAt: '2026-11-24T04:00:06.000Z',
  data: { kind, ...(severity ? { severity } : {}), message: `${kind} happened` },
});

describe('requestFor: what is POSTed', () => {
  it('when a webhook has a secret, then X-OMS-Signature is HMAC-SHA256(secret, "<timestamp>.<body>") as an independent computation finds it', () => {
    const req = requestFor(webhook(), fillMessage, NOW_MS);
    expect(req.headers['x-oms-timestamp']).toBe(NOW_S);
    const expected = createHmac('sha256', 'whsec-s1').update(`${NOW_S}.${req.body}`).digest('hex');
    expect(req.headers['x-oms-signature']).toBe(`sha256=${expected}`);
    expect(signatureOf('whsec-s1', NOW_S, req.body)).toBe(req.headers['x-oms-signature']);
  });

  it('when the body, the timestamp or the secret differ, then the signature does not match', () => {
    const req = requestFor(webhook(), fillMessage, NOW_MS);
    expect(signatureOf('whsec-s1', NOW_S, req.body.replace('100.05', '100.06'))).not.toBe(req.headers['x-oms-signature']);
    expect(signatureOf('whsec-s1', String(Number(NOW_S) + 1), req.body)).not.toBe(req.headers['x-oms-signature']);
    expect(signatureOf('whsec-other', NOW_S, req.body)).not.toBe(req.headers['x-oms-signature']);
  });

  it('when a subscription has no secret, then the request is not signed', () => {
    expect(requestFor(webhook({ secret: null }), fillMessage, NOW_MS).headers).not.toHaveProperty('x-oms-signature');
  });

  it('when an event is sent, then it carries its id and type as headers, JSON content and the subscription\'s URL', () => {
    const req = requestFor(webhook(), fillMessage, NOW_MS);
    expect(req.url).toBe('https://hooks.example.com/s1');
    expect(req.headers).toMatchObject({ 'content-type': 'application/json', 'x-oms-event-id': '42', 'x-oms-event-type': 'ORDER_FILL' });
  });

  it('when the format is generic, then the body is the event message itself as JSON', () => {
    expect(JSON.parse(requestFor(webhook(), fillMessage, NOW_MS).body)).toEqual(fillMessage);
    const alert = alertMessage('KILL_SWITCH_ENGAGED', 'critical');
    expect(JSON.parse(requestFor(channel(), alert, NOW_MS).body)).toEqual(alert);
  });

  it('when the format is slack, then the body is {text} naming the kind, severity, account, message and event id', () => {
    const body = JSON.parse(requestFor(channel({ format: 'slack' }), alertMessage('KILL_SWITCH_ENGAGED', 'critical'), NOW_MS).body) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['text']);
    for (const part of ['*KILL_SWITCH_ENGAGED*', 'critical', 'account ZX1234', 'KILL_SWITCH_ENGAGED happened', 'event 43']) expect(body.text).toContain(part);
  });

  it('when the format is telegram, then the body has the chat_id and the alert as plain text', () => {
    const body = JSON.parse(requestFor(channel({ format: 'telegram', chatId: -1001234 }), alertMessage('TOKEN_EXPIRED', 'critical'), NOW_MS).body) as Record<string, unknown>;
    expect(body).toMatchObject({ chat_id: -1001234, disable_web_page_preview: true });
    expect(body.text).toContain('TOKEN_EXPIRED');
    expect(body.text).not.toContain('*');
  });
});

describe('wants: which events a subscription gets', () => {
  it.each([
    { title: 'a webhook gets a type it subscribed to', sub: webhook(), m: fillMessage, wanted: true },
    { title: 'a webhook does not get a type it left out', sub: webhook({ types: ['ORDER_STATUS'] }), m: fillMessage, wanted: false },
    { title: 'an alert channel does not get a fill', sub: channel(), m: fillMessage, wanted: false },
    { title: 'an alert channel without kinds gets any kind', sub: channel(), m: alertMessage('DUPLICATE_ORDER', 'warning'), wanted: true },
    { title: 'an alert channel gets a kind it lists', sub: channel({ kinds: ['KILL_SWITCH_ENGAGED', 'TOKEN_EXPIRED'] }), m: alertMessage('TOKEN_EXPIRED', 'critical'), wanted: true },
    { title: 'an alert channel does not get a kind it does not list', sub: channel({ kinds: ['KILL_SWITCH_ENGAGED'] }), m: alertMessage('MANUAL_REVIEW', 'critical'), wanted: false },
    { title: 'a severity equal to minSeverity passes', sub: channel({ minSeverity: 'warning' }), m: alertMessage('MANUAL_REVIEW', 'warning'), wanted: true },
    { title: 'a severity above minSeverity passes', sub: channel({ minSeverity: 'warning' }), m: alertMessage('KILL_SWITCH_ENGAGED', 'critical'), wanted: true },
    { title: 'a severity below minSeverity is left out', sub: channel({ minSeverity: 'critical' }), m: alertMessage('MANUAL_REVIEW', 'warning'), wanted: false },
    { title: 'an alert without a severity counts as info', sub: channel({ minSeverity: 'warning' }), m: alertMessage('RECONCILIATION_FINDING', undefined), wanted: false },
    { title: 'kinds and minSeverity both have to pass', sub: channel({ kinds: ['MANUAL_REVIEW'], minSeverity: 'critical' }), m: alertMessage('MANUAL_REVIEW', 'warning'), wanted: false },
  ])('when $title, then wants is $wanted', ({ sub, m, wanted }) => {
    expect(wants(sub, m)).toBe(wanted);
  });
});

describe('send: the HTTP call', () => {
  it('when the receiver answers 2xx, then send resolves and the receiver got the body and headers as built', async () => {
    const receiver = await startReceiver();
    try {
      const req = requestFor(webhook({ url: `${receiver.url}/hook` }), fillMessage, NOW_MS);
      await expect(send(req, 2_000)).resolves.toBeUndefined();
      expect(receiver.received).toHaveLength(1);
      const [r] = receiver.received;
      expect(r.path).toBe('/hook');
      expect(r.body).toBe(req.body);
      expect(r.headers).toMatchObject({ 'x-oms-event-id': '42', 'x-oms-event-type': 'ORDER_FILL', 'x-oms-timestamp': NOW_S, 'x-oms-signature': req.headers['x-oms-signature'] });
    } finally {
      await receiver.close();
    }
  });

  it('when the receiver answers 500, then send throws "HTTP 500" and the message never contains the secret-bearing URL', async () => {
    const receiver = await startReceiver({ failFirst: 1 });
    const secretPath = '/services/T0SECRET/B0SECRET/xoxb-very-secret-token';
    try {
      const err = await send(requestFor(channel({ format: 'slack', url: `${receiver.url}${secretPath}` }), alertMessage('TOKEN_EXPIRED', 'critical'), NOW_MS), 2_000).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain('HTTP 500');
      expect((err as Error).message).not.toContain('SECRET');
      expect((err as Error).message).not.toContain('xoxb');
      expect((err as Error).message).not.toContain(receiver.url);
    } finally {
      await receiver.close();
    }
  });

  it('when nothing listens at the URL, then send throws without the URL in the message', async () => {
    const receiver = await startReceiver();
    const url = `${receiver.url}/bot123456:secret-bot-token/sendMessage`;
    await receiver.close();
    const err = await send({ url, headers: {}, body: '{}' }, 2_000).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/not delivered/);
    expect((err as Error).message).not.toContain('secret-bot-token');
    expect((err as Error).message).not.toContain(url);
  });

  it('when the receiver does not answer in time, then send throws naming the deadline, not the URL', async () => {
    const server = http.createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-path-abc`;
    try {
      const err = await send({ url, headers: {}, body: '{}' }, 200).catch((e: Error) => e);
      expect((err as Error).message).toBe('no answer within 200 ms');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('when the receiver redirects, then send fails instead of following (the event is not silently sent elsewhere)', async () => {
    const server = http.createServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-path-abc`;
    try {
      const err = await send({ url, headers: {}, body: '{}' }, 2_000).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).not.toContain('secret-path-abc');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
