"""Per-replicate random streams: numpy's streams exactly, block and R invariance, validation."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from empirical.runner.sampling import (
    MAX_SAMPLES,
    GaussianNoise,
    IndexSampler,
    replicate_generators,
    replicate_seeds,
)
from empirical.scenario import SAMPLINGS
from theory.errors import InputError


def _indices(sampling: str, n: int, b: int, R: int, blocks: list[int], seed: int = 7) -> np.ndarray:
    sampler = IndexSampler(n, b, sampling, replicate_generators(seed, R))
    return np.concatenate([sampler.draw(m) for m in blocks], axis=1)


def _numpy_stream(rng: np.random.Generator, sampling: str, n: int, blocks: list[int]) -> list:
    """numpy's own draws: permutation epochs, or integers(0, n) block by block."""
    count = sum(blocks)
    if sampling == "shuffle":
        epochs = [rng.permutation(n) for _ in range(-(-count // n))]
        return np.concatenate(epochs)[:count].tolist()
    return np.concatenate([rng.integers(0, n, size=m) for m in blocks]).tolist()


EXACT = [
    # sampling, n, b: small and large n, n = 1 (no draws), epochs straddled or ended exactly
    ("shuffle", 1, 2),
    ("shuffle", 2, 1),
    ("shuffle", 5, 3),
    ("shuffle", 17, 1),
    ("shuffle", 1000, 4),
    ("shuffle", 65537, 1),  # the mask of random_interval crosses 2^16
    ("replacement", 1, 3),
    ("replacement", 7, 2),
    ("replacement", 3 * 2**29, 1),  # 1/4 of Lemire's candidates are rejected
    ("replacement", MAX_SAMPLES, 2),
]


@pytest.mark.parametrize(("sampling", "n", "b"), EXACT)
def test_draws_are_numpys_and_advance_the_generators_as_numpy_does(
    sampling: str, n: int, b: int
) -> None:
    blocks = [3, 0, 17, 80]
    generators, reference = replicate_generators(5, 3), replicate_generators(5, 3)
    sampler = IndexSampler(n, b, sampling, generators)
    got = np.concatenate([sampler.draw(m) for m in blocks], axis=1)
    assert got.dtype == np.int64 and got.shape == (3, 100, b)
    for r in range(3):
        want = _numpy_stream(reference[r], sampling, n, [m * b for m in blocks])
        assert got[r].ravel().tolist() == want
        assert generators[r].bit_generator.state == reference[r].bit_generator.state


@pytest.mark.parametrize("sampling", ["shuffle", "replacement"])
def test_the_number_of_threads_does_not_change_the_draws(sampling: str) -> None:
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = _indices(sampling, 50, 2, R=5, blocks=[60])
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(serial, _indices(sampling, 50, 2, R=5, blocks=[60]))


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


@pytest.mark.parametrize("threads", [1, 2])
def test_gaussian_noise_is_standard_normal_over_sqrt_b(threads: int) -> None:
    R, d, b = 3, 2, 4
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        noise = GaussianNoise(d, b, replicate_generators(11, R))
        got = np.concatenate([noise.draw(3), noise.draw(0), noise.draw(5)], axis=1)
    finally:
        numba.set_num_threads(before)
    for r, rng in enumerate(replicate_generators(11, R)):
        np.testing.assert_array_equal(got[r], rng.standard_normal((8, d)) / 2.0)


def test_replicate_generators_are_seeded_by_the_spawned_children() -> None:
    for rng, child in zip(replicate_generators(3, 4), replicate_seeds(3, 4), strict=True):
        assert rng.random() == np.random.default_rng(child).random()
    assert replicate_seeds(3, 4)[2].spawn_key == (2,)


@pytest.mark.parametrize("n", [0, MAX_SAMPLES + 1])
def test_index_sampler_refuses_a_number_of_samples_out_of_range(n: int) -> None:
    with pytest.raises(InputError, match=f"n={n} samples; allowed: 1 <= n <= {MAX_SAMPLES}"):
        IndexSampler(n, 1, "replacement", replicate_generators(0, 2))


def test_index_sampler_needs_pcg64_generators() -> None:
    generators = [np.random.default_rng(0), np.random.Generator(np.random.MT19937(0))]
    with pytest.raises(InputError, match="replicate 1's generator uses MT19937; allowed: PCG64"):
        IndexSampler(10, 1, "shuffle", generators)
