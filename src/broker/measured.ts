import type { BrokerMetrics } from '../metrics/oms-metrics';

/** Runs one Kite call, recording its name, duration and error kind when there are metrics to record them in. */
export async function measured<T>(metrics: Pick<BrokerMetrics, 'call'> | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  if (!metrics) return fn();
  const started = performance.now();
  try {
    const r = await fn();
    metrics.call(name, (performance.now() - started) / 1000);
    return r;
  } catch (err) {
    metrics.call(name, (performance.now() - started) / 1000, (err as { kind?: string }).kind ?? 'unknown');
    throw err;
  }
}
