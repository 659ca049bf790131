"""Verdicts: does a replicated trace agree with a theory's rate? (STATISTICS.md §5)

Rate checks fit b_r, the per-replicate OLS slope of y = log(gap / g(k)) on the burn-in
window (:func:`empirical.fitting.fit_rate`; kmin and whole-tail float-floor cuts, then the
curvature test with quadratic and cubic terms of :mod:`empirical.fitting.window`), and
test b_bar with t_{R-1} (se = sd(b_r)/sqrt R):

* ``check_upper`` (an upper bound O(g), faster allowed): FAIL if b_bar - t_{1-a} se > delta;
  PASS if b_bar + t_{1-a} se <= delta; else INCONCLUSIVE.
* ``check_match`` (equivalence, TOST): PASS if the 1-2a interval of b lies inside
  [-delta, delta]; FAIL if the 1-a interval lies outside it; else INCONCLUSIVE.

These are the interval tests ``one_sided`` and ``tost`` of
:mod:`empirical.verdicts.interval_tests` applied to b; they decide a claim about any other
estimate too, and :mod:`empirical.verdicts.delta_method` gives the se of functions of
estimates (exp, difference, log ratio).

For g = k^p (log k)^q, b is in exponent units (the fitted exponent is p + b_bar). For a
linear rate g = k^p (log k)^q rho^k, y is regressed on k and b is the relative excess of
the per-step log-rate, b = (log rho_hat - log rho) / |log rho|; rho_hat is the almost-sure
rate (mean of log gaps), faster than the rate in expectation under multiplicative noise
(Jensen, STATISTICS.md §4b), so an upper check of a theorem stated in expectation is
optimistic.

Guards only turn PASS into INCONCLUSIVE: PRE-ASYMPTOTIC with FLATTENING (any PRE-ASYMPTOTIC in
match mode), and END-FLATTENING. A FAIL on the slow side is labelled from the last-decade
log-log slope s_L of the raw gap: "diverges" if its 1-a lower bound is > +0.1, "stalls" if
its 1-a upper bound is >= -0.1, else "slower"; on the fast side (match) "faster". Any
non-finite gap is a FAIL "diverges" outright.

``check_bound`` compares the mean gap with explicit values B(k) at every clean checkpoint;
``check_constant`` tests the per-replicate mean of gap/C(k) over the last decade.
INCONCLUSIVE verdicts carry ``needed_replicates`` (R for 95% power at level a if the true
value were the estimate: R = ((t_{1-a} + t_{.95}) sigma_1 / Delta)^2, STATISTICS.md §3b)
and ``needed_decades`` (assuming sigma_1 falls like 1/D in the number of decades D, the
slowest decay in STATISTICS.md §3a).
"""

from empirical.verdicts.core import STALL_SLOPE, Verdict
from empirical.verdicts.delta_method import difference, exp_of, log_ratio
from empirical.verdicts.interval_tests import Decision, one_sided, tost
from empirical.verdicts.rate import RateShape, check_match, check_upper
from empirical.verdicts.value import check_bound, check_constant

__all__ = [
    "STALL_SLOPE",
    "Decision",
    "RateShape",
    "Verdict",
    "check_bound",
    "check_constant",
    "check_match",
    "check_upper",
    "difference",
    "exp_of",
    "log_ratio",
    "one_sided",
    "tost",
]
