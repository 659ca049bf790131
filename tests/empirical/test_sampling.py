"""Per-replicate random streams: orders, block invariance, independence of R, validation."""

from __future__ import annotations

import numpy as np
import pytest

from empirical.sampling import (
    SAMPLINGS,
    GaussianNoise,
    IndexSampler,
    check_batch_size,
    check_sampling,
    replicate_generators,
)
from theory.errors import InputError, UnknownNameError


def _indices(sampling: str, n: int, b: int, R: int, blocks: list[int], seed: int = 7) -> np.ndarray:
    sampler = IndexSampler(n, b, sampling, replicate_generators(seed, R))
    return np.concatenate([sampler.draw(m) for m in blocks], axis=1)


@pytest.mark.parametrize("sampling", SAMPLINGS)
@pytest.mark.parametrize(("n", "b"), [(7, 3), (5, 5), (10, 1)])
def test_blocks_do_not_change_the_stream(sampling: str, n: int, b: int) -> None:
    whole = _indices(sampling, n, b, R=3, blocks=[40])
    pieces = _indices(sampling, n, b, R=3, blocks=[1, 6, 13, 20])
    assert whole.dtype == np.int64 and whole.shape == (3, 40, b)
    np.testing.assert_array_equal(whole, pieces)


@pytest.mark.parametrize("sampling", SAMPLINGS)
def test_replicate_stream_does_not_depend_on_R(sampling: str) -> None:
    few = _indices(sampling, 9, 2, R=2, blocks=[5, 30])
    many = _indices(sampling, 9, 2, R=6, blocks=[35])
    np.testing.assert_array_equal(few, many[:2])


def test_replicates_draw_different_streams() -> None:
    draws = _indices("shuffle", 50, 1, R=4, blocks=[50])
    assert len({tuple(row.ravel()) for row in draws}) == 4


@pytest.mark.parametrize(("n", "b", "steps"), [(7, 3, 14), (6, 4, 9), (5, 1, 15)])
def test_shuffle_is_a_stream_of_epoch_permutations(n: int, b: int, steps: int) -> None:
    stream = _indices("shuffle", n, b, R=3, blocks=[steps]).reshape(3, -1)
    for row in stream:
        epochs = row[: (len(row) // n) * n].reshape(-1, n)
        for epoch in epochs:
            np.testing.assert_array_equal(np.sort(epoch), np.arange(n))


def test_cyclic_is_the_data_order_for_every_replicate() -> None:
    got = _indices("cyclic", 5, 2, R=3, blocks=[2, 5])
    expected = (np.arange(14) % 5).reshape(7, 2)
    for row in got:
        np.testing.assert_array_equal(row, expected)


def test_replacement_is_uniform_over_samples() -> None:
    counts = np.bincount(_indices("replacement", 4, 5, R=2, blocks=[2000]).ravel(), minlength=4)
    expected = 2 * 2000 * 5 / 4
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 16.3  # chi-square with 3 degrees of freedom: P(> 16.3) = 0.001


def test_gaussian_noise_is_standard_normal_over_sqrt_b() -> None:
    R, d, b = 3, 2, 4
    noise = GaussianNoise(d, b, replicate_generators(11, R))
    got = np.concatenate([noise.draw(3), noise.draw(5)], axis=1)
    for r, rng in enumerate(replicate_generators(11, R)):
        np.testing.assert_array_equal(got[r], rng.standard_normal((8, d)) / 2.0)


@pytest.mark.parametrize(
    ("batch_size", "n", "fragment"),
    [
        (0, 10, "batch_size: expected an integer >= 1, got 0"),
        (2.5, 10, "batch_size: expected an integer >= 1, got 2.5"),
        (True, 10, "got True"),
        (11, 10, "batch_size=11 exceeds the number of samples n=10 of objective 'toy'"),
    ],
)
def test_batch_size_errors_name_the_input(batch_size: object, n: int, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        check_batch_size(batch_size, n, "toy")


@pytest.mark.parametrize(("batch_size", "n"), [(1, 1), (10, 10), (np.int64(3), 5), (64, None)])
def test_batch_size_accepted(batch_size: int, n: int | None) -> None:
    assert check_batch_size(batch_size, n, "toy") == int(batch_size)


def test_unknown_sampling_lists_the_allowed_orders() -> None:
    with pytest.raises(UnknownNameError, match="allowed: shuffle, replacement, cyclic"):
        check_sampling("random")
    assert check_sampling("cyclic") == "cyclic"
