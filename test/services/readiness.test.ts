import { readiness } from '../../src/services/readiness';

describe('GET /ready: whether the deployment can take orders', () => {
  it('when every dependency answers, then it is ready and says so per check', async () => {
    expect(await readiness({ database: async () => ({ ok: true }), temporal: async () => ({ ok: true }) }))
      .toEqual({ ready: true, checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it('when one check fails, throws or hangs, then it is not ready and each says why (the hung one answers as not answering)', async () => {
    const r = await readiness({
      database: async () => ({ ok: true }),
      worker: async () => ({ ok: false, reason: 'no worker polls task queue oms' }),
      temporal: async () => { throw new Error('connection refused'); },
      broker: () => new Promise(() => undefined),
    });
    expect(r.ready).toBe(false);
    expect(r.checks).toEqual({
      database: { ok: true },
      worker: { ok: false, reason: 'no worker polls task queue oms' },
      temporal: { ok: false, reason: 'temporal: connection refused' },
      broker: { ok: false, reason: expect.stringMatching(/broker did not answer within 2000 ms/) },
    });
  });
});
