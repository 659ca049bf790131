"""The built-in suite: every convergence claim of the lecture as a check.

:data:`LECTURE_SUITE` holds one :class:`CheckSpec` per tested claim, in the lecture's
order; the id ``cNN...`` carries the claim's number NN (1-14, as listed in issue 5 §1).
Each claim is stated in ratecheck's words, with the theorem it rests on where the
catalog has one. ``verify`` checks are one call of :func:`empirical.verify`;
``custom`` checks are registered by the ``lecture_*`` modules imported below. Every check
is seeded by its ``seed`` parameter; ``quick`` makes it CI-sized.
"""

from __future__ import annotations

from reports.suite import (  # noqa: F401  (importing registers the custom checks)
    lecture_adaptive,
    lecture_batch,
    lecture_momentum,
    lecture_order,
    lecture_pictures,
    lecture_sgd,
)
from reports.suite.model import CheckSpec

__all__ = ["LECTURE_SUITE", "claim_number"]


def claim_number(spec: CheckSpec) -> int:
    """The lecture claim (1-14) a check of :data:`LECTURE_SUITE` tests, from its id."""
    return int(spec.id[1:3])


LECTURE_SUITE: tuple[CheckSpec, ...] = (
    # -- 1. SGD with eta_k = 1/(lam k) -------------------------------------------------------
    CheckSpec(
        id="c01a-sgd-ridge",
        title="SGD with 1/(lam k) on ridge regression",
        claim=(
            "On ridge regression with regularization 1 (a smooth, lam-strongly convex "
            "finite sum) SGD with eta_k = 1/(lam k), each epoch a fresh shuffle of the data, "
            "has E[F(w_k)] - F* = O(1/k) (an upper bound: reshuffling may do better)."
        ),
        kind="verify",
        params={
            "objective": "ridge:lam=1",
            "optimizer": "sgd",
            "schedule": "1/(lam*k)",
            "expect": "sgd-sc-smooth-last",
            "steps": 100_000,
            "replicates": 30,
            "seed": 0,
        },
        theorem="sgd-sc-smooth-last",
        quick={"steps": 30_000},
        section="1. SGD on strongly convex problems",
    ),
    CheckSpec(
        id="c01b-sgd-logistic",
        title="SGD with 1/(lam k) on logistic regression",
        claim=(
            "On L2-regularized logistic regression SGD with eta_k = 1/(lam k) (lam the "
            "regularization), each epoch a fresh shuffle of the data, has "
            "E[F(w_k)] - F* = O(1/k)."
        ),
        kind="verify",
        params={
            "objective": "logistic",
            "optimizer": "sgd",
            "schedule": "1/(lam*k)",
            "expect": "sgd-sc-smooth-last",
            "steps": 100_000,
            "replicates": 30,
            "seed": 0,
        },
        theorem="sgd-sc-smooth-last",
        quick={"steps": 30_000},
        section="1. SGD on strongly convex problems",
    ),
    CheckSpec(
        id="c01c-sgd-quadratic-exact",
        title="SGD with 1/(lam k) on the noisy quadratic: the exact constant",
        claim=(
            "On the noisy quadratic (lam/2)||w - w*||^2 with additive gradient noise of "
            "variance sigma^2, SGD with eta_k = 1/(lam k) has E[F(w_k)] - F* = "
            "sigma^2/(2 b lam k) exactly: the rate 1/k and its constant are attained."
        ),
        kind="verify",
        params={
            "objective": "quadratic:d=10",
            "optimizer": "sgd",
            "schedule": "1/(lam*k)",
            "expect": "minibatch-sgd-quadratic-exact",
            "steps": 10_000,
            "replicates": 200,
            "seed": 0,
        },
        theorem="minibatch-sgd-quadratic-exact",
        section="1. SGD on strongly convex problems",
    ),
    # -- 2. the step must shrink ---------------------------------------------------------
    CheckSpec(
        id="c02-constant-step-floor",
        title="A constant step stalls at a floor proportional to the step",
        claim=(
            "With a constant step eta, SGD on the noisy quadratic does not converge: "
            "E||w_k - w*||^2 settles at V = eta sigma^2/(b lam (2 - eta lam)), so a step ten "
            "times smaller gives a floor about ten times lower, and the gap stalls instead "
            "of falling as 1/k."
        ),
        kind="custom",
        function="constant-step-floors",
        params={
            "objective": "quadratic:d=10",
            "etas": [0.1, 0.01],
            "steps": 10_000,
            "replicates": 64,
            "seed": 0,
        },
        theorem="minibatch-sgd-quadratic-constant-step",
        section="2. The step must shrink",
    ),
    # -- 3. Robbins-Monro ------------------------------------------------------------------
    CheckSpec(
        id="c03a-summable-steps",
        title="Steps whose sum converges stop short of the optimum",
        claim=(
            "With eta_k = 0.5/k^2 the steps sum to a finite total (the first Robbins-Monro "
            "condition fails), so SGD cannot travel to the optimum: the gap stalls."
        ),
        kind="custom",
        function="robbins-monro",
        params={
            "objective": "quadratic:d=10",
            "schedule": "0.5/k**2",
            "reference": "1/(lam*k)",
            "expect": "O(1/k)",
            "steps": 10_000,
            "replicates": 30,
            "seed": 0,
        },
        expect="fail",
        expect_label="stalls",
        quick={"steps": 3_000},
        section="3. Robbins-Monro step conditions",
    ),
    CheckSpec(
        id="c03b-sqrt-steps",
        title="Steps that are not square-summable converge slower than 1/k",
        claim=(
            "With eta_k = 0.5/sqrt(k) the squared steps do not sum (the second Robbins-Monro "
            "condition fails): on a strongly convex problem the last iterate still "
            "converges, but slower than 1/k (as k^(-1/2))."
        ),
        kind="custom",
        function="robbins-monro",
        params={
            "objective": "quadratic:d=10",
            "schedule": "0.5/sqrt(k)",
            "reference": "1/(lam*k)",
            "expect": "O(1/k)",
            "steps": 10_000,
            "replicates": 30,
            "seed": 0,
        },
        expect="fail",
        expect_label="slower",
        quick={"steps": 3_000},
        section="3. Robbins-Monro step conditions",
    ),
    # -- 4. sample order -------------------------------------------------------------------
    CheckSpec(
        id="c04-sample-order",
        title="A fixed sample order cycles; a fresh shuffle does not",
        claim=(
            "Presenting the samples of a regression through the origin in a fixed order "
            "(all points below the line first) makes constant-step SGD sweep the same "
            "cycle every epoch, each epoch ending at the same point, O(eta) away from the "
            "optimum; a fresh shuffle per epoch breaks the cycle and ends epochs much closer."
        ),
        kind="custom",
        function="sample-order",
        params={
            "n": 20,
            "eta": 0.05,
            "epochs": 200,
            "replicates": 50,
            "seed": 0,
            "data_seed": 0,
        },
        quick={"epochs": 100, "replicates": 30},
        section="4. Order of presentation",
    ),
    # -- 5. convex non-smooth ------------------------------------------------------------------
    CheckSpec(
        id="c05-convex-averaged",
        title="Averaged SGD with c/sqrt(k) on a convex Lipschitz problem",
        claim=(
            "On a convex problem that is not strongly convex and whose optimum sits on a "
            "kink (a piecewise-linear finite sum over [-1, 1], optimum on the edge), SGD "
            "with eta_k = c/sqrt(k) has a uniform average with E[F] - F* = O(1/sqrt(k)), "
            "below the theorem's bound about (D^2/(2c) + c G^2)/sqrt(k) with D = 2, G = 3."
        ),
        kind="verify",
        params={
            "objective": "reddi:C=3",
            "optimizer": "sgd",
            "schedule": "2/sqrt(k)",
            "expect": "sgd-convex-uniform",
            "steps": 100_000,
            "replicates": 30,
            "seed": 0,
            "sampling": "replacement",
            "average": "uniform",
        },
        theorem="sgd-convex-uniform",
        quick={"replicates": 20},
        section="5. SGD on convex non-smooth problems",
    ),
    # -- 6. batch gradient descent ------------------------------------------------------------
    CheckSpec(
        id="c06a-gd-linear",
        title="Batch GD converges linearly on a strongly convex smooth problem",
        claim=(
            "Gradient descent with exact gradients and step 1/L on a lam-strongly convex, "
            "L-smooth problem (a quadratic with curvatures lam = 0.1 and L = 1) converges "
            "linearly: F(w_k) - F* <= (L R^2/2)(1 - lam/L)^k."
        ),
        kind="verify",
        params={
            "objective": "quadratic:d=2,lam=0.1,L=1,sigma=0",
            "optimizer": "sgd",
            "schedule": "1/L",
            "expect": "gd-sc-smooth",
            "steps": 1_000,
            "replicates": 2,
            "seed": 0,
        },
        theorem="gd-sc-smooth",
        quick={"steps": 1_000},
        section="6. Batch gradient descent",
    ),
    CheckSpec(
        id="c06b-gd-worst-case",
        title="Batch GD on smooth convex problems: O(1/k), tight",
        claim=(
            "Gradient descent with step 1/L on an L-smooth convex function is O(1/k), and "
            "the constant is tight: on Drori and Teboulle's worst function for horizon N it "
            "ends at exactly L R^2/(4N + 2)."
        ),
        kind="custom",
        function="gd-worst-case",
        params={"L": 1.0, "R": 1.0, "largest": 3000, "per_decade": 5},
        theorem="gd-smooth-convex-tight",
        quick={"largest": 1000},
        section="6. Batch gradient descent",
    ),
    # -- 7. clumpy data ------------------------------------------------------------------------
    CheckSpec(
        id="c07-clumpy-data",
        title="SGD against batch GD at equal gradient evaluations",
        claim=(
            "For the same number of gradient evaluations SGD makes n updates where batch "
            "GD makes one: when the data are tightly clumped (their gradients nearly agree) "
            "SGD is far ahead after one epoch; on diverse data it is still ahead, by less."
        ),
        kind="custom",
        function="clumpy-data",
        params={
            "n": 1000,
            "d": 10,
            "lam": 0.01,
            "clumped": 0.05,
            "diverse": 1.0,
            "epochs": 20,
            "budgets": [1, 2, 5, 10, 20],
            "replicates": 20,
            "seed": 0,
            "data_seed": 0,
        },
        quick={"epochs": 5, "replicates": 10},
        section="7. Clumpy data: SGD against batch GD",
    ),
    # -- 8. minibatch variance ------------------------------------------------------------------
    CheckSpec(
        id="c08-minibatch-variance",
        title="The variance of a minibatch gradient falls as 1/b",
        claim=(
            "The minibatch gradient of b samples drawn with replacement has variance "
            "sigma^2/b, sigma^2 the per-sample variance; drawn without replacement from N "
            "samples, sigma^2/b (N - b)/(N - 1)."
        ),
        kind="custom",
        function="minibatch-variance",
        params={
            "objective": "ridge:n=128,d=10",
            "batch_sizes": [1, 2, 4, 8, 16, 32, 64],
            "groups": 20,
            "samples": 32_000,
            "delta": 0.05,
            "rtol": 0.1,
            "seed": 0,
        },
        quick={"samples": 16_000},
        section="8. Minibatches: variance",
    ),
    # -- 9. minibatch rate ------------------------------------------------------------------
    CheckSpec(
        id="c09-minibatch-rate",
        title="Minibatch SGD: O(1/sqrt(bk) + 1/k), and per sample",
        claim=(
            "Minibatch SGD with batches of b (step tuned to the batch, eta_k = c sqrt(b/k)) "
            "converges as O(1/sqrt(b k) + 1/k) in its k updates: fitted jointly over b, the "
            "gap falls at least as fast as b^(-1/2) k^(-1/2), so a batch of b divides the "
            "noise term by sqrt(b) per update; per sample processed (b k) it buys nothing."
        ),
        kind="custom",
        function="minibatch-rate",
        params={
            "objective": "quadratic:d=10",
            "c": 0.2,
            "batch_sizes": [1, 4, 16, 64],
            "steps": 10_000,
            "replicates": 40,
            "kmin": 100,
            "delta": 0.05,
            "seed": 0,
        },
        theorem="minibatch-sgd-smooth-convex",
        quick={"replicates": 30},
        section="9. Minibatches: rate",
    ),
    # -- 10. polynomial-decay averaging -----------------------------------------------------------
    CheckSpec(
        id="c10-polydecay-averaging",
        title="Polynomial-decay averaging is O(1/k) where the uniform average is not",
        claim=(
            "On a strongly convex problem whose optimum sits on the boundary (F(w) = w + "
            "w^2/2 on [0, 1], gradient noise +-4), SGD with eta_k = 1/(lam k) averaged with "
            "polynomial decay (gamma = 3) converges as O(1/k), while the uniform average is "
            "slower than 1/k (log(k)/k)."
        ),
        kind="custom",
        function="averaging-boundary",
        params={
            "objective": "boundary",
            "gamma": 3,
            "steps": 100_000,
            "replicates": 100,
            "first_checkpoint": 20,
            "seed": 0,
        },
        theorem="sgd-sc-polydecay",
        quick={"replicates": 60},
        section="10. Iterate averaging",
    ),
    # -- 11. momentum and Nesterov ---------------------------------------------------------------
    CheckSpec(
        id="c11a-momentum-variance",
        title="Momentum and Nesterov smooth the minibatch noise",
        claim=(
            "Momentum and Nesterov's method move along a running average of the minibatch "
            "gradients: at the same effective step their update direction has (1 - beta)/"
            "(1 + beta) (momentum) of the variance of SGD's, 1/19 for beta = 0.9."
        ),
        kind="custom",
        function="momentum-variance",
        params={
            "objective": "ridge",
            "batch_size": 8,
            "beta": 0.9,
            "eta": 0.01,
            "steps": 300,
            "warmup": 200,
            "replicates": 200,
            "rtol": 0.1,
            "seed": 0,
        },
        quick={"replicates": 100},
        section="11. Momentum and Nesterov",
    ),
    CheckSpec(
        id="c11b-acceleration",
        title="Nesterov's O(1/k^2) against gradient descent's O(1/k)",
        claim=(
            "On a smooth convex problem (a quadratic with curvatures spread over ten "
            "decades) Nesterov's accelerated gradient converges as O(1/k^2), while "
            "gradient descent converges as O(1/k) and no faster."
        ),
        kind="custom",
        function="acceleration",
        params={"d": 200, "lam": 1e-10, "L": 1.0, "steps": 3_000, "seed": 0},
        theorem="nesterov-smooth-convex",
        quick={"steps": 1_000},
        section="11. Momentum and Nesterov",
    ),
    # -- 12. adaptive methods --------------------------------------------------------------------
    CheckSpec(
        id="c12-adaptive-reddi",
        title="RMSprop and Adam fail on Reddi et al.'s problem; AMSGrad and SGD converge",
        claim=(
            "On the linear problem f_t(x) = 3x (t = 1 mod 3) or -x otherwise over [-1, 1], "
            "visited in that cyclic order with beta1 = 0, beta2 = 1/(1 + C^2) = 0.1 and "
            "alpha_k = 0.5/sqrt(k), RMSprop and Adam do not converge (they settle at the "
            "worst point x = +1), while AMSGrad and SGD converge to x* = -1 at the convex "
            "rate O(1/sqrt(k))."
        ),
        kind="custom",
        function="reddi-counterexample",
        params={
            "C": 3.0,
            "alpha": 0.5,
            "optimizers": {
                "Adam": {"spec": "adam:beta1=0,beta2=0.1", "converges": False},
                "RMSprop": {"spec": "rmsprop:beta2=0.1", "converges": False},
                "AMSGrad": {"spec": "amsgrad:beta1=0,beta2=0.1", "converges": True},
                "SGD": {"spec": "sgd", "converges": True},
            },
            "steps": 30_000,
            "seed": 0,
        },
        quick={"steps": 10_000},
        section="12. Adaptive methods: Reddi et al.'s counterexample",
    ),
    # -- 13. the practical schedule -----------------------------------------------------------
    CheckSpec(
        id="c13-plateau-schedule",
        title="Divide the step by 10 when the loss plateaus",
        claim=(
            "Keeping the step until the loss stops improving, then dividing it by 10, "
            "reaches a lower gap than the constant step it starts from."
        ),
        kind="custom",
        function="plateau-schedule",
        params={
            "objective": "ridge",
            "eta0": 0.05,
            "factor": 10.0,
            "patience": 3,
            "every": 200,
            "steps": 20_000,
            "replicates": 20,
            "seed": 0,
        },
        quick={"steps": 10_000},
        section="13. The practical schedule",
    ),
    # -- 14. pictures --------------------------------------------------------------------------
    CheckSpec(
        id="c14-trajectories",
        title="Trajectories on Beale's function, a long valley and a saddle",
        claim=(
            "Pictures, no verdict: the paths of SGD, momentum, Nesterov, RMSprop and Adam "
            "from the same start on three 2-D functions."
        ),
        kind="custom",
        function="trajectories",
        params={
            "functions": {
                "beale": {
                    "steps": 500,
                    "optimizers": {
                        "sgd": 0.005,
                        "momentum:beta=0.9": 0.001,
                        "nesterov:beta=0.9": 0.001,
                        "rmsprop:beta2=0.99": 0.01,
                        "adam": 0.05,
                    },
                },
                "valley": {
                    "steps": 60,
                    "optimizers": {
                        "sgd": 1.8,
                        "momentum:beta=0.9": 0.1,
                        "nesterov:beta=0.9": 0.1,
                        "rmsprop:beta2=0.99": 0.1,
                        "adam": 0.3,
                    },
                },
                "saddle": {
                    "steps": 80,
                    "optimizers": {
                        "sgd": 0.1,
                        "momentum:beta=0.9": 0.02,
                        "nesterov:beta=0.9": 0.02,
                        "rmsprop:beta2=0.99": 0.02,
                        "adam": 0.05,
                    },
                },
            }
        },
        expect="picture",
        section="14. Trajectories",
    ),
)
"""The lecture's claims as checks (issue 5 §1), in the lecture's order."""
