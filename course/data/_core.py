"""Registry, file format, loading, building and verification of the course datasets.

Every dataset is described once by a :class:`Spec` (its columns with their kinds, its generator,
the datasets it is derived from). The same description drives writing (fixed formatting, sorted
rows, deterministic gzip), reading (explicit dtypes) and checking (SHA-256 and header).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# Base seed of every generator: the first day of the 2012 survey of French CMs (12 April 2012).
BASE_SEED = 20120412
# Files larger than this are shipped gzip-compressed.
GZIP_THRESHOLD = 2 * 1024 * 1024
MANIFEST = "checksums.json"
REPO_DATASETS = Path(__file__).resolve().parents[2] / "datasets"
DEFAULT_SCENARIO = "default"

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
KINDS = {"str", "int", "Int64", "float", "bool", "date", "datetime"}


# --------------------------------------------------------------------------- errors


class DatasetError(Exception):
    """Base class of every problem with a course dataset file."""


class DatasetMissingError(DatasetError, FileNotFoundError):
    """A dataset file (or its checksum record) is not where it should be."""


class DatasetCorruptError(DatasetError, ValueError):
    """A dataset file exists but is truncated, edited or does not match its schema."""


class DatasetWriteError(DatasetError, PermissionError):
    """The output folder of a build cannot be written; nothing was written."""


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Col:
    """One column: its name, kind (see ``KINDS``), decimals for floats, unit and meaning."""

    name: str
    kind: str
    decimals: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "float" and self.decimals is None:
            raise ValueError(f"float column {self.name!r} needs decimals")


@dataclass(frozen=True)
class Spec:
    """How one dataset is generated, written and read."""

    name: str
    summary: str
    columns: tuple[Col, ...]
    sort_by: tuple[str, ...]
    generate: Callable[..., pd.DataFrame]
    deps: tuple[str, ...] = ()
    sizes: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


# Build and listing order: the order in which modules need them.
ORDER = (
    "cm_survey",
    "cm_task_log",
    "members",
    "posts",
    "comments",
    "employees",
    "rse_usage",
    "cops",
    "cop_members",
    "cop_events",
    "community_kpis",
    "maturity_ratings",
    "assessments_demo",
)
REGISTRY: dict[str, Spec] = {}
# scenario name -> {dataset name -> size overrides}; only the listed datasets exist in a scenario.
SCENARIOS: dict[str, dict[str, dict]] = {}


def register(spec: Spec) -> Spec:
    """Add a dataset to the registry (called by each generator module at import)."""
    if spec.name not in ORDER:
        raise ValueError(f"add {spec.name!r} to ORDER first")
    REGISTRY[spec.name] = spec
    return spec


def all_names() -> list[str]:
    """Registered datasets in build order."""
    return [n for n in ORDER if n in REGISTRY]


def _unknown(name: str, known: Iterable[str], what: str = "dataset") -> KeyError:
    return KeyError(f"unknown {what} {name!r}; known: {', '.join(known)}")


def get_spec(name: str) -> Spec:
    """The :class:`Spec` of a dataset; unknown names raise ``KeyError`` listing the known ones."""
    if name not in REGISTRY:
        raise _unknown(name, all_names())
    return REGISTRY[name]


def scenario_names(scenario: str) -> list[str]:
    """Datasets that exist in a scenario, in build order."""
    if scenario == DEFAULT_SCENARIO:
        return all_names()
    if scenario not in SCENARIOS:
        raise _unknown(scenario, [DEFAULT_SCENARIO, *SCENARIOS], "scenario")
    return [n for n in all_names() if n in SCENARIOS[scenario]]


def rng_for(name: str) -> np.random.Generator:
    """The seeded generator of one dataset: independent of the order in which datasets are built."""
    return np.random.default_rng(np.random.SeedSequence([BASE_SEED, zlib.crc32(name.encode())]))


# --------------------------------------------------------------------------- paths


def rebuild_hint(name: str, scenario: str = DEFAULT_SCENARIO) -> str:
    """The command that rebuilds one dataset."""
    if scenario == DEFAULT_SCENARIO:
        return f"course data build --only {name}"
    return f"course data build --scenario {scenario} --only {name}"


def scenario_dir(scenario: str) -> Path:
    """Default folder of a scenario's files.

    Args:
        scenario: ``"default"`` or a scenario name such as ``"edf-160k"``.

    Returns:
        The shipped ``datasets/`` folder for the default scenario; otherwise
        ``$COURSE_DATA_CACHE/<scenario>`` if that variable is set, else the user cache folder
        (``platformdirs.user_cache_dir("cm-course")/datasets/<scenario>``).
    """
    if scenario == DEFAULT_SCENARIO:
        return REPO_DATASETS
    env = os.environ.get("COURSE_DATA_CACHE")
    if env:
        return Path(env) / scenario
    import platformdirs

    return Path(platformdirs.user_cache_dir("cm-course")) / "datasets" / scenario


def read_manifest(folder: Path) -> dict:
    """The checksum record of a folder (``{}`` when absent)."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError) as exc:
        raise DatasetCorruptError(f"{path} is not a valid checksum record: {exc}") from exc


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def locate(name: str, scenario: str = DEFAULT_SCENARIO, data_dir: Path | None = None):
    """Find a dataset's file and its checksum record.

    Returns:
        ``(path, record)`` where ``record`` is the manifest entry (file, sha256, rows, columns).

    Raises:
        KeyError: unknown dataset or scenario.
        DatasetMissingError: the file or its record is missing.
    """
    get_spec(name)
    if name not in scenario_names(scenario):
        raise _unknown(name, scenario_names(scenario), f"dataset in scenario {scenario!r}")
    folder = Path(data_dir) if data_dir is not None else scenario_dir(scenario)
    record = read_manifest(folder).get(name)
    hint = rebuild_hint(name, scenario)
    if record is None:
        candidates = [folder / f"{name}.csv", folder / f"{name}.csv.gz"]
        shown = next((p for p in candidates if p.exists()), candidates[0])
        raise DatasetMissingError(
            f"no checksum record for {shown} in {folder / MANIFEST}; rebuild it with: {hint}"
        )
    path = folder / record["file"]
    if not path.exists():
        raise DatasetMissingError(f"dataset file {path} is missing; rebuild it with: {hint}")
    return path, record


