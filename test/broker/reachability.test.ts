import { Reachability } from '../../src/broker/reachability';

describe('whether the broker answers at all', () => {
  it('when every call was answered, then it is reachable and no probe is sent', async () => {
    const r = new Reachability(2000, () => 0);
    let probes = 0;
    expect(await r.unreachable(async () => { probes++; })).toBe(false);
    expect(probes).toBe(0);
  });

  it('when calls went unanswered, then a failing probe says unreachable, and within the probe interval no second probe is sent', async () => {
    let now = 0;
    const r = new Reachability(2000, () => now);
    r.unanswered();
    let probes = 0;
    const failing = async () => { probes++; throw new Error('no answer'); };
    expect(await r.unreachable(failing)).toBe(true);
    now = 1000;
    expect(await r.unreachable(failing)).toBe(true);
    expect(probes).toBe(1);
    now = 2500;
    expect(await r.unreachable(async () => { probes++; })).toBe(false); // the probe was answered
    expect(probes).toBe(2);
  });

  it('when a call is answered after an outage, then it is reachable again at once', async () => {
    const r = new Reachability(2000, () => 0);
    r.unanswered();
    r.answered();
    expect(await r.unreachable(async () => { throw new Error('not asked'); })).toBe(false);
  });
});
