"""Read and write AIMMS projects: `data/shots.db` (tables `shots`, `takes`, `meta`, …) and `media/<shot_id>/`.

AIMMS (a storyboard and take manager for AI films) keeps one row per file in
`takes`: a `final_video` row for `media/<shot_id>/video_NN.mp4` and a
`video_workflow` row for its ComfyUI workflow PNG `video_NN.png`, paired by the
file stem. `starred` marks the picked take; `shots.order_number` orders the
edit and `shots.section` groups it. This module turns such a project into plain
records (listing every row it could not use, never stopping at the first) and
writes the same layout back.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from takevault.errors import InvalidInputError

DB_PATH = Path("data") / "shots.db"
KNOWN_SCHEMA_MAJOR = "1"
VIDEO_TYPE = "final_video"
WORKFLOW_TYPE = "video_workflow"

SHOT_COLUMNS = (
    "shot_id",
    "order_number",
    "shot_name",
    "section",
    "description",
    "image_prompt",
    "colour_scheme_image",
    "time_of_day",
    "location",
    "country",
    "year",
    "video_prompt",
    "created_date",
)
TAKE_COLUMNS = ("take_id", "shot_id", "take_type", "file_path", "starred", "created_date")
REQUIRED = {"shots": ("shot_id", "shot_name"), "takes": ("shot_id", "take_type", "file_path")}

_NOW = "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now', 'utc'))"
SCHEMA_SQL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE shots (
    shot_id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number INTEGER,
    shot_name TEXT,
    section TEXT,
    description TEXT,
    image_prompt TEXT,
    colour_scheme_image TEXT,
    time_of_day TEXT,
    location TEXT,
    country TEXT,
    year TEXT,
    video_prompt TEXT,
    created_date TEXT DEFAULT {_NOW}
);
CREATE TABLE takes (
    take_id TEXT PRIMARY KEY,
    shot_id INTEGER,
    take_type TEXT,
    file_path TEXT,
    starred INTEGER DEFAULT 0,
    created_date TEXT DEFAULT {_NOW},
    FOREIGN KEY (shot_id) REFERENCES shots(shot_id)
);
CREATE TABLE assets (
    id_key TEXT PRIMARY KEY,
    asset_name TEXT,
    asset_type TEXT,
    file_path TEXT,
    starred INTEGER DEFAULT 0,
    created_date TEXT DEFAULT {_NOW}
);
CREATE TABLE deleted_shots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    old_shot_id INTEGER NOT NULL,
    shot_name TEXT,
    created_date TEXT DEFAULT {_NOW}
);
CREATE INDEX idx_shots_order ON shots(order_number);
CREATE INDEX idx_shots_section ON shots(section);
CREATE INDEX idx_shots_shot_name ON shots(shot_name);
CREATE INDEX idx_takes_shot_id ON takes(shot_id);
CREATE INDEX idx_takes_shot_type ON takes(shot_id, take_type);
CREATE INDEX idx_takes_starred ON takes(starred);
CREATE INDEX idx_takes_type ON takes(take_type);
CREATE INDEX idx_deleted_shots_old_id ON deleted_shots(old_shot_id);
"""


@dataclass
class AimmsShot:
    """One `shots` row; `row` keeps every column as read, known or not."""

    shot_id: int
    shot_name: str
    order_number: int | None
    section: str | None
    description: str | None
    row: dict[str, Any]


@dataclass
class AimmsTake:
    """A video file and its workflow PNG, paired by stem, with both `takes` rows."""

    shot_id: int
    stem: str
    video: Path
    video_row: dict[str, Any]
    png: Path | None = None
    png_row: dict[str, Any] | None = None

    @property
    def starred(self) -> bool:
        return bool(_as_int(self.video_row.get("starred")))

    @property
    def created_date(self) -> str | None:
        return self.video_row.get("created_date")


@dataclass
class AimmsProject:
    """Everything read from one AIMMS project, plus each problem found on the way."""

    root: Path
    schema_version: str | None
    meta: dict[str, str | None]
    shots: list[AimmsShot]
    takes: list[AimmsTake]
    extra_tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def takes_of(self, shot_id: int) -> list[AimmsTake]:
        return [t for t in self.takes if t.shot_id == shot_id]


# -- reading ------------------------------------------------------------------


