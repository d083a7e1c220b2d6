"""German noun declension tables: Wiktionary's, as the `german-nouns` package ships them (CC BY-SA 4.0).

simplemma knows which lemma a German form belongs to, not which case and number it is, nor a noun's other
forms (`Vertrag` -> `Verträgen`, with the umlaut). The package's CSV has both for about 100,000 nouns. It is
read once into an SQLite index (60 MB) beside the interpreter (`<prefix>/share/postedit/`), so a process looks
forms up on disk instead of holding the 20 MB table in memory; `scripts/install.sh` builds it. Without the
package every lookup answers nothing and German falls back to simplemma's suffix rules.
"""

from __future__ import annotations

import csv
import logging
import os
import sqlite3
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

__all__ = ["CELLS", "Declension", "available", "declensions", "ensure_index"]

log = logging.getLogger(__name__)

CASES = ("nominativ", "genitiv", "dativ", "akkusativ")
CELLS = tuple(f"{case} {number}" for number in ("singular", "plural") for case in CASES)
GENDERS = frozenset({"m", "f", "n"})
SCHEMA = "v2"  # the index layout: a new one builds a new file beside the old
_lock = threading.Lock()


@dataclass(frozen=True)
class Declension:
    """One noun's table: the forms of each of `CELLS`, and the rarer variants Wiktionary lists beside them
    (`Vertrags` beside `Vertrages`, the old dative `Vertrage`)."""

    lemma: str
    gender: str
    cells: tuple[tuple[str, ...], ...]
    variants: tuple[tuple[str, ...], ...]

    def forms(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(f for table in (self.cells, self.variants) for cell in table for f in cell)
        )

    def cells_of(self, word: str) -> frozenset[int]:
        """The cells `word` fills; a variant's only where no main form is it (`Elemente` is plural, not the
        old dative singular)."""
        main = frozenset(i for i, cell in enumerate(self.cells) if word in cell)
        return main or frozenset(i for i, cell in enumerate(self.variants) if word in cell)


def _index_path() -> Path | None:
    try:
        version = metadata.version("german-nouns")
    except metadata.PackageNotFoundError:
        return None
    return Path(sys.prefix) / "share" / "postedit" / f"german-nouns-{version}-{SCHEMA}.sqlite3"


def _rows() -> list[tuple[str, str, str, int, int, str]]:
    """(form, lemma, gender, cell, variant?, table id) for every noun form in the package's CSV."""
    out: list[tuple[str, str, str, int, int, str]] = []
    with (resources.files("german_nouns") / "nouns.csv").open(encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        named = [(i, " ".join(c.split()[:2])) for i, c in enumerate(header)]
        columns = [
            (i, CELLS.index(name.rstrip("*")), int(name.endswith("*") or len(header[i].split()) > 2))
            for i, name in named
            if name.rstrip("*") in CELLS
        ]
        for n, row in enumerate(rows):
            gender = row[2] or row[3]
            if "Substantiv" not in row[1] or gender not in GENDERS:
                continue
            out.extend(
                (row[i], row[0], gender, cell, alt, str(n))
                for i, cell, alt in columns
                if row[i] and row[i] != "—"
            )
    return out


def build_index(path: Path) -> None:
    """Write the index atomically: a process that finds the file finds it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        with sqlite3.connect(tmp) as db:
            db.execute("CREATE TABLE forms (form TEXT, lemma TEXT, gender TEXT, cell INT, alt INT, tab TEXT)")
            db.executemany("INSERT INTO forms VALUES (?, ?, ?, ?, ?, ?)", _rows())
            db.execute("CREATE INDEX by_form ON forms (form)")
            db.execute("CREATE INDEX by_tab ON forms (tab)")
        os.chmod(tmp, 0o644)  # built by root in an image, read by the service's own user
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def ensure_index() -> Path | None:
    """The index's path, built first if missing (2-3 s); None without the package or where it cannot be
    written (a read-only prefix: German keeps simplemma's rules)."""
    path = _index_path()
    if path is None:
        return None
    with _lock:
        if not path.exists():
            log.info("building the German noun index at %s (once)", path)
            try:
                build_index(path)
            except OSError as exc:
                log.warning("cannot build the German noun index at %s: %s", path, exc)
                return None
    return path


@lru_cache(maxsize=1)
def _connection() -> sqlite3.Connection | None:
    path = ensure_index()
    return (
        None if path is None else sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    )


def available() -> bool:
    """Are the tables at hand (the package installed, its index built)?"""
    return _connection() is not None


@lru_cache(maxsize=50_000)
def declensions(word: str) -> tuple[Declension, ...]:
    """The tables that hold `word` as one of their forms, its own first (`Haus` is Haus's before it is the
    genitive of `Hau`), exact spelling."""
    db = _connection()
    if db is None or not word:
        return ()
    with _lock:
        tabs = [t for (t,) in db.execute("SELECT DISTINCT tab FROM forms WHERE form = ?", (word,))]
        found = [_table(db, tab) for tab in tabs[:6]]
    return tuple(sorted(found, key=lambda d: (d.lemma != word, word not in d.cells[0])))


def _table(db: sqlite3.Connection, tab: str) -> Declension:
    rows = db.execute("SELECT form, lemma, gender, cell, alt FROM forms WHERE tab = ? ORDER BY rowid", (tab,))
    found = rows.fetchall()
    cells: list[list[str]] = [[] for _ in CELLS]
    variants: list[list[str]] = [[] for _ in CELLS]
    for form, _, _, cell, alt in found:
        into = variants[cell] if alt else cells[cell]
        if form not in into:
            into.append(form)
    lemma, gender = found[0][1], found[0][2]
    return Declension(lemma, gender, tuple(map(tuple, cells)), tuple(map(tuple, variants)))
