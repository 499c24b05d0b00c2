import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { isProcessAlive } from '../../src/infra/process-guard';
import { startTemporalDevServer } from '../../src/infra/temporal-dev-server';
import { testEnv } from '../support/env';
import { freePort } from '../support/ports';

describe('the shared Temporal dev server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: testEnv().temporalAddress });
  });
  afterAll(async () => {
    await connection.close();
  });

  test('answers describeNamespace for the test namespace', async () => {
    const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: testEnv().temporalNamespace });

    expect(namespaceInfo?.name).toBe(testEnv().temporalNamespace);
  });

  test('has the order search attributes registered as Keyword', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: testEnv().temporalNamespace });

    const keyword = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    for (const name of ['OrderClientId', 'OrderSymbol', 'OrderStrategyId', 'OrderStatus', 'OrderIntervention']) {
      expect({ name, type: customAttributes?.[name] }).toEqual({ name, type: keyword });
    }
  });
});

describe('startTemporalDevServer', () => {
  let workDir: string;
  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oms-temporal-'));
  });
  afterEach(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('when restarted on the same SQLite file, then workflows started before the restart are still there', async () => {
    const dbFilename = path.join(workDir, 'nested', 'temporal.db');
    const workflowId = `persist-${crypto.randomUUID()}`;
    const options = { port: await freePort(), namespace: 'oms-persist', dbFilename, headless: true };

    const first = await startTemporalDevServer(options);
    try {
      const client = new Client({ connection: await Connection.connect({ address: first.address }), namespace: 'oms-persist' });
      // no worker polls this queue: the workflow simply stays running
      await client.workflow.start('orderLifecycleWorkflow', { taskQueue: 'nobody-polls', workflowId });
      await client.connection.close();
    } finally {
      await first.stop();
    }
    expect(isProcessAlive(first.pid)).toBe(false);

    const second = await startTemporalDevServer(options);
    try {
      const client = new Client({ connection: await Connection.connect({ address: second.address }), namespace: 'oms-persist' });
      const description = await client.workflow.getHandle(workflowId).describe();
      await client.connection.close();

      expect(description.status.name).toBe('RUNNING');
    } finally {
      await second.stop();
    }
  });

  test('when a data directory predates a search attribute, then the next start registers it and keeps what was there', async () => {
    const dbFilename = path.join(workDir, 'temporal.db');
    const first = await startTemporalDevServer({ port: await freePort(), dbFilename, headless: true, searchAttributes: { OrderStatus: 'Keyword' } });
    await first.stop();

    const second = await startTemporalDevServer({ port: await freePort(), dbFilename, headless: true, searchAttributes: { OrderStatus: 'Keyword', OrderIntervention: 'Keyword' } });
    try {
      const connection = await Connection.connect({ address: second.address });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      await connection.close();
      expect({ OrderStatus: customAttributes?.OrderStatus, OrderIntervention: customAttributes?.OrderIntervention }).toEqual({ OrderStatus: 2, OrderIntervention: 2 });
    } finally {
      await second.stop();
    }
  });

  test('when the port is taken by another server, then start-up fails instead of reporting that server as ours', async () => {
    const port = Number(testEnv().temporalAddress.split(':').pop());

    await expect(startTemporalDevServer({ port, headless: true })).rejects.toThrow(/not available/);
  });

  test('when the server cannot start, then the error carries its output', async () => {
    const options = { port: await freePort(), headless: true, extraArgs: ['--no-such-flag'] };

    await expect(startTemporalDevServer(options)).rejects.toThrow(/exited during start-up[\s\S]*no-such-flag/);
  });
});
