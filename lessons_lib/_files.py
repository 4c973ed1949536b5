"""Writing the files the course stores so that a failure never leaves a broken one, and
reading its JSON files with errors that name the file.

A file is written to a temporary file in the same folder, flushed to the disk, and only
then moved over the old one with :func:`os.replace`, which is atomic: whoever opens the
file (a lesson, the next training run, the machine after a crash) finds the old content
or the new, never a mix or a truncated file. Several files that belong together (weights
and their metrics) are all written to temporaries before the first one is moved in, and
the old ones are put back if moving a later one fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

NUMBER = (int, float)
"""A JSON number in a :func:`check_json` schema (true and false are not numbers)."""


def as_path(value, name: str = "path") -> Path:
    """``value`` (a str or an ``os.PathLike``) as a Path, or a TypeError naming ``name``.

    Examples
    --------
    >>> as_path("data/sweeps.json").name
    'sweeps.json'
    >>> as_path(3)
    Traceback (most recent call last):
    ...
    TypeError: path must be a str or a Path, got int
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or a Path, got {type(value).__name__}")
    path = Path(value)
    if not path.name:
        raise ValueError(f"{name} must name a file, got {str(value)!r}")
    return path


def _temporary(target: Path) -> tuple[int, Path]:
    """A new empty file beside ``target``, open for writing: its descriptor and path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        # Hidden, and a name no other writer holds (O_EXCL): two saves never share one.
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            # Mode 0o666 lets the umask decide, as open() does for a new file.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                 | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        if target.exists():
            # A file that is replaced keeps its permissions, as one written in place would.
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        return descriptor, temporary


def _sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse to sync a folder; the rename has happened anyway
    finally:
        os.close(descriptor)


@contextmanager
def replacing(path, mode: str = "w", *, encoding: str = "utf-8"):
    """A file to write ``path``'s new content into; it replaces ``path`` when the block ends.

    If the block raises (or the process dies), ``path`` keeps its old content and the
    temporary file is removed (after a crash it may be left behind, hidden:
    ``.<name>.<random>.tmp``).

    Parameters
    ----------
    path : str or Path
        The folder is created if missing.
    mode : {"w", "wb"}, default "w"
        Text or bytes.
    encoding : str, default "utf-8"
        Of a text file.

    Yields
    ------
    file : file object

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "note.txt"
    >>> with replacing(path) as file:
    ...     _ = file.write("new")
    >>> path.read_text()
    'new'
    """
    target = as_path(path)
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    descriptor, temporary = _temporary(target)
    try:
        with os.fdopen(descriptor, mode, encoding=None if mode == "wb" else encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _backup(target: Path) -> Path | None:
    """A second name for ``target``'s current content (None if it has none yet)."""
    if not target.exists():
        return None
    backup = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
    try:
        os.link(target, backup)  # free: the same bytes under a second name
    except OSError:
        shutil.copy2(target, backup)  # a file system without hard links
    return backup


def write_files(contents: Mapping) -> list[Path]:
    """Write one or more files so that, if anything fails, every one keeps its old content.

    Every new content is first written to a temporary file beside its target and flushed
    to the disk; then the temporaries are moved over the targets one after the other.
    If moving one fails (or is interrupted), the targets already moved get their old
    content back. What remains is the instant between two moves: a process killed
    (or a machine losing power) exactly then leaves the first files new and the others
    old. Each file on its own is always whole; a killed write may leave its temporary
    behind, hidden beside the target (``.<name>.<random>.tmp``).

    Parameters
    ----------
    contents : mapping of (str or Path) to (bytes or str)
        Target path → its new content; str is written as UTF-8. The files are moved
        into place in this order.

    Returns
    -------
    paths : list of Path
        The files written, in order.

    Raises
    ------
    TypeError
        If a path is not a str or Path, or a content is not bytes or str (nothing is
        written then).
    ValueError
        If two paths name the same file.
    OSError
        If writing fails (the disk is full, a folder is read-only...): the old files
        are left as they were.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_files({folder / "a.json": "{}", folder / "a.bin": b"1"})]
    ['a.json', 'a.bin']
    >>> (folder / "a.json").read_text()
    '{}'
    """
    if not isinstance(contents, Mapping) or not contents:
        raise TypeError("contents must be a non-empty mapping of path to bytes or str, "
                        f"got {type(contents).__name__}")
    targets, data = [], []
    for path, content in contents.items():
        target = as_path(path, "each path of contents")
        if not isinstance(content, (bytes, str)):
            raise TypeError(f"the content of {target} must be bytes or str, "
                            f"got {type(content).__name__}")
        targets.append(target)
        data.append(content.encode("utf-8") if isinstance(content, str) else content)
    if len({target.resolve() for target in targets}) < len(targets):
        raise ValueError(f"contents names the same file twice: {[str(t) for t in targets]}")

    temporaries, backups = [], []  # removed at the end, whatever happens
    try:
        for target, content in zip(targets, data, strict=True):
            descriptor, temporary = _temporary(target)
            temporaries.append(temporary)
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
        # The old content of every target but the last, to put back if a later move fails.
        for target in targets[:-1]:
            backups.append(_backup(target))
        try:
            for target, temporary in zip(targets, temporaries, strict=True):
                os.replace(temporary, target)
        except BaseException:
            # A temporary that is gone was moved in: the disk says so even when an
            # interruption came right after a move. Once the last one is in, the new
            # set is whole and stays; before that, the old files are put back.
            if temporaries[-1].exists():
                for target, temporary, backup in zip(targets, temporaries, backups,
                                                     strict=False):
                    if temporary.exists():
                        break
                    if backup is None:
                        target.unlink(missing_ok=True)
                    else:
                        os.replace(backup, target)
            raise
    finally:
        for leftover in [*temporaries, *backups]:
            if leftover is not None:
                leftover.unlink(missing_ok=True)
    for folder in {target.parent for target in targets}:
        _sync_folder(folder)
    return targets


