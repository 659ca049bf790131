"""Loading user optimizer factories from files and modules, and the errors on bad ones."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from empirical.optimizers import Optimizer, optimizer
from empirical.optimizers.loading import load_factory, user_optimizer
from theory.errors import InputError

# A user file: scaled SGD returned in each accepted form, plus things that are not factories.
USER_SOURCE = """
from dataclasses import dataclass
from math import sqrt

import numpy as np

from empirical.optimizers.base import Optimizer

CONSTANT = 3


def _init(w0):
    return ()


def _scaled(scale):
    def update(grad, state, w, lr):
        return w - scale * np.asarray(lr).reshape(-1, 1) * grad, state
    return update


def as_optimizer(scale=1.0):
    return Optimizer(_init, _scaled(scale), name="mine")


def as_pair(scale=1.0):
    return _init, _scaled(scale)


@dataclass
class OptaxLike:
    scale: float = 1.0

    def init(self, w0):
        return ()

    def update(self, grad, state, w, lr):
        return _scaled(self.scale)(grad, state, w, lr)


def as_object(scale=1.0):
    return OptaxLike(scale)


def with_lookahead(shift=1.0):
    return Optimizer(_init, _scaled(1.0), lambda state, w: w + shift)


def returns_number():
    return 42


def bad_update_arity():
    return _init, lambda grad, state: (grad, state)


def refuses(scale=1.0):
    raise ValueError(f"scale={scale} is too large")


def exits():
    import sys

    sys.exit("no optimizer today")
