import { Writable } from 'node:stream';
import { createLogger, lineLog, redactText, temporalLogger, type LoggerSettings } from '../../src/infra/logger';

/** A logger writing into memory: its raw text and its records (JSON format). */
function captured(settings: LoggerSettings = { format: 'json' }) {
  let text = '';
  const destination = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  const logger = createLogger({ ...settings, destination });
  // pino-pretty hands its lines on through a pipe: one turn of the event loop.
  const flushed = () => new Promise((r) => setImmediate(r));
  const records = () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { logger, text: () => text, records, flushed };
}

const SECRET = 'q8Zt3LmR9vXw2KpA';

describe('redaction', () => {
  it('when a record carries secrets as fields, at the top or nested in headers, then none of their values is written', () => {
    const { logger, text, records } = captured();
    logger.info({
      apiSecret: SECRET, access_token: SECRET, account: 'default',
      req: { headers: { authorization: `token key:${SECRET}`, 'x-api-key': SECRET, 'set-cookie': SECRET } },
      session: { accessToken: SECRET, requestToken: SECRET, password: SECRET },
    }, 'session saved');
    expect(text()).not.toContain(SECRET);
    expect(records()[0]).toMatchObject({ account: 'default', apiSecret: '[redacted]', req: { headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' } }, msg: 'session saved' });
  });

  it('when a free-text line quotes a token, a header, a URL password or a configured secret, then the line keeps its words but not the secret', () => {
    const { logger, text, records } = captured({ format: 'json', secrets: ['configured-secret-1'] });
    const log = lineLog(logger, 'oms');
    log(`login back: /session?request_token=${SECRET}&action=login`);
    log(`kite said 403 for Authorization: token apikey:${SECRET}`);
    log(`database postgresql://oms:${SECRET}@db:5432/oms is up`);
    log(`the answer was {"access_token":"${SECRET}","user_id":"AB1234"}`);
    log('secret configured-secret-1 in a message');
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain('configured-secret-1');
    expect(records().map((r) => r.msg)).toEqual([
      'login back: /session?request_token=[redacted]&action=login',
      'kite said 403 for Authorization: [redacted]',
      'database postgresql://oms:[redacted]@db:5432/oms is up',
      'the answer was {"access_token":"[redacted]","user_id":"AB1234"}',
      'secret [redacted] in a message',
    ]);
  });

  it('when a line has no secret in it, then it is written unchanged', () => {
    expect(redactText('the token expired; open /api/v1/accounts/default/login')).toBe('the token expired; open /api/v1/accounts/default/login');
  });
});

describe('the log(line) function the system threads', () => {
  it('when a line is logged, then it becomes an info record naming its component', () => {
    const { logger, records } = captured();
    lineLog(logger, 'oms')('migrations applied: 0001_init');
    expect(records()[0]).toMatchObject({ level: 'info', component: 'oms', msg: 'migrations applied: 0001_init' });
    expect(typeof records()[0].time).toBe('string');
  });

  it('when the line is an alert (a JSON record with a level), then it keeps its level and fields', () => {
    const { logger, records } = captured();
    lineLog(logger, 'oms')(JSON.stringify({ level: 'error', alert: 'TOKEN_EXPIRED', severity: 'critical', account: 'default', message: 'broker session expired' }));
    expect(records()[0]).toEqual(expect.objectContaining({ level: 'error', component: 'oms', alert: 'TOKEN_EXPIRED', account: 'default', msg: 'broker session expired' }));
  });

  it('when the level is warn, then info lines are not written', () => {
    const { logger, records } = captured({ format: 'json', level: 'warn' });
    lineLog(logger, 'oms')('chatter');
    logger.warn('kept');
    expect(records().map((r) => r.msg)).toEqual(['kept']);
  });
});

describe('format', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  const setTty = (value: boolean) => Object.defineProperty(process.stdout, 'isTTY', { value, configurable: true, writable: true });
  afterEach(() => {
    if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });

  it('when json is asked, then each record is one JSON line', async () => {
    const { logger, text, flushed } = captured({ format: 'json' });
    lineLog(logger, 'oms')('one');
    lineLog(logger, 'oms')('two');
    await flushed();
    expect(text().trim().split('\n').map((l) => JSON.parse(l).msg)).toEqual(['one', 'two']);
  });

  it('when pretty is asked, then a record is a readable line with time, level and component', async () => {
    const { logger, text, flushed } = captured({ format: 'pretty' });
    lineLog(logger, 'oms')('worker started');
    await flushed();
    expect(text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[oms\] worker started\n$/);
  });

  it('when no format is given, then a terminal gets pretty lines and anything else JSON', async () => {
    setTty(true);
    const atTerminal = captured({});
    atTerminal.logger.info('hello');
    setTty(false);
    const piped = captured({});
    piped.logger.info('hello');
    await atTerminal.flushed();
    expect(atTerminal.text()).toContain('INFO: hello');
    expect(() => JSON.parse(atTerminal.text())).toThrow();
    expect(piped.records()[0]).toMatchObject({ level: 'info', msg: 'hello' });
  });
});

describe('the Temporal SDK logger adapter', () => {
  it('when the SDK logs at each of its levels, then the record has the matching pino level, the temporal component and the metadata', () => {
    const { logger, records } = captured({ format: 'json', level: 'trace' });
    const sdk = temporalLogger(logger);
    sdk.trace('t', { sdkComponent: 'worker' });
    sdk.debug('d');
    sdk.info('order finished', { sdkComponent: 'workflow', workflowId: 'order-c1', orderId: 'order-c1' });
    sdk.warn('w');
    sdk.error('e', { error: new Error('boom') });
    sdk.log('WARN', 'via log');
    expect(records().map((r) => [r.level, r.msg])).toEqual([['trace', 't'], ['debug', 'd'], ['info', 'order finished'], ['warn', 'w'], ['error', 'e'], ['warn', 'via log']]);
    expect(records().every((r) => r.component === 'temporal')).toBe(true);
    expect(records()[2]).toMatchObject({ sdkComponent: 'workflow', workflowId: 'order-c1' });
    expect(records()[4].err).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('when an SDK message quotes a secret, then it is redacted like any line', () => {
    const { logger, text } = captured();
    temporalLogger(logger).warn(`activity failed: access_token=${SECRET}`, { apiSecret: SECRET });
    expect(text()).not.toContain(SECRET);
  });
});