# -- reading ---------------------------------------------------------------------------


def damaged(path, problem: str, rebuild: str) -> ValueError:
    """The one error a stored file that cannot be used gives: the file, why, and the fix.

    Examples
    --------
    >>> damaged("data/sweeps.json", "it is empty", "`make sweeps RERUN=1`")
    ValueError('data/sweeps.json cannot be used: it is empty; rebuild it with `make sweeps RERUN=1`')
    """
    return ValueError(f"{path} cannot be used: {problem}; rebuild it with {rebuild}")


_WORDS = {dict: "an object", list: "a list", str: "a string", int: "an integer",
          float: "a number", bool: "true or false", type(None): "null"}


def _expected(types) -> str:
    """What a schema's type (or tuple of types) asks for, in JSON's words."""
    types = types if isinstance(types, tuple) else (types,)
    if float in types:
        types = tuple(t for t in types if t is not int)  # "a number" covers the integers
    return " or ".join(_WORDS[t] for t in types)


def _found(value) -> str:
    """``value`` as the message shows it: short JSON, or what kind of thing it is."""
    if isinstance(value, (dict, list)):
        return _WORDS[type(value)]
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _mismatch(value, schema, where: str = "") -> tuple[str, str] | None:
    """The first place where ``value`` does not follow ``schema``: (where, what); else None."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return where, f"must be an object, found {_found(value)}"
        for key, item in schema.items():
            if key is not Ellipsis and key not in value:
                return where, f"has no entry {key!r}"
            entries = value.items() if key is Ellipsis else [(key, value[key])]
            for name, entry in entries:
                problem = _mismatch(entry, item, f"{where}[{name!r}]")
                if problem is not None:
                    return problem
        return None
    if isinstance(schema, list):
        if not isinstance(value, list):
            return where, f"must be a list, found {_found(value)}"
        for index, entry in enumerate(value):
            problem = _mismatch(entry, schema[0], f"{where}[{index}]")
            if problem is not None:
                return problem
        return None
    types = schema if isinstance(schema, tuple) else (schema,)
    # JSON's true and false are Python's bool, a subclass of int: never a number here.
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        return where, f"must be {_expected(types)}, found {_found(value)}"
    return None


def check_json(value, schema, *, path, rebuild: str):
    """Return ``value`` if it has the structure ``schema`` describes, else raise :func:`damaged`.

    Parameters
    ----------
    value : object
        Parsed JSON.
    schema : type, tuple of types, dict or list
        A type (``str``, ``int``, :data:`NUMBER`, ``dict``...) that the value must be;
        a dict of key → schema: an object with at least these keys (the key ``...``
        stands for every key of the object); a one-item list ``[schema]``: a list of
        such items.
    path : str or Path
        The file it came from, for the message.
    rebuild : str
        The command that writes the file again, for the message.

    Raises
    ------
    ValueError
        Naming the first entry that differs, the file and the command.

    Examples
    --------
    >>> check_json({"runs": [{"label": 3}]}, {"runs": [{"label": str}]},
    ...            path="sweeps.json", rebuild="`make sweeps RERUN=1`")
    Traceback (most recent call last):
    ...
    ValueError: sweeps.json cannot be used: the entry ['runs'][0]['label'] must be a string,
    found 3; rebuild it with `make sweeps RERUN=1`
    """
    problem = _mismatch(value, schema)
    if problem is not None:
        where, what = problem
        raise damaged(path, f"the entry {where} {what}" if where else f"the file {what}", rebuild)
    return value


def read_json(path, *, rebuild: str, schema=dict):
    """The JSON stored in ``path``, checked against ``schema`` (see :func:`check_json`).

    Parameters
    ----------
    path : str or Path
    rebuild : str
        The command that writes the file again, named in the error.
    schema : default ``dict``
        By default the file must hold a JSON object.

    Returns
    -------
    value : object

    Raises
    ------
    FileNotFoundError
        If there is no such file (other OSErrors as they come).
    ValueError
        If the file is not UTF-8 JSON or does not have the structure: one error that
        names the file and ``rebuild``.
    """
    path = as_path(path)
    raw = path.read_bytes()
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        problem = "it is empty" if not raw.strip() else f"it is not valid JSON ({error})"
        raise damaged(path, problem, rebuild) from None
    return check_json(value, schema, path=path, rebuild=rebuild)
