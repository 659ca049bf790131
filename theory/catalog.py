"""The catalog of theorems ratecheck checks against (THEORY.md §2-§11).

Index convention: k counts updates, ``w_k`` is the iterate after k updates, averages run
over ``w_1..w_k``. Paper bounds on their ``w_T`` appear as ``B(k) = B_paper(k + 1)``;
averaged bounds are re-derived for averages that exclude the start (see each notes).
``verified`` is False whenever THEORY.md flags the statement, constant or theorem
number as unverified, or the bound is derived rather than quoted.

Each theorem's ``exhibit`` is a CI-sized run on which ``empirical.verify`` passes it
(two-sided when its objective is in ``attained_on``), except the critical c/k rate, whose
constant is approached as 1 + O(1/log k) and stays INCONCLUSIVE at that size; for a lower
bound, which verify refuses, it is an instance on which the bound's order is attained.

=============================================  ==========================================
id                                             result
=============================================  ==========================================
sgd-sc-dist                                    SGD 1/(lam k), SC: 4G^2/(lam^2 (k+1)) on
                                               E||w_k - w*||^2 (Rakhlin et al. 2012, L. 1)
sgd-sc-smooth-last                             ... + SM*(mu): 2 mu G^2/(lam^2 (k+1))
sgd-sc-last                                    SC non-smooth, last iterate:
                                               17 G^2 (1 + log(k+1))/(lam (k+1)) (S-Z Thm 1)
sgd-sc-uniform                                 SC, uniform average: G^2 (1 + log(k+1))/(2 lam k)
sgd-sc-suffix                                  SC, alpha-suffix average:
                                               G^2 (2 + log(1/(1-alpha))/2)/(lam alpha k)
sgd-sc-polydecay                               SC, polynomial-decay average:
                                               (gamma+1)(2 + 1/(2 gamma)) G^2/(lam k)
sgd-convex-uniform                             convex, c/sqrt(k), uniform average ~
                                               (D^2/(2c) + c G^2)/sqrt(k)
sgd-convex-last                                convex, last iterate:
                                               (D^2/c + c G^2)(2 + log(k+1))/sqrt(k+1) (S-Z Thm 2)
sgd-convex-polydecay                           convex, polynomial decay (leading order):
                                               (gamma+1)(D^2/(2c) + c G^2/(2 gamma+1))/sqrt(k)
minibatch-sgd-smooth-convex                    2 D^2 L/k + 2 D sigma/sqrt(b k) (Dekel et al.)
minibatch-sgd-convex-uniform                   non-smooth, G^2 -> G^2 + sigma^2/b
gd-smooth-convex                               GD 1/L: L R^2/(2k) (Beck-Teboulle Thm 3.1)
gd-smooth-convex-tight                         GD 1/L: L R^2/(4k+2) (Drori-Teboulle, tight)
gd-sc-smooth                                   GD 1/L, SC: (L R^2/2)(1 - lam/L)^k
gd-sc-smooth-optimal-step                      GD 2/(lam+L): (L/2)((L-lam)/(L+lam))^(2k) R^2
nesterov-smooth-convex                         AGD/FISTA: 2 L R^2/(k+1)^2
minibatch-sgd-quadratic-constant-step          exact: (1-eta lam)^(2k)(R^2 - V) + V
minibatch-sgd-sc-constant-step-nsw             Needell-Srebro-Ward noise ball
minibatch-sgd-quadratic-c-over-k-fast          eta = c/k, c lam > 1/2: c^2 sigma^2/(b(2c lam-1)k)
minibatch-sgd-quadratic-c-over-k-critical      c lam = 1/2: c^2 sigma^2 log(k)/(b k)
minibatch-sgd-quadratic-c-over-k-slow          c lam < 1/2: K k^(-2 c lam)
minibatch-sgd-quadratic-exact                  eta = 1/(lam k): sigma^2/(2 b lam k) exactly
lower-sc-stochastic                            any method: >= sigma^2/(2 b lam k)
lower-convex-two-point                         any method: >= G D/(4 sqrt(6k)) ~ 0.102 G D/sqrt(k)
=============================================  ==========================================
"""

from __future__ import annotations

import sympy as sp

from theory import validation
from theory.symbols import D, G, L, R, alpha, b, c, eta, gamma, k, lam, mu, sigma
from theory.theorems import Theorem

__all__ = ["CATALOG", "get_theorem", "theorem_ids"]

_HALF = sp.Rational(1, 2)
_SHIFT = "Paper bound on its w_T (T - 1 updates); here B(k) = B_paper(k + 1)."
_NOISY_QUADRATIC = "the noisy quadratic (lam/2)||w - w*||^2 + additive noise (THEORY.md §10)"
_TWO_POINT = "order 1/sqrt(k): the two-point family with delta = 1/sqrt(6k) (THEORY.md §11)"