def read_project(root: Path | str) -> AimmsProject:
    """Read an AIMMS project folder; rows that cannot be used are listed in `problems`, not fatal."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise InvalidInputError(f"{root} is not a folder; give import-aimms the AIMMS project folder (it holds data/).")
    db = root / DB_PATH
    if not db.is_file():
        raise InvalidInputError(
            f"{root} has no {DB_PATH.as_posix()}, so it is not an AIMMS project; give the folder that holds data/ "
            "and media/."
        )
    with _connect_ro(db) as conn:
        tables = _tables(conn, db)
        meta = _read_meta(conn) if "meta" in tables else {}
        version = meta.get("schema_version")
        _check_columns(conn, tables, version)
        problems: list[str] = []
        if version is not None and str(version).split(".")[0] != KNOWN_SCHEMA_MAJOR:
            problems.append(
                f"shots.db says schema version {version}, takevault knows version {KNOWN_SCHEMA_MAJOR}.x; "
                "the columns it knows were imported, check the result."
            )
        shots = _read_shots(conn)
        take_rows = _rows(conn, "takes")
        extra: dict[str, list[dict[str, Any]]] = {t: _rows(conn, t) for t in ("assets", "deleted_shots") if t in tables}
    takes = _pair_takes(root, take_rows, {s.shot_id: s for s in shots}, problems)
    _check_stars(takes, {s.shot_id: s for s in shots}, problems)
    return AimmsProject(root, version, meta, shots, takes, extra, problems)


@contextlib.contextmanager
def _connect_ro(db: Path) -> Iterator[sqlite3.Connection]:
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InvalidInputError(f"Cannot open {db} ({exc}); check the file and its permissions.") from exc
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection, db: Path) -> set[str]:
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(
            f"{db} is not an SQLite database ({exc}); point import-aimms at an AIMMS project."
        ) from exc


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _check_columns(conn: sqlite3.Connection, tables: set[str], version: str | None) -> None:
    missing: list[str] = []
    for table, needed in REQUIRED.items():
        if table not in tables:
            missing.append(f"table {table}")
            continue
        have = set(_columns(conn, table))
        missing += [f"{table}.{c}" for c in needed if c not in have]
    if missing:
        shown = f"schema version {version}" if version else "an unknown schema version"
        raise InvalidInputError(
            f"This shots.db ({shown}) lacks {', '.join(missing)}, which import-aimms needs; open the project in "
            "AIMMS 1.x once to upgrade it, then import again."
        )


def _rows(conn: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(f'SELECT * FROM "{table}"')]


def _read_meta(conn: sqlite3.Connection) -> dict[str, str | None]:
    cols = _columns(conn, "meta")
    if "key" not in cols or "value" not in cols:
        return {}
    return {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}


def _read_shots(conn: sqlite3.Connection) -> list[AimmsShot]:
    shots = []
    for row in _rows(conn, "shots"):
        shots.append(
            AimmsShot(
                shot_id=int(row["shot_id"]),
                shot_name=str(row.get("shot_name") or f"shot_{row['shot_id']}"),
                order_number=_as_int(row.get("order_number")),
                section=row.get("section") or None,
                description=row.get("description") or None,
                row=row,
            )
        )
    # AIMMS orders the edit by order_number; shots without one follow, by id.
    shots.sort(key=lambda s: (s.order_number is None, s.order_number or 0, s.shot_id))
    return shots


def _as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stem(file_path: str) -> tuple[str, str]:
    """(stem, suffix) of a stored path, whichever OS wrote it."""
    pure = PureWindowsPath(file_path) if "\\" in file_path else PurePosixPath(file_path)
    return pure.stem, pure.suffix.lower()


def _locate(root: Path, file_path: str, shot_id: int) -> Path | None:
    """Find a take's file: as written (relative to the project, or absolute), else under media/<shot_id>/."""
    if not file_path:
        return None
    name = PureWindowsPath(file_path).name if "\\" in file_path else PurePosixPath(file_path).name
    candidates = [Path(file_path), root / file_path.replace("\\", "/"), root / "media" / str(shot_id) / name]
    for candidate in candidates:
        with contextlib.suppress(OSError):
            if candidate.is_file():
                return candidate
    return None


