import { brokerTagFor } from '../../domain/hash';
import { classifyRejection, nextFallback, planSlices, sliceSize, type FallbackStep } from '../../domain/fallback';
import type { ModifyRequest } from '../order-messages';
import { pauseFor } from './interventions';
import { splitInto } from './legs';
import type { OrderRun } from './order-run';
import { recheckModification } from './risk';

/**
 * The broker refused this attempt: take the next rung of the fallback ladder (re-place reduced or at market, split,
 * or ask an operator). False when the ladder has nothing for this rejection: the order then ends REJECTED.
 */
export async function fallBack(run: OrderRun, errorType: string | null, message: string): Promise<boolean> {
  const policy = run.cfg.fallback;
  if (!policy) return false;
  const rejection = classifyRejection(errorType, message);
  const s = run.state;
  const step = nextFallback(policy, {
    rejection, taken: run.fallbackTaken, quantity: s.quantity, lotSize: s.instrument?.lotSize ?? 1, orderType: s.orderType, freezeQuantity: run.freezeQuantity(),
  });
  if (!step) return false;
  run.fallbackTaken.push(step.rung);
  run.apply({ type: 'ATTEMPT_REJECTED', rejection, code: errorType, message, rung: step.rung, at: run.now() });
  run.apply({ type: 'FALLBACK_STEP', step: { ...step, rejection, attempt: s.attempts?.length ?? 1 }, at: run.now() });
  await run.flush();
  if (step.rung === 'split') {
    await splitInto(run, step.slices);
    return true;
  }
  const changes = await newTerms(run, step, `the broker refused the order (${rejection}): ${message}`);
  if (changes === null) return true; // abandoned by the operator
  if (Object.keys(changes).length > 0) {
    const refusal = await recheckModification(run, changes); // new terms pass the risk gate like any modify
    if (refusal) {
      run.apply({ type: 'SUBMIT_REJECTED', code: 'RISK_REJECTED', message: `fallback ${step.rung}: ${refusal.message}`, at: run.now() });
      return true;
    }
  }
  run.apply({ type: 'REPLACING', tag: brokerTagFor(`${run.state.orderId}#${run.state.attempts?.length ?? 1}`), changes, at: run.now() });
  await run.flush();
  return true;
}

/** The terms the order is placed again with: the rung's, or the operator's at the manual rung (null: abandoned). */
async function newTerms(run: OrderRun, step: Exclude<FallbackStep, { rung: 'split' }>, why: string): Promise<ModifyRequest | null> {
  if (step.rung === 'market') return { orderType: 'MARKET' };
  if (step.rung === 'reduce') return { quantity: step.quantity };
  if (step.rung !== 'manual') return {};
  const d = await pauseFor(run, 'MANUAL_REVIEW', why, ['retry', 'modify', 'convert', 'abandon'], run.cfg.fallback?.manual);
  if (d.action === 'abandon') return null;
  return d.action === 'convert' ? { orderType: 'MARKET' } : d.action === 'modify' ? d.changes ?? {} : {};
}

/** Slices for an order that asked to be split and is above its freeze quantity or configured slice size; else null. */
export function plannedSlices(run: OrderRun): number[] | null {
  const policy = run.cfg.fallback;
  if (!run.state.request.split || !policy) return null;
  const plan = planSlices(run.state.quantity, run.state.instrument?.lotSize ?? 1, sliceSize(policy, run.freezeQuantity()), policy.split.maxSlices);
  return plan.ok && plan.slices.length > 1 ? plan.slices : null;
}
