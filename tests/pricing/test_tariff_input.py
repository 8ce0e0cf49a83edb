"""A tariffs file is read without trusting it: regular files only, a size cap, and a nesting cap
checked on the raw text before the TOML parser runs."""

import contextlib
import os
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import tariff_input
from pricing.errors import TariffFileError
from pricing.sources import load_book
from pricing.tariff_input import MAX_FILE_BYTES, MAX_NESTING, check_nesting

DATA = Path(__file__).parent.parent / "data"
BUNDLED = Path(__file__).parent.parent.parent / "pricing" / "data" / "tariffs.toml"
GOOD_BLOCK = """
[[tariff]]
model = "ok-model"
effective = 2026-01-01
input_per_mtok = "1"
output_per_mtok = "2"
"""


def refused(path: Path) -> str:
    """The one-line message load_book gives for `path`."""
    with pytest.raises(TariffFileError) as caught:
        load_book(path, with_catalog=False)
    message = caught.value.message
    assert str(path) in message
    assert "\n" not in message
    return message


def finished(action: Callable[[], object]) -> bool:
    """Whether `action` returns (or raises) at all: a guard against hanging the whole run, not a
    timing measurement."""

    def run() -> None:
        with contextlib.suppress(Exception):  # only whether it returns matters here
            action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    return not thread.is_alive()


# --- what may be read ---------------------------------------------------------------------------


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "tariffs.toml"
    os.mkfifo(pipe)

    assert finished(lambda: load_book(pipe, with_catalog=False))
    assert "not a regular file" in refused(pipe)


def test_a_path_that_becomes_a_pipe_after_the_check_is_refused_without_waiting(
    tmp_path, monkeypatch
):
    """The check before opening can be raced; what was opened is checked again, and opening
    does not wait for a writer."""
    pipe = tmp_path / "tariffs.toml"
    os.mkfifo(pipe)
    regular = os.stat(BUNDLED)

    class StatSaysRegular:
        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        @staticmethod
        def stat(path: object) -> os.stat_result:
            return regular

    monkeypatch.setattr(tariff_input, "os", StatSaysRegular())

    assert finished(lambda: load_book(pipe, with_catalog=False))
    assert "not a regular file" in refused(pipe)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused(device):
    assert "not a regular file" in refused(Path(device))


def test_a_directory_is_refused(tmp_path):
    assert "not a regular file" in refused(tmp_path)


def test_a_file_over_the_size_cap_is_refused_even_when_valid(tmp_path):
    path = tmp_path / "tariffs.toml"
    # Valid TOML: one comment line, one byte past the cap.
    path.write_text("#" + "x" * (MAX_FILE_BYTES - 1) + "\n")
    assert path.stat().st_size == MAX_FILE_BYTES + 1

    assert f"larger than {MAX_FILE_BYTES:,} bytes" in refused(path)


def test_a_file_at_the_size_cap_is_read(tmp_path):
    path = tmp_path / "tariffs.toml"
    padding = "#" + "x" * (MAX_FILE_BYTES - len(GOOD_BLOCK) - 2) + "\n"
    path.write_text(padding + GOOD_BLOCK)
    assert path.stat().st_size <= MAX_FILE_BYTES

    assert load_book(path, with_catalog=False).find("ok-model") is not None


def test_a_huge_file_is_refused_after_reading_one_byte_past_the_cap(tmp_path, monkeypatch):
    path = tmp_path / "tariffs.toml"
    with path.open("wb") as file:
        file.truncate(1 << 30)  # a sparse GiB: reading it whole is what must not happen
    asked: list[int] = []
    real_open = open

    class CountingFile:
        def __init__(self, *args: object) -> None:
            self._file = real_open(*args)  # type: ignore[call-overload]

        def __enter__(self) -> "CountingFile":
            return self

        def __exit__(self, *exc: object) -> None:
            self._file.close()

        def fileno(self) -> int:
            return self._file.fileno()

        def read(self, size: int = -1) -> bytes:
            asked.append(size)
            return self._file.read(size)

    monkeypatch.setattr(tariff_input, "open", CountingFile, raising=False)

    assert "larger than" in refused(path)
    assert asked == [MAX_FILE_BYTES + 1]


