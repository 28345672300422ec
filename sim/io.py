"""Writing run outputs atomically: a temp file in the same folder, then one rename.

A reader (or a sweep collector) therefore sees either no file or a complete one, never half.
"""

from __future__ import annotations

import errno
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

_UMASK = os.umask(0)
os.umask(_UMASK)


TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"  # write_atomic's temporary files: .<name>.<random>.tmp


def write_atomic(path: Path, write) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX)
    except FileExistsError:  # mkdir: a file where a folder of the path should be
        raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a quota: name the file being written, not the temp
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def remove_temporaries(folder) -> list[Path]:
    """Remove the temporary files :func:`write_atomic` left in ``folder`` when its process was
    killed mid-write (the finished file was never renamed into place); returns them. Only for
    a folder no other process is writing into (a run's own folder, on a resume)."""
    found = [
        p
        for p in Path(folder).glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}")
        if p.is_file() and not p.is_symlink() and p.name.count(".") >= 3
    ]
    for path in found:
        path.unlink(missing_ok=True)
    return found


def file_error(exc: OSError) -> str:
    """A file-system error as one line naming the path: ``cannot write 'out/x.png': Read-only
    file system`` (write_atomic names the file being written, not its temporary)."""
    where = f" '{exc.filename}'" if getattr(exc, "filename", None) else ""
    if exc.errno == errno.ENOENT:  # a file to read, or a folder gone while writing
        return f"no such file or folder{where}"
    return f"cannot write{where}: {exc.strerror or exc}"


def _plain(value):
    """JSON-safe values: numpy scalars to Python, NaN and inf to null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, data: dict) -> Path:
    text = json.dumps(_plain(data), indent=2, sort_keys=False) + "\n"
    return write_atomic(path, lambda tmp: Path(tmp).write_text(text))


def read_json(path) -> dict:
    return json.loads(Path(path).read_text())


def write_parquet(
    path,
    columns: dict[str, np.ndarray],
    metadata: dict | None = None,
    descriptions: dict[str, str] | None = None,
) -> Path:
    """One table per file; ``metadata`` (seed, config hash, version) goes in the schema, and
    each column's ``descriptions`` entry ("unit | meaning", sim/outcomes.py) in its field."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({k: np.asarray(v) for k, v in columns.items()})
    if descriptions:
        fields = [
            f.with_metadata({"description": descriptions[f.name]}) if f.name in descriptions else f
            for f in table.schema
        ]
        table = table.cast(pa.schema(fields))
    if metadata:
        table = table.replace_schema_metadata({"sim": json.dumps(_plain(metadata), sort_keys=True)})
    return write_atomic(path, lambda tmp: pq.write_table(table, tmp))


def read_parquet(path):
    import pyarrow.parquet as pq

    return pq.read_table(path)
