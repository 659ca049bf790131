"""Every rejected value reads the same: ``<where>: <name> = <value> is not allowed; expected ...``.

One walk over bad inputs to objectives, optimizers, scenario fields, averages, schedules,
data sets, expectations, the runner and the fitting and verdict functions: each error's first
line has the one shape, and its ``where`` names the input's owner.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from empirical import Scenario, run
from empirical.averaging import Average, average_weights, parse_average, suffix_start
from empirical.fitting import fit_minibatch, fit_rate
from empirical.objectives import Logistic, objective
from empirical.objectives.data import check_xy, load_xy
from empirical.optimizers import optimizer
from empirical.schedules import PlateauSchedule, bind_schedule
from empirical.specs import split_spec
from empirical.verdicts import RateShape, check_bound, check_constant, check_upper
from empirical.verification.expectation import parse_expectation
from theory.errors import InputError, UnknownNameError

SHAPE = re.compile(r"^.+: .+ = .+ is not allowed; expected .+$")
K = np.unique(np.round(np.logspace(0, 3, 30)))
GAPS = np.tile(1.0 / K, (4, 1))
RUN = {"objective": "ridge:n=50,d=3", "optimizer": "sgd", "schedule": "1/(lam*k)"}
SIZE = {"steps": 10, "replicates": 2, "seed": 0}
SGD = optimizer("sgd")

BAD = [
    # (what is called, the where its message starts with, the error type)
    (lambda: objective("ridge:n=0"), "objective 'ridge'", InputError),
    (lambda: objective("ridge:n=true"), "objective 'ridge'", InputError),
    (lambda: objective("ridge:lam=-1"), "objective 'ridge'", InputError),
    (lambda: objective("ridge:seed=1.5"), "objective 'ridge'", InputError),
    (lambda: objective("ridge:bogus=1"), "objective 'ridge'", UnknownNameError),
    (lambda: objective("ridge:data=3"), "objective 'ridge'", InputError),
    (lambda: objective("ridge:data=x.npz,n=5"), "objective 'ridge'", InputError),
    (lambda: objective("ridge:data=x.txt"), "data file 'x.txt'", InputError),
    (lambda: objective("logistic:lam=0"), "objective 'logistic'", InputError),
    (lambda: objective("least-squares:d=4,rank=4"), "objective 'least-squares'", InputError),
    (lambda: objective("quadratic:L=2"), "objective 'quadratic'", InputError),
    (lambda: objective("quadratic:d=3,lam=2,L=1"), "objective 'quadratic'", InputError),
    (lambda: objective("boundary:w0=2"), "objective 'boundary'", InputError),
    (lambda: objective("reddi:C=2"), "objective 'reddi'", InputError),
    (lambda: objective("valley:angle=inf"), "objective 'valley'", InputError),
    (lambda: objective("worst-case-gd:N=0"), "objective 'worst-case-gd'", InputError),
    (lambda: objective("lad:n=60,d=3,radius=0.01"), "objective 'lad'", InputError),
    (lambda: objective("ridgee"), "objective", UnknownNameError),
    (lambda: objective(3), "objective", InputError),
    (lambda: objective("ridge:n"), "objective", InputError),
    (lambda: optimizer("adam:beta1=2"), "optimizer 'adam'", InputError),
    (lambda: optimizer("adam:eps=0"), "optimizer 'adam'", InputError),
    (lambda: optimizer("amsgrad:bias_correction=1"), "optimizer 'amsgrad'", InputError),
    (lambda: optimizer("momentum:beta=true"), "optimizer 'momentum'", InputError),
    (lambda: optimizer("nesterov:beta=fast"), "optimizer 'nesterov'", UnknownNameError),
    (lambda: optimizer("nesterov:convention=x"), "optimizer 'nesterov'", UnknownNameError),
    (lambda: optimizer("adadelta:rho=1"), "optimizer 'adadelta'", InputError),
    (lambda: optimizer("rmsprop:beta2=nan"), "optimizer 'rmsprop'", InputError),
    (lambda: optimizer("adagrad:eps=-1"), "optimizer 'adagrad'", InputError),
    (lambda: optimizer("sgd:lr=0.1"), "optimizer 'sgd'", UnknownNameError),
    (lambda: optimizer("adamw"), "optimizer", UnknownNameError),
    (lambda: optimizer(3), "optimizer", InputError),
    (lambda: Scenario(**RUN, steps=0), "scenario", InputError),
    (lambda: Scenario(**RUN, steps=2.5), "scenario", InputError),
    (lambda: Scenario(**RUN, replicates=True), "scenario", InputError),
    (lambda: Scenario(**RUN, seed=-1), "scenario", InputError),
    (lambda: Scenario(**RUN, batch_size=0), "scenario", InputError),
    (lambda: Scenario(**RUN, batch_size=51), "scenario", InputError),
    (lambda: Scenario("worst-case-gd", "sgd", "1/L", batch_size=2), "scenario", InputError),
    (lambda: Scenario(**RUN, sampling="random"), "scenario", UnknownNameError),
    (lambda: Scenario(**RUN, constants={"c": "x"}), "scenario", InputError),
    (lambda: Scenario(**RUN, alpha=0.9), "scenario", InputError),
    (lambda: Scenario(**RUN, alpha_c=0.0), "scenario", InputError),
    (lambda: Scenario(**RUN, delta=-1), "scenario", InputError),
    (lambda: Scenario(**RUN, rtol=float("nan")), "scenario", InputError),
    (lambda: Scenario.from_dict({**RUN, "step": 3}), "scenario", UnknownNameError),
    (lambda: Scenario.from_dict([1]), "scenario", InputError),
    (lambda: Scenario(**RUN, average="median"), "average", UnknownNameError),
    (lambda: Scenario(**{**RUN, "objective": "ridge:n=0"}), "objective 'ridge'", InputError),
    (lambda: Scenario(**{**RUN, "optimizer": "adam:beta2=1"}), "optimizer 'adam'", InputError),
    (lambda: parse_average("suffix:alpha=0"), "average 'suffix'", InputError),
    (lambda: parse_average("suffix:alpha=1.5"), "average 'suffix'", InputError),
    (lambda: parse_average("polydecay:gamma=-1"), "average 'polydecay'", InputError),
    (lambda: parse_average("polydecay:gamma=big"), "average 'polydecay'", InputError),
    (lambda: parse_average("uniform:alpha=1"), "average 'uniform'", UnknownNameError),
    (lambda: parse_average("none:alpha=1"), "average 'none'", UnknownNameError),
    (lambda: parse_average(""), "average", InputError),
    (lambda: Average("uniform", 0.5), "average 'uniform'", InputError),
    (lambda: Average("mean"), "average", UnknownNameError),
    (lambda: average_weights(Average("uniform"), 0), "average_weights", InputError),
    (lambda: suffix_start(0.5, 2.0), "suffix_start", InputError),
    (lambda: PlateauSchedule(eta0=0.0), "schedule 'plateau'", InputError),
    (lambda: PlateauSchedule(eta0=1.0, factor=1.0), "schedule 'plateau'", InputError),
    (lambda: PlateauSchedule(eta0=1.0, patience=1.5), "schedule 'plateau'", InputError),
    (lambda: PlateauSchedule(eta0=1.0, tol=1.0), "schedule 'plateau'", InputError),
    (lambda: PlateauSchedule(eta0=1.0, every=0), "schedule 'plateau'", InputError),
    (
        lambda: Scenario(**{**RUN, "schedule": "plateau:eta0=1,speed=2"}),
        "schedule 'plateau:eta0=1,speed=2'",
        UnknownNameError,
    ),
    (
        lambda: Scenario(**{**RUN, "schedule": "c/k"}, constants={"lamda": 1.0}),
        "schedule 'c/k'",
        UnknownNameError,
    ),
    (
        lambda: Scenario(**{**RUN, "schedule": "c/k"}, constants={"c": float("inf")}),
        "schedule 'c/k'",
        InputError,
    ),
    (
        lambda: bind_schedule("1/(k - 3)", objective("ridge:n=50,d=3")).values(np.arange(1, 5)),
        "schedule '1/(k - 3)'",
        InputError,
    ),
    (lambda: split_spec("a:b=1,b=2", "objective"), "objective", InputError),
    (lambda: fit_rate(K[::-1], GAPS), "fit_rate", InputError),
    (lambda: fit_rate(K, GAPS[:1]), "fit_rate", InputError),
    (lambda: fit_rate(K, GAPS, "exponential"), "fit_rate", UnknownNameError),
    (lambda: fit_rate(K, GAPS, kmin=0), "fit_rate", InputError),
    (lambda: fit_rate(K, GAPS, level=1.0), "fit_rate", InputError),
    (lambda: fit_rate(K, GAPS, fixed_power=1.0), "fit_rate", InputError),
    (lambda: fit_rate(K, GAPS, window=(1, 2, 3)), "fit_rate", InputError),
    (lambda: fit_minibatch({1: K}, {2: GAPS}), "fit_minibatch", InputError),
    (lambda: fit_minibatch({1: K, 2: K}, {1: GAPS, 2: GAPS}, kmin=-1), "fit_minibatch", InputError),
    (lambda: RateShape(contraction=1.0), "RateShape", InputError),
    (lambda: check_upper(K, GAPS, RateShape(-1.0), alpha=0.5), "check_upper", InputError),
    (lambda: check_upper(K, GAPS, RateShape(-1.0), f_scale=-1.0), "check_upper", InputError),
    (lambda: check_bound(K, GAPS, np.ones(3)), "check_bound", InputError),
    (lambda: check_constant(K, GAPS, 1 / K, mode="lower"), "check_constant", UnknownNameError),
    (
        lambda: fit_minibatch({1: K, 2: K}, {1: GAPS, 2: GAPS[:3]}),
        "fit_minibatch",
        InputError,
    ),
    (lambda: parse_expectation(3), "expect", InputError),
    (lambda: parse_expectation("O[1/k]"), "expect", InputError),
    (lambda: parse_expectation("sgd-sc"), "expect", UnknownNameError),
    (lambda: parse_expectation("lower-sc-stochastic"), "expect", InputError),
    (lambda: parse_expectation("O(1)"), "expect 'O(1)'", InputError),
    (lambda: parse_expectation("O(2 + 1/k)"), "expect 'O(2 + 1/k)'", InputError),
    (lambda: parse_expectation("O(k*0.5**k)"), "expect 'O(k*0.5**k)'", InputError),
    (lambda: Scenario(**RUN, expect="O(1)"), "expect 'O(1)'", InputError),
    (lambda: run(**RUN, **SIZE, kernel="fast"), "run", UnknownNameError),
    (lambda: run(**RUN, **SIZE, first_replicate=-1), "run", InputError),
    (lambda: run(**RUN, **SIZE, checkpoints=7), "run", InputError),
    (lambda: run(**RUN, **SIZE, checkpoints=[]), "run", InputError),
    (lambda: run(**RUN, **SIZE, checkpoints=[1.5]), "run", InputError),
    (lambda: run(**RUN, **SIZE, checkpoints=[5, 11]), "run", InputError),
    (lambda: run(**RUN, **SIZE, w0="abc"), "run", InputError),
    (lambda: run(**RUN, **SIZE, w0=[0.0, 0.0]), "run", InputError),
    (lambda: run(**RUN, **SIZE, w0=[np.nan, 0.0, 0.0]), "run", InputError),
    (lambda: run("reddi", "sgd", "0.1", **SIZE, w0=[2.0]), "run", InputError),
    (lambda: check_xy([[1.0, "a"]], [1.0]), "data", InputError),
    (lambda: check_xy(np.ones(3), np.ones(3)), "data", InputError),
    (lambda: check_xy(np.ones((3, 2)), np.ones((3, 2))), "data", InputError),
    (lambda: check_xy(np.ones((3, 2)), np.ones(2)), "data", InputError),
    (lambda: check_xy([[1.0, np.inf]], [1.0]), "data", InputError),
    (lambda: Logistic(data=(np.ones((2, 1)), np.zeros(2))), "objective 'logistic'", InputError),
    (
        lambda: SGD.update(
            np.ones((2, 3)), SGD.init(np.zeros((2, 3))), np.zeros((2, 3)), np.ones((2, 3))
        ),
        "optimizer update",
        InputError,
    ),
]


@pytest.mark.parametrize(("call", "where", "error"), BAD)
def test_every_rejected_value_has_the_one_shape(call, where, error):
    with pytest.raises(InputError) as info:
        call()
    assert type(info.value) is error, repr(info.value)
    first = str(info.value).splitlines()[0]
    assert SHAPE.match(first), first
    assert first.startswith(f"{where}: "), first


def test_a_data_file_with_one_column_has_the_one_shape(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("1\n2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_xy(path)
    first = str(info.value).splitlines()[0]
    assert SHAPE.match(first), first
    assert first.startswith(f"data file {str(path)!r}: columns = 1 "), first