# --- nesting, before the parser -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x = " + "[" * 5000 + "]" * 5000 + "\n", id="arrays-5000"),
        pytest.param("x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n", id="inline-tables-5000"),
        pytest.param(GOOD_BLOCK + "name = " + "[" * 900 + "]" * 900 + "\n", id="in-a-block"),
        # 40 KB of one dotted key: tomllib checks every prefix against every other (6 s, 1.6 GB).
        pytest.param("a" + ".a" * 20_000 + " = 1\n", id="dotted-key-40kb"),
        pytest.param("[" + "a." * 5000 + "a]\n", id="dotted-table-header"),
        pytest.param("[[" + "a." * 5000 + "a]]\n", id="dotted-array-of-tables"),
    ],
)
def test_deep_nesting_is_refused_before_parsing(tmp_path, text):
    path = tmp_path / "tariffs.toml"
    path.write_text(text)

    message = refused(path)

    assert f"nest more than {MAX_NESTING} deep" in message


def test_the_line_of_the_deep_place_is_named(tmp_path):
    path = tmp_path / "tariffs.toml"
    path.write_text(GOOD_BLOCK + "name = " + "[" * 50 + "]" * 50 + "\n")

    assert "line 7:" in refused(path)


@pytest.mark.parametrize("path", [BUNDLED, *sorted(DATA.glob("*.toml"))], ids=lambda p: p.name)
def test_real_tariffs_files_pass_the_nesting_scan(path):
    check_nesting(path.read_text(encoding="utf-8"), str(path))


# A TOML value with the depth of containers it opens, built so that the scan meets brackets,
# braces, dots and '#' inside strings and comments, where they count for nothing.
LEAVES = st.sampled_from(
    ['"a.[b]{c}"', "'x.]}#'", '"""multi\n[line].{x}"""', "'''lit]]\n.'''", "1.5", "2026-01-01"]
)
KEYS = st.sampled_from([("k", 0), ('"dotted.quoted"', 0), ("a.b", 1), ("a.'c.d'.e", 2)])


def nested(depth: int) -> st.SearchStrategy[str]:
    """A value whose containers nest exactly `depth` deep."""
    if depth == 0:
        return LEAVES
    arrays = st.tuples(nested(depth - 1), LEAVES).map(lambda pair: f"[{pair[0]}, {pair[1]}]")
    tables = KEYS.filter(lambda key: key[1] <= depth - 1).flatmap(
        lambda key: nested(depth - 1 - key[1]).map(lambda inner: f"{{{key[0]} = {inner}, z = 1}}")
    )
    return st.one_of(arrays, tables)


@settings(max_examples=150, deadline=None)
@given(
    header=st.sampled_from([("", 0), ("[t]\n", 1), ("[t.u]\n", 2), ("[[t.u]]\n", 3)]),
    key=KEYS,
    value_depth=st.integers(0, MAX_NESTING + 2),
    data=st.data(),
    comment=st.booleans(),
)
def test_the_scan_refuses_exactly_what_nests_too_deep(header, key, value_depth, data, comment):
    (header_text, header_depth), (key_text, key_dots) = header, key
    value_text = data.draw(nested(value_depth))
    remark = "# [[[[ a.b.c.d.e.f.g.h.i.j.k.l { {\n" if comment else ""
    text = f"{remark}{header_text}{key_text} = {value_text}\n"
    tomllib.loads(text)  # the generator writes valid TOML
    depth = header_depth + key_dots + value_depth

    if depth > MAX_NESTING:
        with pytest.raises(TariffFileError):
            check_nesting(text, "f")
    else:
        check_nesting(text, "f")
