"""A dataset's manifest (``dataset.json``) and its parts' file names.

The manifest is the committed state of one athlete's dataset: the schema
version, the generation (one more with every commit), the Parquet parts of
every table, and the parts a compaction retired (kept a while for readers).
A part is named ``<table>-<generation:06d>-<token>[-c].parquet``: the
generation of the commit that wrote it, a token shared by that commit's parts,
and ``-c`` for a compaction (one part that replaces every earlier part of its
table). The names let repair rebuild a lost manifest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from trainlog.store import schema

#: The manifest's file name in an athlete's folder.
MANIFEST = "dataset.json"
#: A part's file name: table, generation, the commit's token, "-c" for a compaction.
PART_NAME = re.compile(r"(?P<table>[a-z_]+)-(?P<generation>\d{6,})-(?P<token>[0-9a-f]+)(?P<compacted>-c)?\.parquet\Z")


@dataclass
class Manifest:
    """The committed state of one athlete's dataset."""

    generation: int = 0
    tables: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in schema.TABLES})
    retired: list[tuple[str, float]] = field(default_factory=list)  # (part name, time retired: Unix s)
    schema_version: int = schema.SCHEMA_VERSION

    def to_json(self) -> str:
        """The manifest as ``dataset.json`` holds it."""
        return json.dumps(
            {
                "schema_version": self.schema_version,
                "generation": self.generation,
                "tables": self.tables,
                "retired": [list(r) for r in self.retired],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        """A manifest from the text of ``dataset.json`` (ValueError, KeyError, TypeError or
        AttributeError when it is not one; the schema version is not checked here)."""
        doc = json.loads(raw)
        return cls(
            generation=int(doc["generation"]),
            tables={t: list(doc["tables"].get(t, [])) for t in schema.TABLES},
            retired=[(str(n), float(t)) for n, t in doc.get("retired", [])],
            schema_version=int(doc["schema_version"]),
        )

    def listed(self) -> set[str]:
        """Every part the manifest refers to: listed in a table or retired (kept a while for readers)."""
        return {p for parts in self.tables.values() for p in parts} | {n for n, _ in self.retired}


def committed_generation(path: Path) -> int | None:
    """The generation a manifest file on disk holds now (None when it cannot be read)."""
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class PartName:
    """What a part's file name says: ``<table>-<generation:06d>-<token>[-c].parquet``."""

    table: str
    generation: int
    token: str
    compacted: bool

    @classmethod
    def parse(cls, name: str) -> PartName | None:
        """The parts of a part's file name; None for a name that is not a part of a known table."""
        m = PART_NAME.match(name)
        if not m or m["table"] not in schema.TABLES:
            return None
        return cls(m["table"], int(m["generation"]), m["token"], bool(m["compacted"]))

    def name(self) -> str:
        """The file name back: ``<table>-<generation:06d>-<token>[-c].parquet``."""
        return f"{self.table}-{self.generation:06d}-{self.token}{'-c' if self.compacted else ''}.parquet"
