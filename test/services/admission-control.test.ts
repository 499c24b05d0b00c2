import { AdmissionControl } from '../../src/services/admission-control';
import { AppError } from '../../src/services/app-errors';

const deadlineError = new Error('deadline');
const isDeadline = (err: unknown) => err === deadlineError;

/** A promise and the hand that settles it. */
function gate<T>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => { open = resolve; fail = reject; });
  return { promise, open, fail };
}

describe('admission control', () => {
  it('when the in-flight limit is reached, then the next admission is refused with 429 OVERLOADED and Retry-After, without running', async () => {
    const control = new AdmissionControl({ maxInFlight: 2, deadlineMs: 1000 });
    const a = gate<string>();
    const b = gate<string>();
    const running = [control.run(() => a.promise, isDeadline), control.run(() => b.promise, isDeadline)];
    let ran = false;
    const err = await control.run(async () => { ran = true; return 'c'; }, isDeadline).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 429, code: 'OVERLOADED', retryAfterSeconds: 1 });
    expect(ran).toBe(false);
    expect(control.waiting).toBe(2);
    a.open('a');
    b.open('b');
    await expect(Promise.all(running)).resolves.toEqual(['a', 'b']);
  });

  it('when an admission ends (answered or failed), then its place is free again', async () => {
    const control = new AdmissionControl({ maxInFlight: 1, deadlineMs: 1000 });
    await expect(control.run(async () => { throw new Error('refused by the gate'); }, isDeadline)).rejects.toThrow('refused by the gate');
    await expect(control.run(async () => 'placed', isDeadline)).resolves.toBe('placed');
    expect(control.waiting).toBe(0);
  });

  it('when the admission misses its deadline, then it answers 503 ADMISSION_TIMEOUT telling the caller to re-send the same request', async () => {
    const control = new AdmissionControl({ maxInFlight: 5, deadlineMs: 2500 });
    const before = Date.now();
    let given = 0;
    const err = await control.run(async (deadline) => { given = deadline; throw deadlineError; }, isDeadline).catch((e: unknown) => e);
    expect(given).toBeGreaterThanOrEqual(before + 2500);
    expect(err).toMatchObject({ status: 503, code: 'ADMISSION_TIMEOUT', retryAfterSeconds: 1 });
    expect((err as Error).message).toMatch(/same clientOrderId/);
  });
});
