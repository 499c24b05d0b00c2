import { HintLedger } from '../../src/services/hint-ledger';

describe('the hint ledger: the same broker news reaches an order once per process', () => {
  it('when a postback and then the book watcher bring the same status and fill, then only the first is news', () => {
    const ledger = new HintLedger();
    expect(ledger.isNews('B-1', 'COMPLETE', 30)).toBe(true);
    expect(ledger.isNews('B-1', 'COMPLETE', 30)).toBe(false);
  });

  it('when the order moves on (another status or a further fill), then that is news again, and other orders are apart', () => {
    const ledger = new HintLedger();
    expect(ledger.isNews('B-1', 'OPEN', 0)).toBe(true);
    expect(ledger.isNews('B-1', 'OPEN', 30)).toBe(true);
    expect(ledger.isNews('B-1', 'COMPLETE', 60)).toBe(true);
    expect(ledger.isNews('B-2', 'COMPLETE', 60)).toBe(true);
  });

  it('when a signal failed and is forgotten, then the next channel with the same news signals it', () => {
    const ledger = new HintLedger();
    ledger.isNews('B-1', 'OPEN', 0);
    ledger.forget('B-1');
    expect(ledger.isNews('B-1', 'OPEN', 0)).toBe(true);
  });

  it('when more orders than its capacity were signalled, then the oldest is forgotten first (its news counts again)', () => {
    const ledger = new HintLedger(2);
    ledger.isNews('B-1', 'OPEN', 0);
    ledger.isNews('B-2', 'OPEN', 0);
    ledger.isNews('B-1', 'OPEN', 30); // B-1 is now the newest
    ledger.isNews('B-3', 'OPEN', 0); // drops B-2
    expect(ledger.isNews('B-1', 'OPEN', 30)).toBe(false);
    expect(ledger.isNews('B-2', 'OPEN', 0)).toBe(true);
  });
});