"""


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "my_opts.py"
    path.write_text(USER_SOURCE)
    return path


@pytest.fixture
def user_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    package = tmp_path / "ratecheck_test_userpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "opts.py").write_text(USER_SOURCE)
    (package / "broken.py").write_text("import no_such_module_for_ratecheck_tests\n")
    (package / "exits.py").write_text("raise SystemExit(4)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "ratecheck_test_userpkg"
    for name in [m for m in sys.modules if m.startswith("ratecheck_test_userpkg")]:
        del sys.modules[name]


W = np.array([[1.0, 2.0], [3.0, 4.0]])
G = np.array([[0.5, -1.0], [2.0, 0.0]])


def step(opt: Optimizer) -> np.ndarray:
    return opt.update(G, opt.init(W), W, np.array([0.1, 0.2]))[0]


@pytest.mark.parametrize("factory", ["as_optimizer", "as_pair", "as_object"])
@pytest.mark.parametrize("source", ["file", "module"])
def test_each_accepted_result_runs(factory, source, user_file, user_package):
    target = str(user_file) if source == "file" else f"{user_package}.opts"
    opt = optimizer(f"{target}:{factory}:scale=2")
    assert opt.name == f"{target}:{factory}" and not opt.builtin
    assert dict(opt.hyperparams) == {"scale": 2}
    np.testing.assert_allclose(step(opt), W - 2 * np.array([[0.1], [0.2]]) * G)
    np.testing.assert_array_equal(opt.lookahead((), W), W)


def test_user_optimizer_takes_keywords(user_file):
    opt = user_optimizer(f"{user_file}:as_pair", scale=0.5)
    np.testing.assert_allclose(step(opt), W - 0.5 * np.array([[0.1], [0.2]]) * G)


def test_a_user_lookahead_is_kept(user_file):
    opt = optimizer(f"{user_file}:with_lookahead:shift=0.5")
    np.testing.assert_array_equal(opt.lookahead((), W), W + 0.5)


def test_a_builtin_returned_by_a_user_factory_is_not_builtin(tmp_path):
    path = tmp_path / "wrap.py"
    path.write_text("from empirical.optimizers import adam\n\ndef make():\n    return adam()\n")
    opt = optimizer(f"{path}:make")
    assert not opt.builtin and opt.name == f"{path}:make" and dict(opt.hyperparams) == {}


def test_files_with_the_same_name_do_not_collide(tmp_path):
    for sub, value in (("a", 1.0), ("b", 2.0)):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "opts.py").write_text(f"def make():\n    return {value}\n")
    first = load_factory(f"{tmp_path / 'a' / 'opts.py'}:make")
    second = load_factory(f"{tmp_path / 'b' / 'opts.py'}:make")
    assert (first(), second()) == (1.0, 2.0)


def test_load_factory_returns_the_callable(user_file):
    factory = load_factory(f"{user_file}:as_pair")
    assert callable(factory) and factory.__name__ == "as_pair"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


LOAD_ERRORS = [
    # (file name, file text or None for "no file", NAME, message fragments)
    ("absent.py", None, "make", ["absent.py", "not found"]),
    ("syntax.py", "def make(:\n    pass\n", "make", ["syntax.py", "SyntaxError"]),
    (
        "imports.py",
        "import no_such_module_for_ratecheck_tests\n",
        "make",
        ["imports.py", "ModuleNotFoundError", "no_such_module_for_ratecheck_tests"],
    ),
    ("raises.py", "raise RuntimeError('boom')\n", "make", ["raises.py", "RuntimeError: boom"]),
    (
        "other.py",
        "from math import sqrt\nX = 1\ndef helper():\n    pass\ndef make_opt():\n    pass\n",
        "make",
        ["other.py", "no 'make'", "callables it defines: helper, make_opt"],
    ),
    ("const.py", "make = 3\n", "make", ["const.py", "'make' is not callable (it is of type int)"]),
    (
        "exits.py",
        "import sys\nsys.exit(0)\n",
        "make",
        ["exits.py", "failed to load: SystemExit: the code called sys.exit(0)"],
    ),
]


@pytest.mark.parametrize(
    ("filename", "text", "name", "fragments"), LOAD_ERRORS, ids=[e[0] for e in LOAD_ERRORS]
)
def test_file_errors_name_the_file(tmp_path, filename, text, name, fragments):
    path = tmp_path / filename if text is None else _write(tmp_path, filename, text)
    with pytest.raises(InputError) as info:
        optimizer(f"{path}:{name}")
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_a_failed_load_leaves_no_module_behind(tmp_path):
    path = _write(tmp_path, "fails.py", "raise RuntimeError('boom')\n")
    before = set(sys.modules)
    with pytest.raises(InputError):
        load_factory(f"{path}:make")
    assert set(sys.modules) == before


CALL_ERRORS = [
    ("as_pair:speed=2", ["as_pair", "key = 'speed' is not allowed", "expected one of scale"]),
    ("returns_number", ["returns_number", "returned an object of type int", "(init, update) pair"]),
    ("bad_update_arity", ["bad_update_arity", "update", "update(grad, state, w, lr)"]),
    ("refuses:scale=5", ["refuses", "scale=5", "ValueError: scale=5 is too large"]),
    ("exits", ["exits", "failed: SystemExit: the code called sys.exit('no optimizer today')"]),
]


@pytest.mark.parametrize(("rest", "fragments"), CALL_ERRORS, ids=[e[0] for e in CALL_ERRORS])
def test_factory_errors_name_the_factory(user_file, rest, fragments):
    with pytest.raises(InputError) as info:
        optimizer(f"{user_file}:{rest}")
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("ref", "fragments"),
    [
        ("ratecheck_test_userpkg.nothing:make", ["ratecheck_test_userpkg.nothing", "import"]),
        ("ratecheck_test_userpkg.broken:make", ["broken", "no_such_module_for_ratecheck_tests"]),
        ("ratecheck_test_userpkg.opts:absent", ["'absent'", "as_optimizer", "OptaxLike"]),
        ("ratecheck_test_userpkg.opts:CONSTANT", ["'CONSTANT' is not callable"]),
        ("ratecheck_test_userpkg.exits:make", ["failed to import: SystemExit", "sys.exit(4)"]),
    ],
)
def test_module_errors(user_package, ref, fragments):
    with pytest.raises(InputError) as info:
        load_factory(ref)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("opts.py", "file.py:NAME"),  # no NAME
        ("pkg.module", "file.py:NAME"),
        ("opts.py:not-a-name", "not a Python name"),
        ("opts.py:make:scale", "key=value"),
    ],
)
def test_malformed_references(spec, fragment):
    with pytest.raises(InputError, match=fragment):
        optimizer(spec)


def test_user_code_can_be_refused(user_file):
    with pytest.raises(InputError, match="user code, which is not allowed"):
        optimizer(f"{user_file}:as_pair", allow_user_code=False)
    assert optimizer("adam", allow_user_code=False).name == "adam"


def test_a_misspelt_factory_or_keyword_gets_did_you_mean(user_package: str) -> None:
    with pytest.raises(
        InputError, match=r"defines no 'as_optimiser'.*\(did you mean 'as_optimizer'\?\)"
    ):
        load_factory(f"{user_package}.opts:as_optimiser")
    with pytest.raises(InputError) as refused:
        optimizer(f"{user_package}.opts:as_optimizer:scal=2")
    assert str(refused.value) == (
        f"optimizer factory '{user_package}.opts:as_optimizer': key = 'scal' is not allowed; "
        "expected one of scale (did you mean 'scale'?)"
    )


def test_the_module_of_a_factory_is_found_again_from_its_import_directory(user_package, tmp_path):
    from empirical.optimizers.loading import import_root

    optimizer(f"{user_package}.opts:as_optimizer")
    assert import_root(f"{user_package}.opts") == tmp_path
    assert import_root(user_package) == tmp_path  # a package: ROOT/pkg/__init__.py
    assert import_root("json.decoder") is None  # the interpreter's own library
    assert import_root("not_imported_anywhere") is None
