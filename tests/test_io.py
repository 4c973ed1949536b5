"""Weights and stored results: saved whole or not at all, loaded only when every array fits.

nn.save / nn.load (lessons_lib.nn.io), the loaders of the course's stored data
(load_detector_cnn, detector_metrics, load_tiny_vit, load_sweeps, data_path) and the
tool that writes the detector CNN's pair of files. A file that cannot be used gives one
ValueError that names the file and the command that rebuilds it, and leaves the model
as it was; the stored files load exactly as numpy and json read them.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from lessons_lib import nn
from lessons_lib._data import REBUILD, data_path
from lessons_lib.architectures import SWEEPS_PATH, load_sweeps, spec_from_json
from lessons_lib.nn.models import (
    DETECTOR_METRICS,
    DETECTOR_WEIGHTS,
    detector_cnn,
    detector_metrics,
    load_detector_cnn,
)
from lessons_lib.nn.transformer import VIT_CONFIG, VIT_IMAGE_SHAPE, VIT_WEIGHTS, load_tiny_vit, tiny_vit
from lessons_lib.splits import EventSplit

ROOT = Path(__file__).resolve().parent.parent
SAVE_AGAIN = "rebuild it with `nn.save(model, path)`"


def small_model(seed=0):
    return nn.Sequential([nn.Dense(4, 3, rng=seed), nn.ReLU(), nn.Dense(3, 2, rng=seed + 1)])


def snapshot(model):
    return {name: value.copy() for name, value in model.params.items()}


def assert_unchanged(model, before):
    assert set(model.params) == set(before)
    for name, value in model.params.items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
        assert value.dtype == before[name].dtype


def archive_bytes(arrays: dict, *, pickle=False) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=pickle, **arrays)
    return buffer.getvalue()


def good_arrays(model=None, metadata='{"note": "good"}') -> dict:
    arrays = {name: value.copy() for name, value in (model or small_model(5)).params.items()}
    arrays["__metadata__"] = np.array(metadata)
    return arrays


def changed(entries: dict) -> bytes:
    """A good archive of small_model with some entries replaced (None removes one)."""
    arrays = good_arrays()
    for name, value in entries.items():
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    return archive_bytes(arrays, pickle=True)


def zip_of(members: dict) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


GOOD = archive_bytes(good_arrays())
W0 = "0.W"


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# Each: the bytes of the file, and words the error must contain.
CORRUPT = {
    "empty": (b"", "it is empty"),
    "cut after 10 bytes": (GOOD[:10], "opening it as an .npz archive failed"),
    "cut in half": (GOOD[: len(GOOD) // 2], "opening it as an .npz archive failed"),
    "last byte missing": (GOOD[:-1], "failed"),
    "text": (b"0.W,0.b\n0.1,0.2\n", "opening it as an .npz archive failed"),
    "random bytes": (np.random.default_rng(0).bytes(2000), "opening it as an .npz archive failed"),
    "a single .npy array": (npy(np.ones(3)), "opening it as an .npz archive failed"),
    "a pickle": (b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x03.", "opening it as an .npz"),
    "an entry that is not an array": (zip_of([("readme.txt", b"hi")]),
                                      r"entries that are not .npy arrays: \['readme.txt'\]"),
    "the same entry twice": (zip_of([("0.W.npy", npy(np.ones((3, 4)))),
                                     ("0.W.npy", npy(np.ones((3, 4))))]),
                             r"the same entry twice: \['0.W.npy'\]"),
    "an entry that is not .npy": (zip_of([(f"{name}.npy", b"garbage")
                                          for name in good_arrays()]),
                                  "reading the header of"),
    "a parameter missing": (changed({"2.b": None}), r"missing parameters \['2.b'\]"),
    "a parameter too many": (changed({"9.W": np.ones(2)}), r"unexpected parameters \['9.W'\]"),
    "another shape": (changed({W0: np.ones((4, 3), np.float32)}),
                      r"parameter '0.W' has shape \(4, 3\), the model expects \(3, 4\)"),
    "complex numbers": (changed({W0: np.ones((3, 4), complex)}),
                        "parameter '0.W' holds values of dtype complex128"),
    "strings": (changed({W0: np.full((3, 4), "w")}), "holds values of dtype <U1"),
    "booleans": (changed({W0: np.ones((3, 4), bool)}), "holds values of dtype bool"),
    "a record array": (changed({W0: np.zeros((3, 4), [("a", "f4")])}), "holds values of dtype"),
    "pickled objects": (changed({W0: np.full((3, 4), None, object)}),
                        r"holds Python objects \(pickled data\), which are never loaded"),
    "NaN": (changed({W0: np.full((3, 4), np.nan, np.float32)}), "parameter '0.W' holds NaN or inf"),
    "inf": (changed({"2.b": np.array([1.0, -np.inf])}), "parameter '2.b' holds NaN or inf"),
    "beyond float32": (changed({W0: np.full((3, 4), 1e300)}),
                       "holds values beyond the range of float32"),
    "metadata that is not JSON": (changed({"__metadata__": np.array("{broken")}),
                                  r"its metadata is not valid JSON \(Expecting"),
    "metadata nested too deep": (changed({"__metadata__": np.array("[" * 100_000)}),
                                 "its metadata is not valid JSON"),
    "metadata that is a list": (changed({"__metadata__": np.array("[1, 2]")}),
                                "its metadata must be a JSON object, found list"),
    "metadata that is a number": (changed({"__metadata__": np.array(3.0)}),
                                  "its metadata is not one JSON text"),
    "metadata as many texts": (changed({"__metadata__": np.array(["{}", "{}"])}),
                               "its metadata is not one JSON text"),
    "metadata pickled": (changed({"__metadata__": np.array({"a": 1}, dtype=object)}),
                         "its metadata is not one JSON text"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_file_that_cannot_be_used_gives_one_named_error_and_changes_nothing(tmp_path, case):
    raw, words = CORRUPT[case]
    path = tmp_path / "weights.npz"
    path.write_bytes(raw)
    model = small_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=words) as info:
        nn.load(model, path)
    message = str(info.value)
    assert message.startswith(f"{path} cannot be used: ")
    assert message.endswith(SAVE_AGAIN)
    # One error in the traceback: no chained BadZipFile or JSONDecodeError above it.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    assert_unchanged(model, before)


def test_the_error_names_the_command_it_is_given(tmp_path):
    path = tmp_path / "detector_cnn.npz"
    path.write_text("not weights")
    with pytest.raises(ValueError, match=r"rebuild it with `make weights`$"):
        nn.load(small_model(), path, rebuild="`make weights`")


def test_a_good_file_loads_every_array_and_the_metadata(tmp_path):
    path = tmp_path / "weights.npz"
    path.write_bytes(GOOD)
    model = small_model()
    assert nn.load(model, path) == {"note": "good"}
    assert_unchanged(model, snapshot(small_model(5)))


def test_arrays_of_another_real_dtype_are_converted_to_the_models(tmp_path):
    source = small_model(5)
    arrays = {name: value.astype(np.float64) for name, value in source.params.items()}
    arrays["2.b"] = np.array([1, -2], dtype=np.int16)
    path = tmp_path / "weights.npz"
    path.write_bytes(archive_bytes(arrays))
    model = small_model()
    assert nn.load(model, path) == {}  # an archive without metadata
    assert model.params["0.W"].dtype == np.float32
    np.testing.assert_array_equal(model.params["0.W"], source.params["0.W"])
    np.testing.assert_array_equal(model.params["2.b"], [1.0, -2.0])


def test_a_missing_file_or_a_folder_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(small_model(), tmp_path / "nothing.npz")
    with pytest.raises(IsADirectoryError):
        nn.load(small_model(), tmp_path)


@settings(max_examples=60)
@given(st.data())
def test_a_damaged_archive_loads_intact_or_gives_the_named_error(tmp_path_factory, data):
    # Cut it anywhere, or change a few bytes anywhere: the zip's checksums, the .npy
    # headers and the checks of load leave only two outcomes.
    raw = bytearray(GOOD)
    if data.draw(st.booleans(), label="cut"):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), label="length")]
    else:
        for _ in range(data.draw(st.integers(1, 4), label="changes")):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path_factory.mktemp("fuzz") / "weights.npz"
    path.write_bytes(bytes(raw))
    model = small_model()
    before = snapshot(model)
    try:
        metadata = nn.load(model, path)
    except ValueError as error:
        assert str(error).startswith(f"{path} cannot be used: ")
        assert_unchanged(model, before)
    else:
        assert metadata == {"note": "good"}
        assert_unchanged(model, snapshot(small_model(5)))


BAD_DTYPES = st.sampled_from([np.complex64, np.complex128, np.bool_, "U3", "S2",
                              np.dtype([("a", "f4"), ("b", "i2")])])


@settings(max_examples=40)
@given(name=st.sampled_from(sorted(small_model().params)),
       value=st.one_of(
           arrays(BAD_DTYPES, array_shapes(min_dims=0, max_dims=3, max_side=4)),
           arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=5),
                  elements=st.floats(allow_nan=True, allow_infinity=True))))
def test_any_wrong_array_gives_a_named_error_and_changes_nothing(tmp_path_factory, name, value):
    model = small_model()
    before = snapshot(model)
    expected = model.params[name]
    with np.errstate(over="ignore"):
        fits = value.dtype.kind == "f" and np.isfinite(value.astype(np.float32)).all()
    if value.shape == expected.shape and fits:
        return  # a good array: loading it is tested above
    arrays = good_arrays()
    arrays[name] = value
    path = tmp_path_factory.mktemp("wrong") / "weights.npz"
    path.write_bytes(archive_bytes(arrays))
    kept = value.copy()
    with pytest.raises(ValueError, match=f"parameter '{name}'") as info:
        nn.load(model, path)
    assert str(path) in str(info.value) and str(info.value).endswith(SAVE_AGAIN)
    assert_unchanged(model, before)
    # Bytes, not values: NaN inside a record never compares equal.
    assert value.dtype == kept.dtype and value.tobytes() == kept.tobytes()


# -- save --------------------------------------------------------------------------------------


def test_save_writes_an_archive_without_pickle_and_leaves_nothing_else(tmp_path):
    model = small_model(3)
    path = nn.save(model, tmp_path / "sub" / "weights", metadata={"epochs": 2})
    assert path == tmp_path / "sub" / "weights.npz"
    assert os.listdir(tmp_path / "sub") == ["weights.npz"]
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == {*model.params, "__metadata__"}
        assert json.loads(str(archive["__metadata__"])) == {"epochs": 2}


def test_a_save_that_fails_part_way_keeps_the_previous_weights(tmp_path, monkeypatch):
    path = tmp_path / "weights.npz"
    old = small_model(1)
    nn.save(old, path, metadata={"version": 1})
    real_fdopen = os.fdopen

    def fdopen(*args, **kwargs):
        file = real_fdopen(*args, **kwargs)
        real_write = file.write

        def write(data):
            real_write(data[: len(data) // 3])
            raise OSError(28, "No space left on device")

        file.write = write
        return file

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space"):
        nn.save(small_model(2), path, metadata={"version": 2})
    monkeypatch.undo()
    model = small_model(9)
    assert nn.load(model, path) == {"version": 1}
    assert_unchanged(model, snapshot(old))
    assert os.listdir(tmp_path) == ["weights.npz"]


@pytest.mark.parametrize(("value", "error", "words"), [
    (np.nan, ValueError, "model parameter '0.W' holds NaN or inf"),
    (np.inf, ValueError, "model parameter '0.W' holds NaN or inf"),
])
def test_save_refuses_weights_it_could_not_load_again(tmp_path, value, error, words):
    path = tmp_path / "weights.npz"
    nn.save(small_model(1), path)
    before = path.read_bytes()
    model = small_model(2)
    model.params["0.W"][0, 0] = value
    with pytest.raises(error, match=words):
        nn.save(model, path)
    assert path.read_bytes() == before


class Unserialisable:
    pass


circular: dict = {}
circular["self"] = circular


@pytest.mark.parametrize(("metadata", "words"), [
    ([1, 2], "metadata must be a dict or None, got list"),
    ("notes", "metadata must be a dict or None, got str"),
    ({"model": Unserialisable()}, "metadata must hold JSON data only"),
    ({"weights": np.ones(2)}, "metadata must hold JSON data only"),
    ({1: "a", "b": 2}, "metadata must hold JSON data only"),
    (circular, "metadata must hold JSON data only"),
])
def test_save_refuses_metadata_that_is_not_json_and_writes_nothing(tmp_path, metadata, words):
    with pytest.raises(TypeError, match=words):
        nn.save(small_model(), tmp_path / "weights.npz", metadata=metadata)
    assert os.listdir(tmp_path) == []


NOT_LAYERS = st.one_of(st.none(), st.integers(), st.text(max_size=4), st.just(small_model),
                       st.builds(lambda n: np.zeros(n), st.integers(0, 3)),
                       st.lists(st.integers(), max_size=2))
NOT_PATHS = st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=4),
                      st.booleans(), st.lists(st.text(max_size=3), max_size=2),
                      st.builds(lambda n: np.zeros(n), st.integers(0, 3)))


@settings(max_examples=40)
@given(NOT_LAYERS)
def test_save_and_load_refuse_what_is_not_a_model(tmp_path_factory, model):
    folder = tmp_path_factory.mktemp("model")
    kept = repr(model)
    with pytest.raises(TypeError, match="model must be a Layer"):
        nn.save(model, folder / "weights.npz")
    (folder / "good.npz").write_bytes(GOOD)
    with pytest.raises(TypeError, match="model must be a Layer"):
        nn.load(model, folder / "good.npz")
    assert repr(model) == kept
    assert os.listdir(folder) == ["good.npz"]


@settings(max_examples=40)
@given(NOT_PATHS)
def test_save_and_load_refuse_what_is_not_a_path(path):
    model = small_model()
    before = snapshot(model)
    kept = repr(path)
    with pytest.raises(TypeError, match="path must be a str or a Path"):
        nn.save(model, path)
    with pytest.raises(TypeError, match="path must be a str or a Path"):
        nn.load(model, path)
    assert_unchanged(model, before)
    assert repr(path) == kept


@settings(max_examples=40)
@given(st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
                 st.tuples(st.integers()), st.builds(lambda n: np.zeros(n), st.integers(0, 2))))
def test_save_refuses_metadata_that_is_not_a_dict(tmp_path_factory, metadata):
    folder = tmp_path_factory.mktemp("metadata")
    with pytest.raises(TypeError, match="metadata must be a dict or None"):
        nn.save(small_model(), folder / "weights.npz", metadata=metadata)
    assert os.listdir(folder) == []


@settings(max_examples=40)
@given(st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2), st.binary()))
def test_load_refuses_a_rebuild_hint_that_is_not_text(tmp_path_factory, rebuild):
    path = tmp_path_factory.mktemp("hint") / "weights.npz"
    path.write_bytes(GOOD)
    with pytest.raises(TypeError, match="rebuild must be a str"):
        nn.load(small_model(), path, rebuild=rebuild)


# -- the course's stored data --------------------------------------------------------------------


def raw_npz(path):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return arrays, json.loads(str(arrays.pop("__metadata__")))


@pytest.mark.parametrize(("load", "path"), [(load_detector_cnn, DETECTOR_WEIGHTS),
                                            (load_tiny_vit, VIT_WEIGHTS)])
def test_the_stored_networks_load_exactly_what_the_files_hold(load, path):
    model, metadata = load()
    arrays, stored_metadata = raw_npz(path)
    assert metadata == stored_metadata
    assert set(model.params) == set(arrays)
    for name, value in model.params.items():
        assert value.dtype == arrays[name].dtype == np.float32
        np.testing.assert_array_equal(value, arrays[name])


def test_the_stored_metrics_and_sweeps_load_exactly_what_the_files_hold():
    assert detector_metrics() == json.loads(DETECTOR_METRICS.read_text())

    def convert(node):  # how load_sweeps read the file before it checked it
        if isinstance(node, dict):
            return {k: spec_from_json(v) if k == "spec" else convert(v) for k, v in node.items()}
        return [convert(v) for v in node] if isinstance(node, list) else node

    assert load_sweeps() == convert(json.loads(SWEEPS_PATH.read_text()))


def damaged_copy(tmp_path, source: Path, change) -> Path:
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    change(path)
    return path


def cut(path):
    path.write_bytes(path.read_bytes()[:1000])


@pytest.mark.parametrize(("load", "source", "change", "words"), [
    (load_detector_cnn, DETECTOR_WEIGHTS, cut, "opening it as an .npz archive failed"),
    (load_detector_cnn, DETECTOR_WEIGHTS,
     lambda p: shutil.copyfile(VIT_WEIGHTS, p), "it does not match the model"),
    (load_detector_cnn, DETECTOR_WEIGHTS,
     lambda p: nn.save(detector_cnn(), p, metadata={"test_accuracy": 0.9}),
     "the file has no entry 'test'"),
    (detector_metrics, DETECTOR_METRICS, lambda p: p.write_text('{"test_accuracy": 0.9,'),
     "it is not valid JSON"),
    (detector_metrics, DETECTOR_METRICS,
     lambda p: p.write_text('{"test_accuracy": "high", "test": {"events": 2000, "data_seed": 1}}'),
     r"the entry \['test_accuracy'\] must be a number, found \"high\""),
    (detector_metrics, DETECTOR_METRICS,
     lambda p: p.write_text('{"test_accuracy": 0.9, "test": {"events": 2000.5, "data_seed": 1}}'),
     r"the entry \['test'\]\['events'\] must be an integer, found 2000.5"),
    (load_tiny_vit, VIT_WEIGHTS, cut, "opening it as an .npz archive failed"),
    (load_tiny_vit, VIT_WEIGHTS, lambda p: shutil.copyfile(DETECTOR_WEIGHTS, p),
     "it does not match the model"),
    (load_tiny_vit, VIT_WEIGHTS,
     lambda p: nn.save(tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG), p,
                       metadata={"config": {**VIT_CONFIG, "mlp_dim": 65}, "test_accuracy": 0.9,
                                 "history": {"loss": [1.0]}}),
     "it was trained with the configuration"),
    (load_tiny_vit, VIT_WEIGHTS,
     lambda p: nn.save(tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG), p,
                       metadata={"config": VIT_CONFIG, "test_accuracy": 0.9,
                                 "history": {"loss": ["low"]}}),
     r"the entry \['history'\]\['loss'\]\[0\] must be a number or null"),
    (load_sweeps, SWEEPS_PATH, lambda p: p.write_bytes(b""), "it is empty"),
    (load_sweeps, SWEEPS_PATH, cut, "it is not valid JSON"),
    (load_sweeps, SWEEPS_PATH,
     lambda p: p.write_text(json.dumps({k: v for k, v in json.loads(p.read_text()).items()
                                        if k != "workflow"})),
     "the file has no entry 'workflow'"),
    (load_sweeps, SWEEPS_PATH,
     lambda p: p.write_text(p.read_text().replace('"kind": "conv"', '"kind": "warp"', 1)),
     r"the entry \['sweeps'\]\['width'\]\['runs'\]\[0\]\['spec'\] is not a network spec"),
])
def test_a_damaged_stored_file_names_itself_and_the_command_that_rebuilds_it(
        tmp_path, load, source, change, words):
    path = damaged_copy(tmp_path, source, change)
    with pytest.raises(ValueError, match=words) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path} cannot be used: ")
    assert message.endswith(f"rebuild it with {REBUILD[source.name]}")


@pytest.mark.parametrize(("load", "words"), [
    (load_detector_cnn, "tools/train_detector_cnn.py"), (detector_metrics, "make weights"),
    (load_tiny_vit, "tools/train_vit.py"), (load_sweeps, "tools/run_sweeps.py")])
def test_a_missing_stored_file_says_how_to_make_it(tmp_path, load, words):
    with pytest.raises(FileNotFoundError, match=words):
        load(tmp_path / "nothing")


@pytest.mark.parametrize("load", [load_detector_cnn, detector_metrics, load_tiny_vit, load_sweeps])
@pytest.mark.parametrize("path", [3, 2.5, b"data", ["data"], True])
def test_the_stored_data_loaders_refuse_what_is_not_a_path(load, path):
    with pytest.raises(TypeError, match="path must be a str or a Path"):
        load(path)


@pytest.mark.parametrize(("name", "error"), [
    (3, TypeError), (None, TypeError), (b"sweeps.json", TypeError), ("", ValueError),
    (".", ValueError), ("..", ValueError), ("../pyproject.toml", ValueError),
    ("sub/sweeps.json", ValueError), ("sub\\sweeps.json", ValueError)])
def test_data_path_takes_only_a_file_name(name, error):
    with pytest.raises(error, match="name must be"):
        data_path(name)


def test_every_stored_file_has_a_rebuild_command():
    stored = {p.name for p in (ROOT / "data").iterdir() if p.suffix in (".npz", ".json")}
    assert stored == set(REBUILD)


# -- the tool that writes the detector CNN's weights and metrics ---------------------------------


@pytest.fixture
def train_detector_cnn(monkeypatch):
    spec = importlib.util.spec_from_file_location("train_detector_cnn",
                                                  ROOT / "tools" / "train_detector_cnn.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    # A quick run on a small split: the files matter here, not the accuracy.
    small = EventSplit({"train": (64, 0), "validation": (16, 2), "test": (32, 1)}, name="small")
    monkeypatch.setattr(tool, "course_split", lambda: small)
    return lambda out: tool.main(["--max-epochs", "1", "--out", str(out)])


def test_the_trainer_writes_weights_and_metrics_as_one_pair(tmp_path, train_detector_cnn):
    assert train_detector_cnn(tmp_path / "cnn.npz") == 0
    assert sorted(os.listdir(tmp_path)) == ["cnn.json", "cnn.npz"]
    model, metadata = load_detector_cnn(tmp_path / "cnn.npz")
    assert detector_metrics(tmp_path / "cnn.json") == metadata
    assert metadata["test"]["events"] == 32 and metadata["test"]["data_seed"] == 1
    assert metadata["validation"]["events"] == 16 and metadata["train"]["events"] == 64


def test_a_trainer_whose_metrics_cannot_be_written_keeps_the_old_pair(
        tmp_path, monkeypatch, train_detector_cnn):
    train_detector_cnn(tmp_path / "cnn.npz")
    weights, metrics = (tmp_path / "cnn.npz").read_bytes(), (tmp_path / "cnn.json").read_text()
    real_fdopen, opened = os.fdopen, []

    def fdopen(*args, **kwargs):  # the second file written, the metrics, finds the disk full
        opened.append(args)
        if len(opened) == 2:
            raise OSError(28, "No space left on device")
        return real_fdopen(*args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space"):
        train_detector_cnn(tmp_path / "cnn.npz")
    assert (tmp_path / "cnn.npz").read_bytes() == weights
    assert (tmp_path / "cnn.json").read_text() == metrics
    assert sorted(os.listdir(tmp_path)) == ["cnn.json", "cnn.npz"]


# -- the tool that caches lesson 07's experiments ------------------------------------------------


@pytest.fixture(scope="module")
def run_sweeps():
    spec = importlib.util.spec_from_file_location("run_sweeps", ROOT / "tools" / "run_sweeps.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_sweeps_tool_names_a_damaged_cache_before_running_anything(tmp_path, run_sweeps):
    cache = tmp_path / "sweeps.json"
    cache.write_text('{"sweeps": {"layers": ')
    with pytest.raises(ValueError, match=r"it is not valid JSON .*`make sweeps RERUN=1`"):
        run_sweeps.main(["--output", str(cache), "--only", "layers"])


def test_the_sweeps_tool_keeps_the_old_cache_when_a_write_fails(tmp_path, monkeypatch, run_sweeps):
    cache = tmp_path / "sweeps.json"
    run_sweeps.write({"sweeps": {"lr": {"runs": [float("nan")]}}}, cache)
    assert json.loads(cache.read_text()) == {"sweeps": {"lr": {"runs": [None]}}}
    before = cache.read_bytes()
    real_fdopen = os.fdopen

    def full_disk(data):
        raise OSError(28, "No space left on device")

    def fdopen(*args, **kwargs):
        file = real_fdopen(*args, **kwargs)
        file.write = full_disk
        return file

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space"):
        run_sweeps.write({"sweeps": {}}, cache)
    assert cache.read_bytes() == before
    assert os.listdir(tmp_path) == ["sweeps.json"]