# --------------------------------------------------------------------------- reading


def _read_dtypes(spec: Spec) -> dict:
    mapping = {"str": object, "int": "int64", "Int64": "Int64", "float": "float64", "bool": "bool"}
    return {c.name: mapping[c.kind] for c in spec.columns if c.kind in mapping}


def read_frame(raw: bytes, spec: Spec, compressed: bool) -> pd.DataFrame:
    """Parse the bytes of one dataset file with the dtypes of its spec (no checksum check).

    Args:
        raw: the file's bytes.
        spec: the dataset's spec.
        compressed: the bytes are gzip-compressed.

    Returns:
        The frame, dates parsed by the C reader with their fixed ISO formats.

    Raises:
        ValueError: the text does not match the schema (columns, dates or numbers).
    """
    text = zlib.decompress(raw, 16 + zlib.MAX_WBITS) if compressed else raw  # one shot: fast
    dates = {
        c.name: DATE_FORMAT if c.kind == "date" else DATETIME_FORMAT
        for c in spec.columns
        if c.kind in ("date", "datetime")
    }
    frame = pd.read_csv(
        io.BytesIO(text),
        dtype=_read_dtypes(spec),
        keep_default_na=False,
        na_values=[""],
        engine="c",
        encoding="utf-8",
        parse_dates=list(dates) or False,
        date_format=dates or None,
    )
    if list(frame.columns) != spec.column_names:
        raise ValueError(f"columns {list(frame.columns)} differ from {spec.column_names}")
    for column in dates:
        if not pd.api.types.is_datetime64_dtype(frame[column]):  # the reader left text
            raise ValueError(f"column {column!r} holds values that are not ISO dates")
    return frame


