"""The store's summary: what the app shows of the whole store (overview figures, the entity
index, the report list, the outcome table), computed once by the writer and kept in the
store's directory, so that a reader needs no whole-store query.

The writers (`kg ingest`, `kg remove`, the app's upload) call `kg.browse.write_summary`
after their last write. Each part of a summary names the report graphs it was computed from
(their number and a digest of their IRIs); a reader whose snapshot holds other graphs gets
None from `load` and computes the part itself, so it never shows stale figures.

>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> fp = Fingerprint.of(["urn:a", "urn:b"])
>>> save(d, {"overview": {"reports": 2}}, fp)
>>> load(d, "overview", fp), load(d, "overview", Fingerprint.of(["urn:a"]))
({'reports': 2}, None)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["DIRECTORY", "PARTS", "VERSION", "Fingerprint", "load", "save"]

DIRECTORY = "kg-summary"  # inside the store's directory; Oxigraph ignores it
VERSION = 3  # bump when a part's layout changes: older summaries then count as absent
PARTS = ("overview", "entities", "reports", "outcomes")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Which report graphs a summary describes: their number and a digest of their IRIs
    (an IRI is the hash of the report's text, so the set names the content)."""

    reports: int
    digest: str

    @classmethod
    def of(cls, graph_names: Iterable[str]) -> Fingerprint:
        names = sorted(graph_names)
        digest = hashlib.sha256("\n".join(names).encode()).hexdigest()
        return cls(len(names), digest)


def save(store_dir: str | os.PathLike, parts: Mapping[str, object], fp: Fingerprint) -> None:
    """Write each part atomically (a reader sees the old file or the new one, whole)."""
    directory = Path(store_dir) / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in parts.items():
        body = {"version": VERSION, "fingerprint": asdict(fp), "data": data}
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".json", dir=directory)
        try:
            os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide it from other readers
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(body, f, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, directory / f"{name}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def load(store_dir: str | os.PathLike, part: str, fp: Fingerprint):
    """The part's data if it was computed from exactly the graphs `fp` names, else None
    (absent, unreadable, of another version or stale)."""
    try:
        with (Path(store_dir) / DIRECTORY / f"{part}.json").open(encoding="utf-8") as f:
            body = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("version") != VERSION:
        return None
    if body.get("fingerprint") != asdict(fp):
        return None
    return body.get("data")
