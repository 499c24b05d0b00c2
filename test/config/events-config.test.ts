import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventsConfigError, loadEventsConfig } from '../../src/config/events-config';

const write = (json: unknown) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'events-config-')), 'events.json');
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
};

const ENV = {
  S1_HOOK_URL: 'https://hooks.example.com/s1',
  S1_HOOK_SECRET: 'whsec-s1',
  SLACK_URL: 'https://hooks.slack.com/services/T000/B000/secretpath',
  TG_TOKEN: '123456:bot-token',
};

const load = (json: unknown, env: NodeJS.ProcessEnv = ENV) => loadEventsConfig(write(json), env);
/** The message of the EventsConfigError the file raises (fails the test when it loads, or throws something else). */
const errorOf = (json: unknown, env: NodeJS.ProcessEnv = ENV): string => {
  try {
    load(json, env);
  } catch (err) {
    expect(err).toBeInstanceOf(EventsConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

const hook = { id: 's1-hook', strategies: ['s1'], urlEnv: 'S1_HOOK_URL', secretEnv: 'S1_HOOK_SECRET' };

describe('events configuration', () => {
  test('when the shipped file is loaded, then there are no subscriptions and the default delivery timings', () => {
    const c = loadEventsConfig(path.resolve(__dirname, '../../config/events.json'), {});
    expect(c).toEqual({ subscriptions: [], delivery: { timeoutMs: 5_000, retryInitialMs: 1_000, retryMaxMs: 60_000 } });
  });

  test('when a valid file names its secrets by variable, then each is resolved from the given environment, not process.env', () => {
    const c = load({
      webhooks: [hook, { id: 's2-hook', strategies: ['s2', 's3'], url: 'http://127.0.0.1:9000/s2', types: ['ORDER_FILL', 'POSITION'] }],
      alerts: [
        { id: 'desk', format: 'slack', urlEnv: 'SLACK_URL', minSeverity: 'warning' },
        { id: 'tg', format: 'telegram', botTokenEnv: 'TG_TOKEN', chatId: -1001234, kinds: ['KILL_SWITCH_ENGAGED'] },
      ],
      delivery: { timeoutMs: 2_000, retryInitialMs: 100, retryMaxMs: 400 },
    });
    expect(c.delivery).toEqual({ timeoutMs: 2_000, retryInitialMs: 100, retryMaxMs: 400 });
    expect(c.subscriptions).toEqual([
      { name: 'webhook:s1-hook', kind: 'webhook', format: 'generic', url: ENV.S1_HOOK_URL, secret: 'whsec-s1', strategyIds: ['s1'], types: ['ORDER_STATUS', 'ORDER_FILL', 'POSITION', 'INTERVENTION'], minSeverity: 'info' },
      { name: 'webhook:s2-hook', kind: 'webhook', format: 'generic', url: 'http://127.0.0.1:9000/s2', secret: null, strategyIds: ['s2', 's3'], types: ['ORDER_FILL', 'POSITION'], minSeverity: 'info' },
      { name: 'alert:desk', kind: 'alert', format: 'slack', url: ENV.SLACK_URL, secret: null, types: ['ALERT'], chatId: undefined, kinds: undefined, minSeverity: 'warning' },
      { name: 'alert:tg', kind: 'alert', format: 'telegram', url: 'https://api.telegram.org/bot123456:bot-token/sendMessage', secret: null, types: ['ALERT'], chatId: -1001234, kinds: ['KILL_SWITCH_ENGAGED'], minSeverity: 'info' },
    ]);
  });

  test.each([
    { title: 'the default Bot API', apiRoot: undefined, url: 'https://api.telegram.org/bot123456:bot-token/sendMessage' },
    { title: 'another apiRoot with a trailing slash', apiRoot: 'http://127.0.0.1:8081/', url: 'http://127.0.0.1:8081/bot123456:bot-token/sendMessage' },
  ])('when a telegram channel uses $title, then its URL is apiRoot + /bot<token>/sendMessage', ({ apiRoot, url }) => {
    const c = load({ alerts: [{ id: 'tg', format: 'telegram', botTokenEnv: 'TG_TOKEN', chatId: '@desk', ...(apiRoot ? { apiRoot } : {}) }] });
    expect(c.subscriptions[0]).toMatchObject({ url, chatId: '@desk' });
  });

  test.each([
    { title: 'a webhook\'s secret variable is not set', json: { webhooks: [{ ...hook, secretEnv: 'NOT_SET_SECRET' }] }, names: ['webhooks[s1-hook].secretEnv', 'NOT_SET_SECRET'] },
    { title: 'a webhook\'s URL variable is not set', json: { webhooks: [{ ...hook, urlEnv: 'NOT_SET_URL' }] }, names: ['webhooks[s1-hook].urlEnv', 'NOT_SET_URL'] },
    { title: 'a telegram bot token variable is not set', json: { alerts: [{ id: 'tg', format: 'telegram', botTokenEnv: 'NOT_SET_TOKEN', chatId: 1 }] }, names: ['alerts[tg].botTokenEnv', 'NOT_SET_TOKEN'] },
    { title: 'a webhook has neither url nor urlEnv', json: { webhooks: [{ id: 's1-hook', strategies: ['s1'] }] }, names: ['webhooks[s1-hook].urlEnv (or url)', 'required'] },
    { title: 'a webhook has both url and urlEnv', json: { webhooks: [{ ...hook, url: 'https://x.example.com/' }] }, names: ['webhooks[s1-hook]', 'both url and urlEnv'] },
    { title: 'a telegram channel has no chatId', json: { alerts: [{ id: 'tg', format: 'telegram', botTokenEnv: 'TG_TOKEN' }] }, names: ['alerts[tg]', 'chatId'] },
    { title: 'two webhooks share an id', json: { webhooks: [hook, { ...hook, strategies: ['s2'] }] }, names: ['webhook:s1-hook'] },
    { title: 'two alert channels share an id', json: { alerts: [{ id: 'desk', format: 'slack', urlEnv: 'SLACK_URL' }, { id: 'desk', format: 'generic', url: 'https://x.example.com/' }] }, names: ['alert:desk'] },
    { title: 'a webhook URL in the file is not http(s)', json: { webhooks: [{ id: 's1-hook', strategies: ['s1'], url: 'ftp://files.example.com/in' }] }, names: ['webhooks.0.url'] },
    { title: 'a URL variable holds a non-http URL', json: { webhooks: [{ ...hook, urlEnv: 'FILE_URL' }] }, env: { ...ENV, FILE_URL: 'file:///etc/passwd' }, names: ['webhooks[s1-hook]', 'FILE_URL', 'not an http(s) URL'] },
    { title: 'the top level has an unknown key', json: { webhook: [] }, names: ['webhook'] },
    { title: 'a webhook has an unknown key', json: { webhooks: [{ ...hook, secret: 'inline' }] }, names: ['webhooks.0', 'secret'] },
    { title: 'delivery has an unknown key', json: { delivery: { retries: 3 } }, names: ['delivery', 'retries'] },
    { title: 'a webhook asks for ALERT events', json: { webhooks: [{ ...hook, types: ['ALERT'] }] }, names: ['webhooks.0.types.0', 'alert channels'] },
    { title: 'an alert channel names an unknown kind', json: { alerts: [{ id: 'desk', format: 'slack', urlEnv: 'SLACK_URL', kinds: ['ORDER_FILLED'] }] }, names: ['alerts.0.kinds.0'] },
    { title: 'a secret variable name is not an env var name', json: { webhooks: [{ ...hook, secretEnv: 'whsec-inline-secret' }] }, names: ['webhooks.0.secretEnv'] },
  ])('when $title, then loading fails with an EventsConfigError naming it', ({ json, env, names }) => {
    const message = errorOf(json, env);
    for (const n of names) expect(message).toContain(n);
  });

  test('when a URL variable is missing, then the error names the variable but never another variable\'s value', () => {
    const message = errorOf({ webhooks: [{ ...hook, urlEnv: 'NOT_SET_URL' }], alerts: [{ id: 'desk', format: 'slack', urlEnv: 'SLACK_URL' }] });
    expect(message).not.toContain(ENV.SLACK_URL);
    expect(message).not.toContain(ENV.S1_HOOK_SECRET);
  });

  test('when the file is not JSON, then the error names the file', () => {
    const file = write({});
    fs.writeFileSync(file, '{ "webhooks": [');
    expect(() => loadEventsConfig(file, ENV)).toThrow(EventsConfigError);
    expect(() => loadEventsConfig(file, ENV)).toThrow(file);
  });
});
