"""Loading a user's (X, y) from .npz and .csv files, and the errors that name the file."""

from __future__ import annotations

import numpy as np
import pytest

from empirical.objectives.data import check_xy, load_xy
from theory.errors import InputError

X = np.array([[1.0, 2.0], [3.0, 4.5], [-1.0, 0.25]])
Y = np.array([1.0, -1.0, 0.5])


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_npz(tmp_path):
    np.savez(tmp_path / "d.npz", X=X, y=Y)
    got_X, got_y = load_xy(tmp_path / "d.npz")
    assert np.array_equal(got_X, X) and np.array_equal(got_y, Y)
    assert got_X.dtype == got_y.dtype == np.float64
    assert not got_X.flags.writeable and not got_y.flags.writeable


CSV_CASES = [
    # (file text, what it tests)
    ("1,2,1\n3,4.5,-1\n-1,0.25,0.5\n", "no header"),
    ("a,b,y\n1,2,1\n3,4.5,-1\n-1,0.25,0.5\n", "header"),
    ("x1, x2, target\n1, 2, 1\n\n3,4.5,-1\n-1,.25,5e-1\n", "spaces, a blank line, exponents"),
]


@pytest.mark.parametrize(("text", "what"), CSV_CASES)
def test_csv(tmp_path, text, what):
    got_X, got_y = load_xy(write(tmp_path / "d.csv", text))
    assert np.array_equal(got_X, X) and np.array_equal(got_y, Y), what


def test_single_feature_single_row_csv(tmp_path):
    got_X, got_y = load_xy(write(tmp_path / "one.csv", "2.5,1\n"))
    assert got_X.shape == (1, 1) and got_y.shape == (1,)


ERRORS = [
    # (file name, content (bytes, text, or arrays for .npz), message pattern)
    ("d.txt", "1,2\n", r"d\.txt': format = '\.txt' is not allowed; expected one of \.npz, \.csv$"),
    ("nan.csv", "1,2,3\n4,nan,6\n", r"nan\.csv': X\[1, 1\] = nan is not allowed"),
    ("inf.csv", "1,2,3\n4,5,inf\n", r"inf\.csv': y\[1\] = inf is not allowed"),
    ("ragged.csv", "1,2,3\n4,5\n", r"ragged\.csv.*cannot read it as comma-separated numbers"),
    ("words.csv", "a,b\nc,d\n", r"words\.csv.*cannot read it as comma-separated numbers"),
    ("empty.csv", "", r"empty\.csv.*the file is empty"),
    ("header.csv", "a,b,y\n", r"header\.csv.*header but no data rows"),
    ("onecol.csv", "1\n2\n", r"onecol\.csv': columns = 1 is not allowed; expected at least 2"),
    ("binary.csv", b"\xff\xfe\x00", r"binary\.csv.*cannot read it as text"),
    ("junk.npz", b"not a zip file", r"junk\.npz.*cannot read it as \.npz"),
    ("noy.npz", {"X": X}, r"noy\.npz.*missing array\(s\) y; the file has X"),
    ("shape.npz", {"X": X, "y": Y[:2]}, r"shape\.npz': y = .* expected 3 entries, one per row"),
    ("flat.npz", {"X": Y, "y": Y}, r"flat\.npz': X = .* expected a 2-D array"),
    ("ycol.npz", {"X": X, "y": X}, r"ycol\.npz': y = .* expected a 1-D array"),
    (
        "text.npz",
        {"X": np.array([["a", "b"]]), "y": np.array([1.0])},
        r"text\.npz': X = .* expected an array of numbers",
    ),
]


@pytest.mark.parametrize(("name", "content", "pattern"), ERRORS)
def test_errors_name_the_file(tmp_path, name, content, pattern):
    path = tmp_path / name
    if isinstance(content, dict):
        np.savez(path, **content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write(path, content)
    with pytest.raises(InputError, match=pattern):
        load_xy(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.npz.*no such file"):
        load_xy(tmp_path / "nowhere.npz")


def test_check_xy_names_its_source():
    with pytest.raises(InputError, match=r"^my arrays: X\[0, 1\] = -inf is not allowed"):
        check_xy([[1.0, -np.inf]], [1.0], source="my arrays")
