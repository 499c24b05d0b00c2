import { activeKillSwitch, type KillSwitchState } from '../../src/domain/kill-switch';
import type { GroupRequest } from '../../src/domain/order-group-legs';
import { refuseUnprotectiveOcoWhileHalted, type HaltGuardDeps } from '../../src/services/halt-guard';

/** An OCO placed while halted: accepted only when its legs would be kept by the halt's own sweep. */
const halted: KillSwitchState = { ...activeKillSwitch('default'), status: 'HALTED', reason: 'desk halt', resetAtMs: null };
const oco = (o: Partial<GroupRequest> = {}): GroupRequest => ({
  kind: 'oco', clientOrderId: 'late', strategyId: 's1', tradingsymbol: 'BANKNIFTY26DEC52000CE', exchange: 'NFO', product: 'NRML', variety: 'regular',
  side: 'BUY', quantity: 30, exits: { targetPricePaise: 12_000, stopTriggerPaise: 9_000 }, ...o,
});
const deps = (state: KillSwitchState, held: number): HaltGuardDeps => ({ killSwitch: async () => state, bookQuantity: async () => held, liveOrders: async () => [] });

describe('refuseUnprotectiveOcoWhileHalted', () => {
  it.each([
    { when: 'the switch is not engaged, even on a flat book', state: activeKillSwitch('default'), held: 0, g: oco(), refused: null },
    { when: 'halted and the OCO closes a long of 30', state: halted, held: 30, g: oco(), refused: null },
    { when: 'halted and the OCO closes a short of 30', state: halted, held: -30, g: oco({ side: 'SELL' }), refused: null },
    { when: 'halted and the book is flat', state: halted, held: 0, g: oco(), refused: 'NOT_REDUCING' },
    { when: 'halted and the OCO is larger than the long', state: halted, held: 15, g: oco(), refused: 'OVER_CLOSES' },
    { when: 'halted and it is a bracket (its entry meets the gate itself)', state: halted, held: 0, g: oco({ kind: 'bracket', entry: { orderType: 'MARKET' } }), refused: null },
  ])('when $when, then the refusal is $refused', async ({ state, held, g, refused }) => {
    const outcome = await refuseUnprotectiveOcoWhileHalted(deps(state, held), g).then(() => null, (e: { status: number; code: string; details: { haltReason: string } }) => {
      expect([e.status, e.code]).toEqual([422, 'KILL_SWITCH']);
      return e.details.haltReason;
    });
    expect(outcome).toBe(refused);
  });
});
