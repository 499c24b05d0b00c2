/** Black-76 style option value: a plausible starting premium (intrinsic + time value), nothing more. */

function normCdf(x: number): number {
  // Abramowitz-Stegun 7.1.26 erf approximation: ample for a simulator.
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Value in rupees of a European option on a forward `forward`, `years` to expiry, annual volatility `vol`. */
export function optionValue(type: 'CE' | 'PE', forward: number, strike: number, years: number, vol: number): number {
  const intrinsic = type === 'CE' ? Math.max(0, forward - strike) : Math.max(0, strike - forward);
  if (years <= 0 || vol <= 0) return intrinsic;
  const sd = vol * Math.sqrt(years);
  const d1 = (Math.log(forward / strike) + (sd * sd) / 2) / sd;
  const d2 = d1 - sd;
  const value =
    type === 'CE'
      ? forward * normCdf(d1) - strike * normCdf(d2)
      : strike * normCdf(-d2) - forward * normCdf(-d1);
  return Math.max(intrinsic, value);
}
