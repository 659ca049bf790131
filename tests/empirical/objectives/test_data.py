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
    ("nan.csv", "1,2,3\n4,nan,6\n", r"nan\.csv': X\[1, 1\] \(line 2, column 2\) = nan is not"),
    ("inf.csv", "1,2,3\n\n4,5,inf\n", r"inf\.csv': y\[1\] \(line 3, column 3\) = inf is not"),
    ("ragged.csv", "1,2,3\n4,5\n", r"ragged\.csv': line 2 has 2 fields; expected 3, as on line 1$"),
    ("words.csv", "a,b\nc,d\n", r"words\.csv': line 2, column 1 is not a number; expected comma"),
    ("empty.csv", "", r"empty\.csv.*the file is empty"),
    ("blank.csv", "\n  \n# only a comment\n", r"blank\.csv.*the file is empty"),
    ("header.csv", "a,b,y\n", r"header\.csv.*header but no data rows"),
    ("onecol.csv", "1\n2\n", r"onecol\.csv': columns = 1 is not allowed; expected at least 2"),
    ("binary.csv", b"1,2\n\xff\xfe\x00", r"binary\.csv': line 2 is not UTF-8 text; expected"),
    ("junk.npz", b"not a zip file", r"junk\.npz': cannot read it \(not a zip archive\); expected"),
    ("noy.npz", {"X": X}, r"noy\.npz': missing array\(s\) y; expected arrays X \(n, d\) and y"),
    ("shape.npz", {"X": X, "y": Y[:2]}, r"shape\.npz': y shape = \(2,\) is not allowed; expected"),
    ("flat.npz", {"X": Y, "y": Y}, r"flat\.npz': X shape = \(3,\) .* expected a 2-D array"),
    ("ycol.npz", {"X": X, "y": X}, r"ycol\.npz': y shape = \(3, 2\) .* expected a 1-D array"),
    (
        "text.npz",
        {"X": np.array([["a", "b"]]), "y": np.array([1.0])},
        r"text\.npz': X dtype = '<U1' is not allowed; expected real numbers",
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


SECRET = "hunter2-SECRET-TOKEN"


def npz_with(path, members: dict[str, bytes]):
    """A zip archive with these raw members (what numpy.savez would never write)."""
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def hostile(tmp_path, kind: str):
    """A data file whose error, if any message quoted the file, would show SECRET."""
    csv, npz = tmp_path / "s.csv", tmp_path / "s.npz"
    if kind == "bad field":
        write(csv, f"a,b,y\n1,2,3\n4,{SECRET},6\n")
    elif kind == "ragged line":
        write(csv, f"1,2,3\n{SECRET}\n")
    elif kind == "not utf-8":
        csv.write_bytes(f"1,2,3\n{SECRET}\xff\n".encode("latin-1"))
    elif kind == "symlinked key file":
        key = write(tmp_path / "id_key", f"-----BEGIN KEY-----\n{SECRET}\n-----END KEY-----\n")
        csv.symlink_to(key)
    elif kind == "string array":
        np.savez(npz, X=np.array([[SECRET, "b"]]), y=np.array([1.0]))
    elif kind == "raw member":
        npz_with(npz, {"X": SECRET.encode(), "y": SECRET.encode()})
    elif kind == "member names":
        npz_with(npz, {f"{SECRET}.npy": b"", "X.npy": b""})
    elif kind == "npy header":
        npz_with(npz, {"X.npy": b"\x93NUMPY\x01\x00\x20\x00" + SECRET.encode() * 2, "y.npy": b""})
    return npz if npz.exists() else csv


HOSTILE = [
    # (kind, where the message says the problem is)
    ("bad field", "line 3, column 2 is not a number"),
    ("ragged line", "line 2 has 1 fields; expected 3, as on line 1"),
    ("not utf-8", "line 2 is not UTF-8 text"),
    ("symlinked key file", "line 2, column 1 is not a number"),
    ("string array", "X dtype = '<U20' is not allowed"),
    ("raw member", "missing array(s) X, y"),
    ("member names", "missing array(s) y"),
    ("npy header", "array 'X' cannot be read"),
]


@pytest.mark.parametrize(("kind", "where"), HOSTILE)
def test_no_message_shows_the_text_of_the_file(tmp_path, kind, where):
    path = hostile(tmp_path, kind)
    with pytest.raises(InputError) as info:
        load_xy(path)
    message = str(info.value)
    assert SECRET not in message and SECRET[:7] not in message, message
    assert message.startswith(f"data file {str(path)!r}: ") and where in message, message


def test_a_rejected_label_of_a_file_is_located_not_shown(tmp_path):
    path = write(tmp_path / "labels.csv", "x,y\n1,1\n2,-1\n3,31337\n")
    with pytest.raises(InputError) as info:
        load_xy(path, classes=(-1.0, 1.0))
    message = str(info.value)
    assert "31337" not in message
    assert message.endswith(
        "labels.csv': y[2] (line 4, column 2) is not allowed; expected a class label, -1 or +1"
    )


def test_complex_data_is_refused_not_truncated(tmp_path):
    np.savez(tmp_path / "c.npz", X=X + 1j, y=Y)
    with pytest.raises(
        InputError, match=r"c\.npz': X dtype = 'complex128' is not allowed; expected"
    ):
        load_xy(tmp_path / "c.npz")
    with pytest.raises(InputError, match=r"^data: y dtype = 'complex128' is not allowed; expected"):
        check_xy(X, Y * (1 + 2j))


def test_python_objects_are_refused_without_unpickling(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.array([[1.0, None]], dtype=object), y=np.ones(1))
    with pytest.raises(InputError, match=r"o\.npz': X dtype = 'object' is not allowed; expected"):
        load_xy(tmp_path / "o.npz")


def test_what_would_be_skipped_silently_is_read(tmp_path):
    """A byte-order mark or a comment on the first row made it a 'header' that was dropped;
    old Mac line ends are lines."""
    for text in ("\ufeff1,2,1\n3,4.5,-1\n-1,.25,.5\n", "1,2,1 # first\r3,4.5,-1\r-1,.25,.5\r"):
        got_X, got_y = load_xy(write(tmp_path / "d.csv", text))
        assert np.array_equal(got_X, X) and np.array_equal(got_y, Y), repr(text)


def test_a_directory_is_not_a_data_file(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(InputError, match=r"d\.csv': not a regular file; expected a \.npz or \.csv"):
        load_xy(tmp_path / "d.csv")


def test_a_zip_bomb_is_refused_before_it_is_decompressed(tmp_path, monkeypatch):
    np.savez_compressed(tmp_path / "bomb.npz", X=np.zeros((2_000_000, 2)), y=np.zeros(2_000_000))
    assert (tmp_path / "bomb.npz").stat().st_size < 200_000  # 48 MB once decompressed
    monkeypatch.setenv("RATECHECK_MAX_DATA_ARRAY_BYTES", "1e7")
    with pytest.raises(InputError) as info:
        load_xy(tmp_path / "bomb.npz")
    assert str(info.value).endswith(
        "bomb.npz': array 'X' decompressed is 30.5 MiB (32000128 bytes), over the limit "
        "(limit MAX_DATA_ARRAY_BYTES = 9.5 MiB (10000000 bytes); raise it with the environment "
        "variable RATECHECK_MAX_DATA_ARRAY_BYTES=BYTES)"
    )


def test_an_array_header_that_declares_gigabytes_is_refused_before_allocation(tmp_path):
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (200_000_000, 1)}
    )
    npz_with(tmp_path / "big.npz", {"X.npy": header.getvalue(), "y.npy": header.getvalue()})
    with pytest.raises(InputError, match=r"array 'X' as float64 is 1\.5 GiB \(1600000000 bytes\)"):
        load_xy(tmp_path / "big.npz")


@pytest.mark.parametrize(
    ("name", "value", "text", "size"),
    [
        ("FILE", "50", "1,2,3\n" * 10, "the file is 60 bytes"),
        (
            "ARRAY",
            "100",
            "1,2,3\n" * 10,
            "its table of 10 rows x 3 columns as float64 is 240 bytes",
        ),
    ],
)
def test_csv_size_limits(tmp_path, monkeypatch, name, value, text, size):
    monkeypatch.setenv(f"RATECHECK_MAX_DATA_{name}_BYTES", value)
    with pytest.raises(InputError) as info:
        load_xy(write(tmp_path / "d.csv", text))
    message = str(info.value)
    assert f"d.csv': {size}" in message
    assert f"(limit MAX_DATA_{name}_BYTES = {value} bytes; raise it with" in message


def test_a_limit_set_to_nonsense_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_DATA_FILE_BYTES", "lots")
    with pytest.raises(
        InputError, match=r"^environment: RATECHECK_MAX_DATA_FILE_BYTES = 'lots' is"
    ):
        load_xy(write(tmp_path / "d.csv", "1,2\n"))