_QUADRATIC = ("quadratic",)
"""The built-in noisy quadratic, the instance that ``_NOISY_QUADRATIC`` describes."""

_ON_THE_BALL = {
    "objective": "quadratic:d=10,r0=10",
    "optimizer": "sgd",
    "schedule": "1/(lam*k)",
    "steps": 10_000,
    "replicates": 200,
    "seed": 0,
}
"""SGD with 1/(lam k) on the noisy quadratic started at distance R = 10: its iterates stay
in the ball ||w - w*|| <= R where G^2 = L^2 R^2 + sigma^2 bounds E||g||^2, so a bound in G
is checked with its constants."""
_NOISE_ONLY = {
    "objective": "quadratic:d=50",
    "optimizer": "sgd",
    "schedule": "1/(lam*k)",
    "steps": 10_000,
    "replicates": 100,
    "seed": 0,
}
"""SGD on the noisy quadratic in d = 50: the gap is sigma^2/(2 lam) times a chi^2_50/50, so
100 replicates resolve the rate and the constant two-sided."""
_TWO_POINT_RUN = {
    "objective": "reddi:C=3",
    "optimizer": "sgd",
    "schedule": "0.5/sqrt(k)",
    "steps": 30_000,
    "replicates": 200,
    "seed": 0,
    "sampling": "replacement",
    "average": "uniform",
}
"""Averaged SGD on F(w) = w/3 over [-1, 1] with the oracle g = 3 or -1 (probabilities 1/3,
2/3): a fixed two-point instance, on which c/sqrt(k) steps attain the order 1/sqrt(k) (the
iterate jitters by O(eta_k) at the boundary optimum)."""
_MINIBATCH_RUN = {
    "objective": "quadratic:d=10",
    "optimizer": "sgd",
    "schedule": "1/sqrt(k)",
    "steps": 10_000,
    "replicates": 30,
    "seed": 0,
    "average": "uniform",
}
"""Averaged minibatch SGD with 1/sqrt(k) steps on the noisy quadratic: O(1/k), faster than
the convex bounds (Polyak-Juditsky averaging)."""
_FULL_BATCH_LS = {
    "objective": "least-squares:n=30",
    "optimizer": "sgd",
    "schedule": "1/L",
    "steps": 10_000,
    "replicates": 2,
    "seed": 0,
    "batch_size": 30,
}
"""Gradient descent as SGD with the full batch of a rank-5 least-squares problem (convex,
not strongly convex)."""
_TWO_CURVATURES = {
    "objective": "quadratic:d=2,lam=0.1,L=1,sigma=0",
    "optimizer": "sgd",
    "schedule": "1/L",
    "steps": 1_000,
    "replicates": 2,
    "seed": 0,
}
"""Gradient descent on the exact quadratic with curvatures lam = 0.1 and L = 1."""

_V = eta * sigma**2 / (b * lam * (2 - eta * lam))
"""Stationary E||w - w*||^2 of constant-step SGD on the noisy quadratic."""
_A = c * lam
"""a = c*lam for the c/k schedule on the quadratic."""
_K_SLOW = (
    R**2 / sp.gamma(1 - _A) ** 2
    + (c**2 * sigma**2 / b) * sp.hyper([1, 1, 1], [2 - _A, 2 - _A], 1) / sp.gamma(2 - _A) ** 2
)
"""lim k**(2a) e_k for a < 1/2:
e_0/Gamma(1-a)^2 + (c^2 sigma^2/b) sum_{s>=1} (Gamma(s)/Gamma(s+1-a))^2."""


