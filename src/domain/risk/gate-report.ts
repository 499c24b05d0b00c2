import { paiseToRupees } from '../money';
import type { CheckResult, ValidationReport } from '../order-validation';
import type { RiskReport } from './risk-types';

const INSTRUMENT_CHECKS = new Set(['instrument', 'lot_size', 'tick_size']);

/** The spine's basic checks in the gate's vocabulary: each with a category and a status. */
function annotate(c: CheckResult): CheckResult {
  return { ...c, category: c.category ?? (INSTRUMENT_CHECKS.has(c.check) ? 'instrument' : 'parameters'), status: c.status ?? (c.passed ? 'passed' : 'failed') };
}

export interface GateMeta {
  account: string;
  configVersion: string;
  evaluatedAt: string; // ISO-8601
}

/** One report for the order: the basic checks followed by every risk check, the first failure being the answer. */
export function combineReports(basic: ValidationReport, risk: RiskReport, meta: GateMeta): ValidationReport {
  const checks = [...basic.checks.map(annotate), ...risk.checks];
  const failure = checks.find((c) => !c.passed);
  return {
    passed: !failure, checks, failure, flags: risk.flags, reduceOnly: risk.reduceOnly, ...meta,
    orderValue: risk.referencePricePaise === null ? null : paiseToRupees(risk.orderValuePaise),
    referencePrice: risk.referencePricePaise === null ? null : paiseToRupees(risk.referencePricePaise),
  };
}

/** Fail closed: when the gate itself cannot run, the order is rejected with a report that says why. */
export function gateUnavailable(basic: ValidationReport, message: string, meta: Omit<GateMeta, 'configVersion'> & { configVersion?: string }): ValidationReport {
  const failure: CheckResult = { check: 'risk_engine', category: 'parameters', status: 'failed', passed: false, code: 'RISK_ENGINE_UNAVAILABLE', message };
  return { passed: false, checks: [...basic.checks.map(annotate), failure], failure, flags: [], configVersion: meta.configVersion ?? 'unknown', account: meta.account, evaluatedAt: meta.evaluatedAt };
}