def _pair_takes(
    root: Path, rows: list[dict[str, Any]], shots: dict[int, AimmsShot], problems: list[str]
) -> list[AimmsTake]:
    videos: dict[tuple[int, str], AimmsTake] = {}
    pngs: dict[tuple[int, str], tuple[Path | None, dict[str, Any]]] = {}
    for row in rows:
        take_id = row.get("take_id")
        shot_id = _as_int(row.get("shot_id"))
        kind = row.get("take_type")
        file_path = str(row.get("file_path") or "")
        label = f"take {take_id} ({file_path or 'no file'})"
        if shot_id is None or shot_id not in shots:
            problems.append(
                f"{label} belongs to shot id {row.get('shot_id')}, which is not in the shots table; skipped."
            )
            continue
        shot_name = shots[shot_id].shot_name
        if kind not in (VIDEO_TYPE, WORKFLOW_TYPE):
            problems.append(
                f"{label} of shot {shot_name} has take_type {kind!r}; only final_video and video_workflow are imported."
            )
            continue
        stem, _suffix = _stem(file_path)
        found = _locate(root, file_path, shot_id)
        if kind == WORKFLOW_TYPE:
            if found is None:
                problems.append(
                    f"{label} of shot {shot_name}: the workflow PNG is missing; the video is imported without it."
                )
            pngs[(shot_id, stem)] = (found, row)
            continue
        if found is None:
            problems.append(f"{label} of shot {shot_name}: the video file is missing; skipped.")
            continue
        if (shot_id, stem) in videos:
            problems.append(f"{label} of shot {shot_name} repeats video {stem}; only the first row was imported.")
            continue
        videos[(shot_id, stem)] = AimmsTake(shot_id, stem, found, row)
    for key, (path, row) in pngs.items():
        take = videos.get(key)
        if take is None:
            if path is not None:
                problems.append(
                    f"workflow PNG {row.get('file_path')} of shot {shots[key[0]].shot_name} has no final_video "
                    f"named {key[1]}; skipped."
                )
            continue
        take.png, take.png_row = path, row
    order = {s.shot_id: i for i, s in enumerate(sorted(shots.values(), key=_shot_sort))}
    return sorted(videos.values(), key=lambda t: (order[t.shot_id], _natural(t.stem)))


def _shot_sort(s: AimmsShot) -> tuple[bool, int, int]:
    return (s.order_number is None, s.order_number or 0, s.shot_id)


def _natural(stem: str) -> tuple[str, int]:
    head = stem.rstrip("0123456789")
    tail = stem[len(head) :]
    return (head, int(tail) if tail else -1)


def _check_stars(takes: list[AimmsTake], shots: dict[int, AimmsShot], problems: list[str]) -> None:
    """Takevault stars one take per shot; when AIMMS starred several, keep the newest and say so."""
    by_shot: dict[int, list[AimmsTake]] = {}
    for take in takes:
        if take.starred:
            by_shot.setdefault(take.shot_id, []).append(take)
    for shot_id, starred in by_shot.items():
        if len(starred) < 2:
            continue
        keep = max(starred, key=lambda t: (t.created_date or "", _natural(t.stem)))
        for take in starred:
            if take is not keep:
                take.video_row = {**take.video_row, "starred": 0}
        names = ", ".join(t.stem for t in starred)
        problems.append(
            f"shot {shots[shot_id].shot_name} has {len(starred)} starred takes ({names}); takevault stars one per "
            f"shot, so {keep.stem} (the newest) is starred."
        )


def starred_take(project: AimmsProject, shot_id: int) -> AimmsTake | None:
    return next((t for t in project.takes_of(shot_id) if t.starred), None)


# -- writing ------------------------------------------------------------------


def create_database(dest: Path, meta: dict[str, str | None]) -> sqlite3.Connection:
    """A new, empty `data/shots.db` with the AIMMS tables; the caller inserts rows and commits."""
    db = dest / DB_PATH
    if db.exists():
        raise InvalidInputError(f"{db} already exists; export-aimms writes a new project, so pick an empty folder.")
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA_SQL)
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
    return conn


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    """Insert the columns the table has; columns it lacks (from another schema version) are dropped."""
    have = set(_columns(conn, table))
    cols = [c for c in row if c in have]
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [row[c] for c in cols])


def media_path(shot_id: int, stem: str, suffix: str) -> str:
    """Where AIMMS keeps a take's file, relative to the project, with forward slashes."""
    return f"media/{shot_id}/{stem}{suffix}"