CATALOG: tuple[Theorem, ...] = (
    Theorem(
        id="sgd-sc-dist",
        title="SGD, strongly convex: distance to the optimum",
        method="sgd",
        assumptions=("strongly-convex", "bounded-second-moment", "non-smooth-allowed"),
        schedule=1 / (lam * k),
        iterate="last",
        iterate_param=None,
        quantity="dist2",
        bound=4 * G**2 / (lam**2 * (k + 1)),
        kind="upper",
        valid_from=0,
        conditions=(),
        attained_by=f"order 1/k: {_NOISY_QUADRATIC}",
        source="Rakhlin, Shamir & Sridharan 2012 (ICML, arXiv:1109.5647), Lemma 1",
        verified=True,
        verification="statement as in THEORY.md §2.1 (not flagged); induction sketched there",
        notes=f"Projected SGD on W. {_SHIFT}",
        attained_on=_QUADRATIC,
        exhibit={**_ON_THE_BALL, "expect": "sgd-sc-dist"},
    ),
    Theorem(
        id="sgd-sc-smooth-last",
        title="SGD, strongly convex and smooth at the optimum: last iterate",
        method="sgd",
        assumptions=("strongly-convex", "smooth-at-optimum", "bounded-second-moment"),
        schedule=1 / (lam * k),
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=2 * mu * G**2 / (lam**2 * (k + 1)),
        kind="upper",
        valid_from=0,
        conditions=(),
        attained_by=f"order 1/k: {_NOISY_QUADRATIC}",
        source="Rakhlin, Shamir & Sridharan 2012 (ICML, arXiv:1109.5647), Sec. 3",
        verified=False,
        verification="theorem number unverified (THEORY.md §2.2); the constant is "
        "(mu/2) times Lemma 1's 4G^2/(lam^2 (k+1))",
        notes=_SHIFT,
        attained_on=_QUADRATIC,
        exhibit={**_ON_THE_BALL, "expect": "sgd-sc-smooth-last"},
    ),
    Theorem(
        id="sgd-sc-last",
        title="SGD, strongly convex, non-smooth: last iterate",
        method="sgd",
        assumptions=("strongly-convex", "bounded-second-moment", "non-smooth-allowed"),
        schedule=1 / (lam * k),
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=17 * G**2 * (1 + sp.log(k + 1)) / (lam * (k + 1)),
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by="log(k)/k: Harvey, Liaw, Plan & Randhawa 2019 (dimension ~ k); "
        "low-dimensional instances give 1/k, within the bound",
        source="Shamir & Zhang 2013 (ICML, arXiv:1212.1824), Theorem 1",
        verified=True,
        verification="statement as in THEORY.md §2.3 (not flagged)",
        notes=f"Paper: for any T > 1. {_SHIFT}",
        attained_on=(),
        exhibit={**_ON_THE_BALL, "expect": "sgd-sc-last"},
    ),
    Theorem(
        id="sgd-sc-uniform",
        title="SGD, strongly convex, non-smooth: uniform average",
        method="sgd",
        assumptions=("strongly-convex", "bounded-second-moment", "non-smooth-allowed"),
        schedule=1 / (lam * k),
        iterate="uniform",
        iterate_param=None,
        quantity="gap",
        bound=G**2 * (1 + sp.log(k + 1)) / (2 * lam * k),
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by="log(k)/k: F(w) = w + w^2/2 on [0, 1], g_hat = 1 + w + xi, xi = +-4 "
        "(THEORY.md §2.4, case 6)",
        source="Hazan, Agarwal & Kale 2007 (Mach. Learn. 69), Thm 1, with online-to-batch; "
        "re-derived (THEORY.md §2.4)",
        verified=False,
        verification="theorem number unverified; the bound is re-derived here for the "
        "average over w_1..w_k",
        notes="The papers average their w_1..w_T, which includes the start. For our "
        "w_1..w_k (paper t = 2..k+1) the telescoping sum leaves lam d_2/2 <= G^2/(2 lam) "
        "(||w - w*|| <= G/lam on W) and (G^2/(2 lam)) sum_{t=2}^{k+1} 1/t, so "
        "E[F(wbar_k) - F*] <= G^2 H_{k+1}/(2 lam k) <= G^2 (1 + log(k+1))/(2 lam k).",
        attained_on=(),
        exhibit={
            "objective": "boundary",
            "optimizer": "sgd",
            "schedule": "1/(lam*k)",
            "expect": "sgd-sc-uniform",
            "steps": 30_000,
            "replicates": 100,
            "seed": 0,
            "sampling": "replacement",
            "average": "uniform",
        },
    ),
    Theorem(
        id="sgd-sc-suffix",
        title="SGD, strongly convex: alpha-suffix average",
        method="sgd",
        assumptions=("strongly-convex", "bounded-second-moment", "non-smooth-allowed"),
        schedule=1 / (lam * k),
        iterate="suffix",
        iterate_param=alpha,
        quantity="gap",
        bound=G**2 * (2 + sp.log(1 / (1 - alpha)) / 2) / (lam * alpha * k),
        kind="upper",
        valid_from=1,
        conditions=(alpha < 1,),
        attained_by=f"order 1/k: {_NOISY_QUADRATIC}; the case-6 instance (THEORY.md §2.4)",
        source="Rakhlin, Shamir & Sridharan 2012, Sec. 5 (O-form); explicit bound derived in "
        "THEORY.md §2.5",
        verified=False,
        verification="derived, not quoted: Rakhlin et al.'s theorem number and constant are "
        "unverified (THEORY.md §2.5)",
        notes="Average of the last m = alpha*k iterates w_{k-m+1}..w_k (alpha*k an integer). "
        "In paper indices t0 = k - m + 2, T = k + 1: bound (G^2/(lam m)) [2(t0-1)/t0 + "
        "(H_{k+1} - H_{t0-1})/2] and log((k+1)/((1-alpha)k+1)) <= log(1/(1-alpha)) give "
        "this form. alpha = 1 is sgd-sc-uniform.",
        attained_on=_QUADRATIC,
        exhibit={**_ON_THE_BALL, "average": "suffix:alpha=0.5", "expect": "sgd-sc-suffix"},
    ),
    Theorem(
        id="sgd-sc-polydecay",
        title="SGD, strongly convex: polynomial-decay average",
        method="sgd",
        assumptions=("strongly-convex", "bounded-second-moment", "non-smooth-allowed"),
        schedule=1 / (lam * k),
        iterate="polydecay",
        iterate_param=gamma,
        quantity="gap",
        bound=(gamma + 1) * (2 + 1 / (2 * gamma)) * G**2 / (lam * k),
        kind="upper",
        valid_from=1,
        conditions=(gamma > 0,),
        attained_by=f"order 1/k: {_NOISY_QUADRATIC}",
        source="derived in THEORY.md §4 (sharper than Shamir & Zhang 2013, Theorem 4, whose "
        "constant 58 is unverified)",
        verified=False,
        verification="derived, not quoted; re-derived here in our index",
        notes="Weights s^(gamma) (rising factorial) on our w_s, s = 1..k (wbar_1 = w_1). "
        "Multiplying the per-step inequality by a_t = (t-1)^(gamma) (paper index t = s+1) "
        "and using Lemma 1 gives [(2G^2/lam) k^(gamma) + (G^2/(2 lam)) (k+1)^(gamma)/gamma] "
        "/ (k^(gamma+1)/(gamma+1)) <= this bound; the argument needs gamma > 0 only "
        "(THEORY.md states integer gamma >= 1). gamma = 1: 5 G^2/(lam k).",
        attained_on=_QUADRATIC,
        exhibit={**_ON_THE_BALL, "average": "polydecay:gamma=1", "expect": "sgd-sc-polydecay"},
    ),
    Theorem(
        id="sgd-convex-uniform",
        title="SGD, convex: uniform average with c/sqrt(k) steps",
        method="sgd",
        assumptions=("convex", "bounded-second-moment", "bounded-domain", "non-smooth-allowed"),
        schedule=c / sp.sqrt(k),
        iterate="uniform",
        iterate_param=None,
        quantity="gap",
        bound=(D**2 * sp.sqrt(k + 1) / (2 * c) + c * G**2 * (sp.sqrt(k + 1) - 1)) / k,
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by=_TWO_POINT,
        source="Zinkevich 2003 (ICML), Thm 1, with online-to-batch; general c derived "
        "(THEORY.md §3.2)",
        verified=False,
        verification="derived for general c and for the average over w_1..w_k",
        notes="Sum over paper t = 2..k+1: the distance terms telescope to D^2/(2 eta_{k+1}) = "
        "D^2 sqrt(k+1)/(2c) and (cG^2/2) sum_{t=2}^{k+1} t^(-1/2) <= cG^2 (sqrt(k+1) - 1); "
        "divide by k. Leading order (D^2/(2c) + cG^2)/sqrt(k), the paper's form.",
        attained_on=(),
        exhibit={**_TWO_POINT_RUN, "schedule": "1/sqrt(k)", "expect": "sgd-convex-uniform"},
    ),
    Theorem(
        id="sgd-convex-last",
        title="SGD, convex: last iterate with c/sqrt(k) steps",
        method="sgd",
        assumptions=("convex", "bounded-second-moment", "bounded-domain", "non-smooth-allowed"),
        schedule=c / sp.sqrt(k),
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=(D**2 / c + c * G**2) * (2 + sp.log(k + 1)) / sp.sqrt(k + 1),
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by="log(k)/sqrt(k): Harvey et al. 2019 (dimension ~ k); order 1/sqrt(k) "
        "without the log: f = |w|, g_hat = sign(w) + N(0, 1) (THEORY.md §12)",
        source="Shamir & Zhang 2013 (ICML, arXiv:1212.1824), Theorem 2",
        verified=True,
        verification="statement as in THEORY.md §3.1 (not flagged)",
        notes=f"Paper: for any T > 1. {_SHIFT}",
        attained_on=(),
        exhibit={
            "objective": "lad:d=2,radius=3",
            "optimizer": "sgd",
            "schedule": "R/(G*sqrt(k))",
            "expect": "sgd-convex-last",
            "steps": 30_000,
            "replicates": 100,
            "seed": 0,
            "sampling": "replacement",
        },
    ),
    Theorem(
        id="sgd-convex-polydecay",
        title="SGD, convex: polynomial-decay average with c/sqrt(k) steps (leading order)",
        method="sgd",
        assumptions=("convex", "bounded-second-moment", "bounded-domain", "non-smooth-allowed"),
        schedule=c / sp.sqrt(k),
        iterate="polydecay",
        iterate_param=gamma,
        quantity="gap",
        bound=(gamma + 1) * (D**2 / (2 * c) + c * G**2 / (2 * gamma + 1)) / sp.sqrt(k),
        kind="asymptotic",
        valid_from=1,
        conditions=(),
        attained_by=_TWO_POINT,
        source="derived in THEORY.md §4 (convex analogue of Shamir & Zhang 2013, Sec. 4)",
        verified=False,
        verification="derived, not quoted; the leading order of the finite-k bound in the "
        "notes is checked numerically in tests",
        notes="Finite-k bound in our index (weights s^(gamma) on w_s): (gamma+1) [D^2 "
        "k^(gamma) sqrt(k+1)/(2c) + (cG^2/2) sum_{s=1}^k s^(gamma)/sqrt(s+1)] / "
        "k^(gamma+1); this entry is its leading order. gamma = 0 is sgd-convex-uniform.",
        attained_on=(),
        exhibit={
            **_TWO_POINT_RUN,
            "average": "polydecay:gamma=1",
            "expect": "sgd-convex-polydecay",
        },
    ),
    Theorem(
        id="minibatch-sgd-smooth-convex",
        title="Minibatch SGD, smooth convex: the 1/k + 1/sqrt(bk) bound",
        method="minibatch-sgd",
        assumptions=("convex", "smooth", "bounded-variance", "bounded-domain"),
        schedule=None,
        iterate="uniform",
        iterate_param=None,
        quantity="gap",
        bound=2 * D**2 * L / k + 2 * D * sigma / sp.sqrt(b * k),
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by=None,
        source="Dekel, Gilad-Bachrach, Shamir & Xiao 2012 (JMLR 13), mini-batch of a serial "
        "algorithm with regret 2D^2L + 2D sigma sqrt(m); same shape: Bubeck 2015, Sec. 6.1",
        verified=False,
        verification="exact constant form unverified (THEORY.md §6.2)",
        notes="k = iterations of batch b (m = b k samples), averaged predictor of stochastic "
        "dual averaging / mirror descent with a horizon-tuned step (no schedule in k).",
        attained_on=(),
        exhibit={**_MINIBATCH_RUN, "batch_size": 4, "expect": "minibatch-sgd-smooth-convex"},
    ),
    Theorem(
        id="minibatch-sgd-convex-uniform",
        title="Minibatch SGD, convex non-smooth: uniform average with G_b^2 = G^2 + sigma^2/b",
        method="minibatch-sgd",
        assumptions=(
            "convex",
            "lipschitz",
            "bounded-variance",
            "bounded-domain",
            "non-smooth-allowed",
        ),
        schedule=c / sp.sqrt(k),
        iterate="uniform",
        iterate_param=None,
        quantity="gap",
        bound=(D**2 * sp.sqrt(k + 1) / (2 * c) + c * (G**2 + sigma**2 / b) * (sp.sqrt(k + 1) - 1))
        / k,
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by=None,
        source="sgd-convex-uniform with E||g_b||^2 <= G^2 + sigma^2/b (THEORY.md §6.1, §6.3)",
        verified=False,
        verification="derived from sgd-convex-uniform, itself derived",
        notes="A batch of b i.i.d. draws has E||g_b||^2 = ||g||^2 + sigma^2/b <= G^2 + "
        "sigma^2/b. Per sample (k = n/b) the bound grows like sqrt(b) when b G^2 >> sigma^2.",
        attained_on=(),
        exhibit={**_MINIBATCH_RUN, "batch_size": 2, "expect": "minibatch-sgd-convex-uniform"},
    ),
    Theorem(
        id="gd-smooth-convex",
        title="Gradient descent, smooth convex, step 1/L",
        method="gd",
        assumptions=("convex", "smooth", "initial-distance", "deterministic"),
        schedule=1 / L,
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=L * R**2 / (2 * k),
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by="order 1/k: the Drori-Teboulle Huber instance (THEORY.md §5.1)",
        source="Beck & Teboulle 2009 (SIAM J. Imaging Sci. 2(1)), Thm 3.1",
        verified=True,
        verification="statement as in THEORY.md §5.1 (not flagged)",
        notes="x_k after k steps from x_0: the paper's index is ours.",
        attained_on=(),
        exhibit={**_FULL_BATCH_LS, "expect": "gd-smooth-convex"},
    ),
    Theorem(
        id="gd-smooth-convex-tight",
        title="Gradient descent, smooth convex, step 1/L: the tight bound",
        method="gd",
        assumptions=("convex", "smooth", "initial-distance", "deterministic"),
        schedule=1 / L,
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=L * R**2 / (4 * k + 2),
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by="exactly: Drori-Teboulle Huber f(x) = L R |x|/(2k+1) - L R^2/(2(2k+1)^2) "
        "for |x| >= R/(2k+1), L x^2/2 otherwise, x_0 = R",
        source="Drori & Teboulle 2014 (Math. Program. 145)",
        verified=False,
        verification="theorem number unverified (THEORY.md §5.1); attainment on the Huber "
        "instance is reproduced in tests",
        notes="x_k after k steps from x_0: the paper's index is ours.",
        attained_on=(),  # worst-case-gd attains it at its horizon k = N only, not along a run
        exhibit={**_FULL_BATCH_LS, "expect": "gd-smooth-convex-tight"},
    ),
    Theorem(
        id="gd-sc-smooth",
        title="Gradient descent, strongly convex smooth, step 1/L",
        method="gd",
        assumptions=("strongly-convex", "smooth", "initial-distance", "deterministic"),
        schedule=1 / L,
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=L * R**2 / 2 * (1 - lam / L) ** k,
        kind="upper",
        valid_from=0,
        conditions=(lam <= L,),
        attained_by=None,
        source="Karimi, Nutini & Schmidt 2016 (ECML-PKDD), Thm 1 (holds under PL)",
        verified=True,
        verification="statement (1 - lam/L)^k (F(x_0) - F*) as in THEORY.md §5.2 (not flagged)",
        notes="F(x_0) - F* <= L R^2/2 (smoothness, grad F(x*) = 0) replaces the initial gap, "
        "which has no symbol. Loose on quadratics, where the gap decays as (1 - lam/L)^(2k).",
        attained_on=(),
        exhibit={**_TWO_CURVATURES, "expect": "gd-sc-smooth"},
    ),
    Theorem(
        id="gd-sc-smooth-optimal-step",
        title="Gradient descent, strongly convex smooth, step 2/(lam + L)",
        method="gd",
        assumptions=("strongly-convex", "smooth", "initial-distance", "deterministic"),
        schedule=2 / (lam + L),
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=L / 2 * ((L - lam) / (L + lam)) ** (2 * k) * R**2,
        kind="upper",
        valid_from=0,
        conditions=(lam <= L,),
        attained_by="exactly: the quadratic with eigenvalues {lam, L}, x_0 - x* along the "
        "L-eigenvector",
        source="Nesterov 2018, Lectures on Convex Optimization, Thm 2.1.15",
        verified=True,
        verification="confirmed against a transcription (THEORY.md §5.2)",
        notes="(L/2)((kappa-1)/(kappa+1))^(2k) R^2 with kappa = L/lam.",
        attained_on=(),
        exhibit={**_TWO_CURVATURES, "schedule": "2/(lam+L)", "expect": "gd-sc-smooth-optimal-step"},
    ),
    Theorem(
        id="nesterov-smooth-convex",
        title="Nesterov's accelerated gradient (FISTA), smooth convex",
        method="nesterov",
        assumptions=("convex", "smooth", "initial-distance", "deterministic"),
        schedule=1 / L,
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=2 * L * R**2 / (k + 1) ** 2,
        kind="upper",
        valid_from=1,
        conditions=(),
        attained_by="order 1/k^2: Nesterov's tridiagonal worst function (dimension 2k+1)",
        source="Beck & Teboulle 2009 (SIAM J. Imaging Sci. 2(1)), Thm 4.4",
        verified=True,
        verification="statement as in THEORY.md §7.1 (not flagged)",
        notes="x_k after k gradient evaluations (y_1 = x_0): the paper's index is ours.",
        attained_on=(),
        exhibit={
            "objective": "quadratic:d=50,lam=1e-4,L=1,sigma=0",
            "optimizer": "nesterov:beta=auto,convention=sutskever",
            "schedule": "1/L",
            "expect": "nesterov-smooth-convex",
            "steps": 10_000,
            "replicates": 2,
            "seed": 0,
        },
    ),
    Theorem(
        id="minibatch-sgd-quadratic-constant-step",
        title="Constant-step SGD on the noisy quadratic: exact transient and noise floor",
        method="minibatch-sgd",
        assumptions=("quadratic", "additive-noise", "initial-distance"),
        schedule=eta,
        iterate="last",
        iterate_param=None,
        quantity="dist2",
        bound=(1 - eta * lam) ** (2 * k) * (R**2 - _V) + _V,
        kind="exact",
        valid_from=0,
        conditions=(eta < 2 / lam,),
        attained_by=f"exactly: {_NOISY_QUADRATIC}",
        source="derived in THEORY.md §10.3 from e_k = (1 - eta lam)^2 e_{k-1} + eta^2 sigma^2/b",
        verified=True,
        verification="the recursion and e_0 = R^2 are re-derived symbolically in tests",
        notes="V = eta sigma^2/(b lam (2 - eta lam)). Exact when ||w_0 - w*|| = R; an upper "
        "bound when ||w_0 - w*|| <= R (e_k increases with e_0).",
        attained_on=_QUADRATIC,
        exhibit={
            "objective": "quadratic:d=10",
            "optimizer": "sgd",
            "schedule": 0.1,
            "expect": "minibatch-sgd-quadratic-constant-step",
            "steps": 10_000,
            "replicates": 64,
            "seed": 0,
        },
    ),
    Theorem(
        id="minibatch-sgd-sc-constant-step-nsw",
        title="Constant-step SGD, strongly convex: linear convergence to a noise ball",
        method="minibatch-sgd",
        assumptions=(
            "strongly-convex",
            "per-sample-smooth",
            "noise-at-optimum",
            "initial-distance",
        ),
        schedule=eta,
        iterate="last",
        iterate_param=None,
        quantity="dist2",
        bound=(1 - 2 * eta * lam * (1 - eta * L)) ** k * R**2
        + eta * sigma**2 / (b * lam * (1 - eta * L)),
        kind="upper",
        valid_from=0,
        conditions=(eta < 1 / L, lam <= L),
        attained_by=None,
        source="Needell, Srebro & Ward 2014 (NeurIPS; Math. Program. 155, 2016), Thm 2.1",
        verified=False,
        verification="exact form as recalled (unverified, THEORY.md §9)",
        notes="A batch of b i.i.d. samples is L-smooth with sigma*^2/b at w*. On the quadratic "
        "the exact floor is about half of this one.",
        attained_on=(),
        exhibit={
            "objective": "quadratic:d=10",
            "optimizer": "sgd",
            "schedule": 0.1,
            "expect": "minibatch-sgd-sc-constant-step-nsw",
            "steps": 10_000,
            "replicates": 30,
            "seed": 0,
        },
    ),
    Theorem(
        id="minibatch-sgd-quadratic-c-over-k-fast",
        title="SGD with eta = c/k on the noisy quadratic, c lam > 1/2",
        method="minibatch-sgd",
        assumptions=("quadratic", "additive-noise"),
        schedule=c / k,
        iterate="last",
        iterate_param=None,
        quantity="dist2",
        bound=c**2 * sigma**2 / (b * (2 * _A - 1) * k),
        kind="asymptotic",
        valid_from=1,
        conditions=(_A > _HALF,),
        attained_by=f"exactly (asymptotically): {_NOISY_QUADRATIC}",
        source="THEORY.md §10.2 (exact recursion e_k = (1 - a/k)^2 e_{k-1} + c^2 sigma^2/(b k^2))",
        verified=True,
        verification="checked in tests against the exact second-moment recursion",
        notes="a = c lam; minimized at c = 1/lam, where it is sigma^2/(b lam^2 k).",
        attained_on=_QUADRATIC,
        exhibit={
            **_NOISE_ONLY,
            "schedule": "1/k",
            "expect": "minibatch-sgd-quadratic-c-over-k-fast",
        },
    ),
    Theorem(
        id="minibatch-sgd-quadratic-c-over-k-critical",
        title="SGD with eta = c/k on the noisy quadratic, c lam = 1/2",
        method="minibatch-sgd",
        assumptions=("quadratic", "additive-noise"),
        schedule=c / k,
        iterate="last",
        iterate_param=None,
        quantity="dist2",
        bound=c**2 * sigma**2 * sp.log(k) / (b * k),
        kind="asymptotic",
        valid_from=1,
        conditions=(sp.Eq(_A, _HALF),),
        attained_by=f"exactly (asymptotically): {_NOISY_QUADRATIC}",
        source="THEORY.md §10.2",
        verified=True,
        verification="checked in tests against the exact second-moment recursion",
        notes="The log factor makes a power-law fit on k = 1e3..2e4 give a slope of about "
        "-0.9 (lam = sigma = 1, w_0 - w* in [0, 1]), not -1.",
        attained_on=_QUADRATIC,
        exhibit={
            **_NOISE_ONLY,
            "schedule": "0.5/k",
            "steps": 30_000,
            "expect": "minibatch-sgd-quadratic-c-over-k-critical",
        },
    ),
    Theorem(
        id="minibatch-sgd-quadratic-c-over-k-slow",
        title="SGD with eta = c/k on the noisy quadratic, c lam < 1/2",
        method="minibatch-sgd",
        assumptions=("quadratic", "additive-noise", "initial-distance"),
        schedule=c / k,
        iterate="last",
        iterate_param=None,
        quantity="dist2",
        bound=_K_SLOW * k ** (-2 * _A),
        kind="asymptotic",
        valid_from=1,
        conditions=(_A < _HALF,),
        attained_by=f"exactly (asymptotically): {_NOISY_QUADRATIC}",
        source="THEORY.md §10.2; constant derived from the product form of the recursion",
        verified=True,
        verification="checked in tests against the exact second-moment recursion",
        notes="e_k = P_k^2 [R^2 + (c^2 sigma^2/b) sum_{s<=k} 1/(s^2 P_s^2)], P_k = prod_{j<=k} "
        "(1 - a/j) ~ k^(-a)/Gamma(1-a); the sum is hyper([1,1,1],[2-a,2-a],1)/Gamma(2-a)^2 "
        "(evaluate with mpmath: lambdify(..., modules='mpmath')).",
        attained_on=_QUADRATIC,
        exhibit={
            "objective": "quadratic:d=10",
            "optimizer": "sgd",
            "schedule": "0.3/k",
            "expect": "minibatch-sgd-quadratic-c-over-k-slow",
            "steps": 10_000,
            "replicates": 400,
            "seed": 0,
        },
    ),
    Theorem(
        id="minibatch-sgd-quadratic-exact",
        title="SGD with eta = 1/(lam k) on the noisy quadratic: exact gap",
        method="minibatch-sgd",
        assumptions=("quadratic", "additive-noise"),
        schedule=1 / (lam * k),
        iterate="last",
        iterate_param=None,
        quantity="gap",
        bound=sigma**2 / (2 * b * lam * k),
        kind="exact",
        valid_from=1,
        conditions=(),
        attained_by=f"exactly, for every w_0: {_NOISY_QUADRATIC}",
        source="THEORY.md §10.1 (telescoping k w_k = -(1/lam) sum_{s<=k} xi_s)",
        verified=True,
        verification="the second-moment recursion is re-derived symbolically in tests",
        notes="The paper's sigma^2/(2 b lam (t-1)) at t = k + 1. The first step (eta_1 = 1/lam) "
        "forgets w_0. Per sample n = b k: sigma^2/(2 lam n), independent of b.",
        attained_on=_QUADRATIC,
        exhibit={**_NOISE_ONLY, "expect": "minibatch-sgd-quadratic-exact"},
    ),
    Theorem(
        id="lower-sc-stochastic",
        title="Lower bound, strongly convex stochastic: any method with k oracle calls",
        method="any",
        assumptions=("strongly-convex", "bounded-variance"),
        schedule=None,
        iterate="any",
        iterate_param=None,
        quantity="gap",
        bound=sigma**2 / (2 * b * lam * k),
        kind="lower",
        valid_from=1,
        conditions=(),
        attained_by="exactly: SGD with eta = 1/(lam k) on the Gaussian-mean quadratic "
        "(minibatch-sgd-quadratic-exact)",
        source="classical Gaussian-location minimax (THEORY.md §11); Nemirovski & Yudin 1983; "
        "Agarwal, Bartlett, Ravikumar & Wainwright 2012 (IEEE Trans. IT 58(5))",
        verified=False,
        verification="derived (THEORY.md §11); the cited constants and theorem numbers are "
        "unverified",
        notes="sup over the class of inf over methods: k calls with batch b reveal at most b k "
        "samples of z ~ N(w*, sigma^2/lam^2), whose minimax squared error is "
        "sigma^2/(lam^2 b k); F - F* = (lam/2)||w - w*||^2.",
        attained_on=(),
        exhibit={**_NOISE_ONLY, "expect": "lower-sc-stochastic"},
    ),
    Theorem(
        id="lower-convex-two-point",
        title="Lower bound, convex Lipschitz stochastic: the two-point family",
        method="any",
        assumptions=("convex", "lipschitz", "bounded-domain"),
        schedule=None,
        iterate="any",
        iterate_param=None,
        quantity="gap",
        bound=G * D / (4 * sp.sqrt(6 * k)),
        kind="lower",
        valid_from=1,
        conditions=(),
        attained_by=_TWO_POINT,
        source="Le Cam two-point argument (THEORY.md §11); Nemirovski & Yudin 1983",
        verified=True,
        verification="Le Cam's bound with the exact total variation is checked in tests",
        notes="W = [-D/2, D/2], f_+-(w) = +-delta G w, g_hat = +-G with P(+G) = (1 +- delta)/2. "
        "Le Cam: max_+- E[gap] >= (delta G D/2)(1 - TV); KL <= 3 k delta^2 and Pinsker give "
        "TV <= 1/2 at delta = 1/sqrt(6k). With G = 1, D = 2 this is THEORY's 0.204/sqrt(k).",
        attained_on=(),
        exhibit={**_TWO_POINT_RUN, "expect": "lower-convex-two-point"},
    ),
)
"""Every theorem ratecheck knows, in the order of the module docstring's table."""

_BY_ID = {t.id: t for t in CATALOG}
if len(_BY_ID) != len(CATALOG):  # a duplicated id would silently shadow a theorem
    raise RuntimeError("theory.catalog: duplicate theorem ids")


def theorem_ids() -> tuple[str, ...]:
    """The catalog's ids, in catalog order."""
    return tuple(_BY_ID)


def get_theorem(theorem_id: str) -> Theorem:
    """The theorem with this id; :class:`UnknownNameError` lists the known ids otherwise."""
    return _BY_ID[validation.choice("theorem", "id", theorem_id, _BY_ID)]