def load(
    name: str, scenario: str = DEFAULT_SCENARIO, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """Load a course dataset as a DataFrame with its dtypes set and its dates parsed.

    Args:
        name: a dataset name (see :func:`names`).
        scenario: ``"default"`` (the shipped files) or a scenario such as ``"edf-160k"``, built
            on demand with ``course data build --scenario edf-160k``.
        data_dir: read from this folder instead of the scenario's default one.

    Returns:
        A fresh ``pandas.DataFrame`` (text columns are plain strings, counts ``int64`` or nullable
        ``Int64``, dates ``datetime64[ns]``).

    Raises:
        KeyError: unknown dataset (the message lists the known names).
        DatasetMissingError: the file is missing (also a ``FileNotFoundError``).
        DatasetCorruptError: the file is truncated, edited or unreadable (also a ``ValueError``).
    """
    spec = get_spec(name)
    path, record = locate(name, scenario, Path(data_dir) if data_dir else None)
    hint = rebuild_hint(name, scenario)
    raw = path.read_bytes()  # read once: hashed, then parsed from memory
    if hashlib.sha256(raw).hexdigest() != record["sha256"]:
        raise DatasetCorruptError(
            f"dataset file {path} does not match its recorded SHA-256 (edited or truncated); "
            f"rebuild it with: {hint}"
        )
    try:
        return read_frame(raw, spec, compressed=path.suffix == ".gz")
    except (ValueError, OSError, EOFError, zlib.error, pd.errors.ParserError) as exc:
        raise DatasetCorruptError(f"cannot read {path} ({exc}); rebuild it with: {hint}") from exc


# --------------------------------------------------------------------------- writing


_NEEDS_QUOTES = (",", '"', "\n", "\r")


def _quote(value: str) -> str:
    """CSV quoting as RFC 4180 (and pandas' QUOTE_MINIMAL) does it."""
    if any(ch in value for ch in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


def _format_values(values: np.ndarray, col: Col) -> np.ndarray:
    """Text of distinct, non-missing values of one column (an object array)."""
    if col.kind in ("date", "datetime"):
        unit = "D" if col.kind == "date" else "s"
        as_unit = np.asarray(values, dtype="datetime64[ns]").astype(f"datetime64[{unit}]")
        return np.datetime_as_string(as_unit, unit=unit).astype(object)
    if col.kind == "float":
        fmt = f"{{:.{col.decimals}f}}"
        return np.array(
            [fmt.format(v) for v in np.asarray(values, dtype=float).tolist()], dtype=object
        )
    if col.kind in ("int", "Int64"):
        return np.asarray(values, dtype=np.int64).astype(str).astype(object)
    if col.kind == "bool":
        return np.where(np.asarray(values, dtype=bool), "True", "False").astype(object)
    return np.array([_quote(str(v)) for v in values], dtype=object)


def _column_strings(series: pd.Series, col: Col) -> list[str]:
    """Text form of a column, independent of locale and of pandas' float repr.

    Each distinct value is formatted once (columns of millions of rows have few distinct dates
    and counts); missing values become empty fields.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.append(_format_values(np.asarray(uniques), col), "")  # code -1 -> ""
    return texts[codes].tolist()


def _is_sorted(frame: pd.DataFrame, keys: list[str]) -> bool:
    """True when the rows already follow ``keys`` (lexicographic, ascending)."""
    ordered = np.ones(max(len(frame) - 1, 0), dtype=bool)
    tied = np.ones_like(ordered)
    try:
        for key in keys:
            values = frame[key].to_numpy()
            before, after = values[:-1], values[1:]
            ordered &= ~tied | (after >= before)
            tied &= after == before
    except TypeError:  # missing or mixed values in a key: let the full sort decide
        return False
    return bool(ordered.all())


CHUNK_ROWS = 200_000  # rows formatted at a time: bounds the writer's memory on big scenarios


def iter_csv_chunks(frame: pd.DataFrame, spec: Spec, chunk_rows: int = CHUNK_ROWS):
    """Serialise a generated frame in chunks: spec column order, sorted rows, fixed formats.

    The writer is a plain join of per-column strings (no locale, no float repr): the same frame
    gives the same bytes on any machine with the same library versions, whatever the chunk size.

    Yields:
        UTF-8 encoded pieces of the CSV text (header first), LF line ends.
    """
    if list(frame.columns) != spec.column_names:
        raise ValueError(f"{spec.name}: columns {list(frame.columns)} != {spec.column_names}")
    keys = list(spec.sort_by)
    if not _is_sorted(frame, keys):
        frame = frame.sort_values(keys, kind="mergesort")
    yield (",".join(_quote(name) for name in spec.column_names) + "\n").encode("utf-8")
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        columns = [_column_strings(part[c.name], c) for c in spec.columns]
        yield ("\n".join(map(",".join, zip(*columns, strict=True))) + "\n").encode("utf-8")


def to_csv_bytes(frame: pd.DataFrame, spec: Spec) -> bytes:
    """The whole CSV text of a generated frame (see :func:`iter_csv_chunks`)."""
    return b"".join(iter_csv_chunks(frame, spec))


class _HashingWriter:
    """A file wrapper that hashes and counts what is written through it."""

    def __init__(self, fh) -> None:
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.fh.write(data)

    def flush(self) -> None:
        self.fh.flush()


def write_dataset(folder: Path, spec: Spec, frame: pd.DataFrame, level: int = 6) -> dict:
    """Write one dataset atomically, gzip-compressed once its text passes ``GZIP_THRESHOLD``.

    Returns:
        Its checksum record (file, sha256, bytes, rows, columns).
    """
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{spec.name}.", suffix=".tmp")
    pending: list[bytes] = []
    pending_size = 0
    gz = None
    try:
        with os.fdopen(fd, "wb") as fh:
            out = _HashingWriter(fh)
            for chunk in iter_csv_chunks(frame, spec):
                if gz is not None:
                    gz.write(chunk)
                    continue
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size > GZIP_THRESHOLD:
                    gz = gzip.GzipFile(
                        filename="", mode="wb", fileobj=out, compresslevel=level, mtime=0
                    )
                    gz.write(b"".join(pending))
                    pending = []
            if gz is not None:
                gz.close()
            else:
                out.write(b"".join(pending))
        filename = f"{spec.name}.csv.gz" if gz is not None else f"{spec.name}.csv"
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / filename)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    for stale in (folder / f"{spec.name}.csv", folder / f"{spec.name}.csv.gz"):
        if stale.name != filename and stale.exists():
            stale.unlink()
    return {
        "file": filename,
        "sha256": out.sha.hexdigest(),
        "bytes": out.size,
        "rows": len(frame),
        "columns": spec.column_names,
    }


def check_writable(folder: Path) -> None:
    """Fail early, before generating anything, if ``folder`` cannot take new files.

    Raises:
        DatasetWriteError: the folder cannot be created or written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DatasetWriteError(f"cannot write to {folder}: {exc}; nothing was written") from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_manifest(folder: Path, files: dict) -> None:
    """Write the checksum record (sorted keys, stable layout)."""
    doc = {
        "about": "SHA-256 of each dataset file; checked by `course data verify` and load()",
        "files": {k: files[k] for k in sorted(files)},
    }
    write_atomic(folder / MANIFEST, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())


# --------------------------------------------------------------------------- building


def generate(name: str, scenario: str = DEFAULT_SCENARIO, cache: dict | None = None):
    """Generate one dataset in memory (with the datasets it derives from).

    Args:
        name: dataset name.
        scenario: scenario whose sizes apply.
        cache: frames already generated in this build, reused and filled.

    Returns:
        The generated ``pandas.DataFrame`` (not yet sorted or formatted).
    """
    cache = {} if cache is None else cache
    if name in cache:
        return cache[name]
    spec = get_spec(name)
    deps = {dep: generate(dep, scenario, cache) for dep in spec.deps}
    sizes = dict(spec.sizes)
    if scenario != DEFAULT_SCENARIO:
        sizes.update(SCENARIOS[scenario].get(name, {}))
    frame = spec.generate(rng_for(name), **deps, **sizes)
    cache[name] = frame
    return frame


def build(
    only: Iterable[str] | None = None,
    scenario: str = DEFAULT_SCENARIO,
    out: str | Path | None = None,
    progress: bool = True,
) -> dict:
    """Generate and write datasets, then update the checksum record.

    Args:
        only: dataset names to write (default: every dataset of the scenario).
        scenario: ``"default"`` or a scenario name such as ``"edf-160k"``.
        out: output folder (default: ``datasets/`` or the scenario's cache folder).
        progress: show a tqdm progress bar.

    Returns:
        The checksum records written, by dataset name.

    Raises:
        KeyError: unknown dataset or scenario.
        DatasetWriteError: the output folder is not writable (checked before any work).
    """
    available = scenario_names(scenario)
    targets = list(available) if only is None else list(only)
    for name in targets:
        if name not in available:
            raise _unknown(name, available, f"dataset in scenario {scenario!r}")
    folder = Path(out) if out is not None else scenario_dir(scenario)
    check_writable(folder)
    # A folder of shipped files must not keep stale records of files it no longer has.
    manifest = {k: v for k, v in read_manifest(folder).items() if k in available}

    from tqdm.auto import tqdm

    # Shipped files favour size; a scenario is a local cache and favours build time.
    level = 6 if scenario == DEFAULT_SCENARIO else 1
    cache: dict = {}
    written = {}
    bar = tqdm(targets, desc=f"building {scenario}", unit="dataset", disable=not progress)
    for name in bar:
        bar.set_postfix_str(name)
        spec = get_spec(name)
        frame = generate(name, scenario, cache)
        record = write_dataset(folder, spec, frame, level)
        manifest[name] = written[name] = record
        write_manifest(folder, manifest)
    return written


# --------------------------------------------------------------------------- verifying


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return fh.readline().rstrip("\n").split(",")


def verify(scenario: str = DEFAULT_SCENARIO, data_dir: str | Path | None = None) -> list[str]:
    """Check every file of a scenario against its checksum record and its schema.

    Args:
        scenario: ``"default"`` (the shipped files) or a scenario name.
        data_dir: check this folder instead of the scenario's default one.

    Returns:
        One problem message per faulty dataset (empty when all is well); each message names the
        file and the command that rebuilds it.
    """
    problems = []
    folder = Path(data_dir) if data_dir is not None else scenario_dir(scenario)
    for name in scenario_names(scenario):
        spec = get_spec(name)
        hint = rebuild_hint(name, scenario)
        try:
            path, record = locate(name, scenario, folder)
        except DatasetError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if file_sha256(path) != record["sha256"]:
            problems.append(
                f"{name}: {path} does not match its recorded SHA-256 (edited, truncated or "
                f"rebuilt elsewhere); rebuild it with: {hint}"
            )
            continue
        if record.get("columns") != spec.column_names:
            problems.append(
                f"{name}: {path} was built with columns {record.get('columns')} but the schema "
                f"now has {spec.column_names}; rebuild it with: {hint}"
            )
            continue
        try:
            header = _header(path)
        except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
            problems.append(f"{name}: cannot read {path} ({exc}); rebuild it with: {hint}")
            continue
        if header != spec.column_names:
            problems.append(f"{name}: {path} header {header} != schema; rebuild it with: {hint}")
    return problems


class Card(str):
    """A data card's text that a notebook displays as rendered Markdown (tables, headings)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def card(name: str) -> str:
    """The data card of a dataset (Markdown): rows, columns and units, sources, limits.

    In a notebook, ``course.data.card(name)`` as a cell's last line shows the card rendered;
    ``print(...)`` shows its raw text.

    Args:
        name: a dataset name.

    Returns:
        The card's Markdown text (``datasets/<name>.md``).

    Raises:
        KeyError: unknown dataset.
        DatasetMissingError: the card file is missing.
    """
    get_spec(name)
    path = REPO_DATASETS / f"{name}.md"
    if not path.exists():
        raise DatasetMissingError(f"data card {path} is missing")
    return Card(path.read_text(encoding="utf-8"))
