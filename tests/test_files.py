"""Files the course writes are replaced whole or not at all; its JSON files are read with
errors that name the file and the command that rebuilds it (lessons_lib._files).

A save killed part-way (SIGKILL in a subprocess, at several points) and a write that
fails (a full disk, a move that fails, an interruption) must leave the previous file,
or the previous pair of files, intact and readable.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib._files import NUMBER, as_path, check_json, read_json, replacing, write_files

ROOT = Path(__file__).resolve().parent.parent
REBUILD = "`make sweeps RERUN=1`"


def listing(folder: Path) -> list[str]:
    """Every name in ``folder``, hidden temporaries included."""
    return sorted(os.listdir(folder))


def write_pair(folder: Path, weights=b"old weights", metrics='{"old": true}\n'):
    weights_path, metrics_path = folder / "model.npz", folder / "model.json"
    weights_path.write_bytes(weights)
    metrics_path.write_text(metrics)
    return weights_path, metrics_path


class DiskFull:
    """os.fdopen whose ``fail_at``-th file (counting from 1) writes half its bytes, then
    raises as a full disk would."""

    def __init__(self, monkeypatch, fail_at):
        self.opened, self.fail_at, self.real = 0, fail_at, os.fdopen
        monkeypatch.setattr(os, "fdopen", self)

    def __call__(self, *args, **kwargs):
        file = self.real(*args, **kwargs)
        self.opened += 1
        if self.opened != self.fail_at:
            return file
        real_write = file.write

        def write(data):
            real_write(data[: len(data) // 2])
            file.flush()
            raise OSError(28, "No space left on device")

        file.write = write
        return file


class FailingMove:
    """os.replace whose ``fail_at``-th call raises ``error`` (before or after moving)."""

    def __init__(self, monkeypatch, fail_at, error, *, after=False):
        self.calls, self.fail_at, self.error, self.after = 0, fail_at, error, after
        self.real = os.replace
        monkeypatch.setattr(os, "replace", self)

    def __call__(self, source, target):
        self.calls += 1
        if self.calls == self.fail_at and not self.after:
            raise self.error
        self.real(source, target)
        if self.calls == self.fail_at:
            raise self.error


# -- one file ------------------------------------------------------------------------------


def test_write_files_writes_bytes_and_text_and_leaves_nothing_else(tmp_path):
    paths = write_files({tmp_path / "a.bin": b"\x00\x01", tmp_path / "sub" / "b.txt": "é\n"})
    assert paths == [tmp_path / "a.bin", tmp_path / "sub" / "b.txt"]
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "sub" / "b.txt").read_bytes() == "é\n".encode()
    assert listing(tmp_path) == ["a.bin", "sub"]
    assert listing(tmp_path / "sub") == ["b.txt"]


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_files({target: "new"})
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_permissions_open_would_give(tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    write_files({tmp_path / "atomic.txt": "x"})
    assert (tmp_path / "atomic.txt").stat().st_mode == (tmp_path / "plain.txt").stat().st_mode


def test_replacing_writes_text_and_bytes(tmp_path):
    with replacing(tmp_path / "t.txt") as file:
        file.write("line\n")
    with replacing(tmp_path / "b.bin", "wb") as file:
        file.write(b"\xff")
    assert (tmp_path / "t.txt").read_text() == "line\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\xff"
    assert listing(tmp_path) == ["b.bin", "t.txt"]


def test_replacing_keeps_the_old_file_when_the_block_fails(tmp_path):
    target = tmp_path / "notebook.ipynb"
    target.write_text("old notebook")
    with pytest.raises(RuntimeError, match="kernel died"), replacing(target) as file:
        file.write("half a new notebook")
        raise RuntimeError("kernel died")
    assert target.read_text() == "old notebook"
    assert listing(tmp_path) == ["notebook.ipynb"]


def test_replacing_refuses_a_mode_it_cannot_make_atomic(tmp_path):
    with pytest.raises(ValueError, match="mode"), replacing(tmp_path / "x", "a"):
        pass
    assert listing(tmp_path) == []


def test_a_full_disk_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "sweeps.json"
    target.write_text('{"old": 1}')
    DiskFull(monkeypatch, fail_at=1)
    with pytest.raises(OSError, match="No space"):
        write_files({target: '{"new": 2}' * 1000})
    assert target.read_text() == '{"old": 1}'
    assert listing(tmp_path) == ["sweeps.json"]


# -- a pair of files -------------------------------------------------------------------------


def test_the_pair_writer_keeps_the_old_pair_when_the_second_write_fails(tmp_path, monkeypatch):
    weights, metrics = write_pair(tmp_path)
    DiskFull(monkeypatch, fail_at=2)
    with pytest.raises(OSError, match="No space"):
        write_files({weights: b"new weights", metrics: '{"new": true}\n'})
    assert weights.read_bytes() == b"old weights"
    assert metrics.read_text() == '{"old": true}\n'
    assert listing(tmp_path) == ["model.json", "model.npz"]


@pytest.mark.parametrize("error", [OSError(13, "Permission denied"), KeyboardInterrupt()])
def test_the_pair_writer_puts_the_first_file_back_when_the_second_move_fails(
        tmp_path, monkeypatch, error):
    weights, metrics = write_pair(tmp_path)
    FailingMove(monkeypatch, fail_at=2, error=error)
    with pytest.raises(type(error)):
        write_files({weights: b"new weights", metrics: '{"new": true}\n'})
    assert weights.read_bytes() == b"old weights"
    assert metrics.read_text() == '{"old": true}\n'
    assert listing(tmp_path) == ["model.json", "model.npz"]


def test_an_interruption_between_the_moves_leaves_no_half_pair(tmp_path, monkeypatch):
    # Ctrl-C right after the first file is moved in: it is moved back out.
    weights, metrics = write_pair(tmp_path)
    FailingMove(monkeypatch, fail_at=1, error=KeyboardInterrupt(), after=True)
    with pytest.raises(KeyboardInterrupt):
        write_files({weights: b"new weights", metrics: '{"new": true}\n'})
    assert weights.read_bytes() == b"old weights"
    assert metrics.read_text() == '{"old": true}\n'
    assert listing(tmp_path) == ["model.json", "model.npz"]


def test_an_interruption_after_the_last_move_keeps_the_whole_new_pair(tmp_path, monkeypatch):
    weights, metrics = write_pair(tmp_path)
    FailingMove(monkeypatch, fail_at=2, error=KeyboardInterrupt(), after=True)
    with pytest.raises(KeyboardInterrupt):
        write_files({weights: b"new weights", metrics: '{"new": true}\n'})
    assert weights.read_bytes() == b"new weights"
    assert metrics.read_text() == '{"new": true}\n'
    assert listing(tmp_path) == ["model.json", "model.npz"]


def test_a_new_pair_that_fails_halfway_leaves_neither_file(tmp_path, monkeypatch):
    FailingMove(monkeypatch, fail_at=2, error=OSError(13, "Permission denied"))
    with pytest.raises(OSError):
        write_files({tmp_path / "a.npz": b"1", tmp_path / "a.json": "{}"})
    assert listing(tmp_path) == []


@pytest.mark.parametrize(("contents", "error", "words"), [
    (None, TypeError, "contents must be a non-empty mapping"),
    ({}, TypeError, "contents must be a non-empty mapping"),
    ([("a", "b")], TypeError, "contents must be a non-empty mapping"),
    ({3: "x"}, TypeError, "each path of contents must be a str or a Path, got int"),
    ({"a.json": {"x": 1}}, TypeError, "must be bytes or str, got dict"),
    ({"a.json": "1", "./a.json": "2"}, ValueError, "the same file twice"),
])
def test_write_files_refuses_bad_contents_before_writing_anything(
        tmp_path, monkeypatch, contents, error, words):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=words):
        write_files(contents)
    assert listing(tmp_path) == []


# -- killed part-way -------------------------------------------------------------------------

# The child process saves (or writes a pair) and is stopped at a chosen point by a hook
# that prints "ready" and sleeps; the test then kills it with SIGKILL, as a crash would.
HOOKS = {
    # Half of the new bytes written to the temporary file.
    "mid-write": """
        real_fdopen = os.fdopen
        def fdopen(*args, **kwargs):
            file = real_fdopen(*args, **kwargs)
            real_write = file.write
            def write(data):
                real_write(data[: len(data) // 2]); file.flush()
                stop()
            file.write = write
            return file
        os.fdopen = fdopen
    """,
    # Every new file written and flushed to the disk, none moved in yet.
    "before-move": """
        real_fsync, synced = os.fsync, []
        def fsync(descriptor):
            real_fsync(descriptor)
            synced.append(descriptor)
            if len(synced) == FILES:
                stop()
        os.fsync = fsync
    """,
}
CHILD = """
import os, sys, time
import numpy as np
from lessons_lib import nn
from lessons_lib._files import write_files

def stop():
    print("ready", flush=True)
    time.sleep(60)

FILES = 1 if sys.argv[2] == "save" else 2
{hook}
target = sys.argv[1]
if sys.argv[2] == "save":
    model = nn.Dense(400, 300, rng=7)  # a larger archive than the one on disk
    nn.save(model, target, metadata={{"version": "new"}})
else:
    write_files({{target: b"new weights" * 10000,
                 target.replace(".npz", ".json"): '{{"version": "new"}}'}})
print("finished", flush=True)
"""


def kill_during(target: Path, what: str, hook: str) -> list[str]:
    """Run the child until its hook stops it, kill it, and return the folder's names."""
    script = CHILD.format(hook=textwrap.dedent(hook))
    child = subprocess.Popen([sys.executable, "-c", script, str(target), what],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = child.stdout.readline().strip()
        assert line == "ready", f"the child did not reach the hook: {line!r}"
        leftovers = [name for name in listing(target.parent) if name.endswith(".tmp")]
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.stdout.close()
    return leftovers


pytestmark_kill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@pytestmark_kill
@pytest.mark.parametrize("moment", sorted(HOOKS))
def test_a_save_killed_part_way_leaves_the_previous_weights_loadable(tmp_path, moment):
    from lessons_lib import nn

    target = tmp_path / "weights.npz"
    old = nn.Dense(400, 300, rng=1)
    nn.save(old, target, metadata={"version": "old"})
    before = target.read_bytes()
    leftovers = kill_during(target, "save", HOOKS[moment])
    # The child was writing its temporary file, beside the target, when it was killed.
    assert len(leftovers) == 1
    assert target.read_bytes() == before
    model = nn.Dense(400, 300, rng=2)
    assert nn.load(model, target) == {"version": "old"}
    np.testing.assert_array_equal(model.params["W"], old.params["W"])


@pytestmark_kill
@pytest.mark.parametrize("moment", sorted(HOOKS))
def test_a_pair_killed_part_way_leaves_the_previous_pair(tmp_path, moment):
    weights, metrics = write_pair(tmp_path)
    kill_during(weights, "pair", HOOKS[moment])
    assert weights.read_bytes() == b"old weights"
    assert metrics.read_text() == '{"old": true}\n'


@pytestmark_kill
def test_a_save_that_is_not_killed_finishes(tmp_path):
    # The child script itself works: without a hook it replaces the file.
    target = tmp_path / "weights.npz"
    result = subprocess.run([sys.executable, "-c", CHILD.format(hook=""), str(target), "save"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert result.stdout.strip() == "finished"
    assert listing(tmp_path) == ["weights.npz"]


# -- reading JSON ----------------------------------------------------------------------------

SCHEMA = {"meta": dict, "runs": [{"label": str, "accuracy": NUMBER}],
          "curves": {...: [(*NUMBER, type(None))]}}
GOOD = {"meta": {}, "runs": [{"label": "a", "accuracy": 0.5}], "curves": {"loss": [1, None]}}


def test_read_json_returns_what_was_stored(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD))
    assert read_json(path, rebuild=REBUILD, schema=SCHEMA) == GOOD


@pytest.mark.parametrize(("raw", "words"), [
    (b"", "it is empty"),
    (b"  \n", "it is empty"),
    (b'{"meta": {}, "runs": [', "it is not valid JSON"),
    (b"not json at all", "it is not valid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "it is not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "it is not valid JSON"),
])
def test_read_json_names_the_file_and_the_command_for_a_broken_file(tmp_path, raw, words):
    path = tmp_path / "broken.json"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=words) as info:
        read_json(path, rebuild=REBUILD, schema=SCHEMA)
    assert str(path) in str(info.value)
    assert str(info.value).endswith(f"rebuild it with {REBUILD}")


@pytest.mark.parametrize(("value", "words"), [
    ([GOOD], "the file must be an object, found a list"),
    ({**GOOD, "meta": []}, r"the entry \['meta'\] must be an object, found a list"),
    ({"meta": {}, "curves": {}}, "the file has no entry 'runs'"),
    ({**GOOD, "runs": [{"label": "a"}]}, r"the entry \['runs'\]\[0\] has no entry 'accuracy'"),
    ({**GOOD, "runs": [{"label": 1, "accuracy": 1}]},
     r"\['runs'\]\[0\]\['label'\] must be a string, found 1"),
    ({**GOOD, "runs": [{"label": "a", "accuracy": True}]},
     r"\['accuracy'\] must be a number, found true"),
    ({**GOOD, "runs": [{"label": "a", "accuracy": "0.9"}]},
     r"\['accuracy'\] must be a number, found \"0.9\""),
    ({**GOOD, "curves": {"loss": [1, "x"]}},
     r"\['curves'\]\['loss'\]\[1\] must be a number or null"),
    ({**GOOD, "runs": {"label": "a"}}, r"\['runs'\] must be a list, found an object"),
])
def test_read_json_refuses_the_wrong_structure_naming_the_entry(tmp_path, value, words):
    path = tmp_path / "sweeps.json"
    path.write_text(json.dumps(value))
    with pytest.raises(ValueError, match=words) as info:
        read_json(path, rebuild=REBUILD, schema=SCHEMA)
    assert str(info.value).startswith(f"{path} cannot be used: ")
    assert REBUILD in str(info.value)


def test_read_json_expects_an_object_by_default(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="the file must be an object, found a list"):
        read_json(path, rebuild=REBUILD)


def test_read_json_leaves_a_missing_file_to_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_json(tmp_path / "nothing.json", rebuild=REBUILD)


def test_a_long_value_is_shortened_in_the_message():
    with pytest.raises(ValueError, match=r'found "x{36}\.\.\.;') as info:
        check_json({"label": "x" * 500}, {"label": int}, path="a.json", rebuild=REBUILD)
    assert len(str(info.value)) < 200


# -- property tests: bad arguments -----------------------------------------------------------

# Hashable, so that they can be keys of write_files' contents.
NOT_PATHS = st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.booleans(),
                      st.tuples(st.text(max_size=3)), st.just(Path))


@settings(max_examples=30)
@given(NOT_PATHS)
def test_as_path_refuses_what_is_not_a_path(value):
    with pytest.raises(TypeError, match="path must be a str or a Path, got"):
        as_path(value)


@settings(max_examples=30)
@given(NOT_PATHS)
def test_write_files_and_replacing_refuse_what_is_not_a_path(value):
    with pytest.raises(TypeError, match="each path of contents must be a str or a Path"):
        write_files({value: "x"})
    with pytest.raises(TypeError, match="path must be a str or a Path"), replacing(value):
        pass


@pytest.mark.parametrize("value", ["", ".", "/"])
def test_a_path_must_name_a_file(value):
    with pytest.raises(ValueError, match="path must name a file"):
        as_path(value)


@settings(max_examples=40)
@given(st.one_of(st.integers(), st.floats(), st.none(), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                 st.builds(lambda n: np.zeros(n), st.integers(0, 3))))
def test_write_files_refuses_content_that_is_not_bytes_or_str(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("content")
    kept = repr(content)
    with pytest.raises(TypeError, match="content of .* must be bytes or str"):
        write_files({folder / "x.json": content})
    assert repr(content) == kept
    assert listing(folder) == []


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=10)


@settings(max_examples=60)
@given(JSON_VALUES)
def test_any_json_either_follows_the_schema_or_gets_one_named_error(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("json") / "results.json"
    path.write_text(json.dumps(value))
    try:
        assert read_json(path, rebuild=REBUILD, schema=SCHEMA) == value
    except ValueError as error:
        assert str(error).startswith(f"{path} cannot be used: ")
        assert str(error).endswith(f"rebuild it with {REBUILD}")


@settings(max_examples=60)
@given(st.binary(max_size=64))
def test_any_bytes_either_parse_or_get_one_named_error(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("raw") / "results.json"
    path.write_bytes(raw)
    try:
        assert isinstance(read_json(path, rebuild=REBUILD), dict)
    except ValueError as error:
        assert str(error).startswith(f"{path} cannot be used: ")
