"""Vault settings, declared once: `takevault.toml` in the vault folder, overridden by TAKEVAULT_* variables.

Each `Setting` names its TOML key, its environment variable, its default and its
help; `takevault init --help`, the README table and validation all read `SETTINGS`.
"""

from __future__ import annotations

import getpass
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from takevault.errors import ConfigError

CONFIG_NAME = "takevault.toml"
VAULT_ENV = "TAKEVAULT_VAULT"
DEFAULT_CATALOG = "sqlite:///catalog.db"
DEFAULT_STORE = "file://store"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str
    kind: Any = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "catalog",
        "TAKEVAULT_CATALOG",
        DEFAULT_CATALOG,
        "SQLAlchemy URL of the catalog: sqlite:///FILE (relative to the vault) or postgresql+psycopg://USER@HOST/DB.",
    ),
    Setting(
        "store",
        "TAKEVAULT_STORE",
        DEFAULT_STORE,
        "Where versions live: file://PATH (relative to the vault) or s3://bucket/prefix.",
    ),
    Setting(
        "s3.endpoint_url",
        "TAKEVAULT_ENDPOINT_URL",
        None,
        "S3 endpoint for non-AWS servers (MinIO, SeaweedFS, Ceph), e.g. http://127.0.0.1:8333.",
    ),
    Setting("s3.region", "TAKEVAULT_REGION", None, "S3 region; the AWS default chain applies when unset."),
    Setting(
        "user", "TAKEVAULT_USER", None, "Name recorded as uploader and in the event log; defaults to the login name."
    ),
    Setting(
        "web.token",
        "TAKEVAULT_TOKEN",
        None,
        "Token every web API request must carry; required when serving on a non-loopback address.",
    ),
    Setting(
        "web.allowed_hosts",
        "TAKEVAULT_ALLOWED_HOSTS",
        None,
        "Host names a token-less server also answers to besides loopback (a list, or comma-separated), "
        "e.g. the machine's name behind a reverse proxy; other names are refused against DNS rebinding.",
        lambda v: ",".join(v) if isinstance(v, (list, tuple)) else str(v),
    ),
    Setting(
        "web.max_upload_mb",
        "TAKEVAULT_MAX_UPLOAD_MB",
        20480,
        "Largest upload the web server accepts, in MiB; larger ones are refused before they fill the disk.",
        int,
    ),
    Setting(
        "jobs.workers",
        "TAKEVAULT_JOB_WORKERS",
        2,
        "Worker processes 'takevault serve' runs itself for long work (compare, proxies); 0 leaves it "
        "to 'takevault worker' processes.",
        int,
    ),
    Setting(
        "jobs.stale_seconds",
        "TAKEVAULT_JOB_STALE_SECONDS",
        60,
        "A running job whose worker gave no sign of life for this many seconds is taken back and run again.",
        int,
    ),
    Setting(
        "jobs.keep_days",
        "TAKEVAULT_JOB_KEEP_DAYS",
        30,
        "Finished job rows (done, failed, cancelled) older than this many days are deleted by the workers, "
        "at most once an hour; 0 keeps them all. Queued and running jobs are never deleted.",
        int,
    ),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class VaultConfig:
    """The resolved settings of one vault (paths absolute, env applied)."""

    root: Path
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name, SETTINGS_BY_NAME[name].default)

    @property
    def catalog_url(self) -> str:
        return resolve_catalog_url(self.get("catalog"), self.root)

    @property
    def store_url(self) -> str:
        return str(self.get("store"))

    @property
    def endpoint_url(self) -> str | None:
        return self.get("s3.endpoint_url")

    @property
    def region(self) -> str | None:
        return self.get("s3.region")

    @property
    def user(self) -> str:
        configured = self.get("user")
        if configured:
            return str(configured)
        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name in some containers
            return "unknown"


def resolve_catalog_url(url: str, root: Path) -> str:
    """Make a relative SQLite path relative to the vault folder, not the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        rel = url[len(prefix) :]
        return prefix + str((root / rel).resolve())
    return url


def _flatten(data: dict[str, Any], parent: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{parent}.{key}" if parent else key
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            flat[name] = value
    return flat


def find_vault_root(explicit: Path | str | None = None, start: Path | None = None) -> Path:
    """`--vault`, else TAKEVAULT_VAULT, else the nearest folder upward holding takevault.toml."""
    if explicit is None:
        explicit = os.environ.get(VAULT_ENV) or None
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise ConfigError(f"{root} is not a takevault vault (no {CONFIG_NAME}); run 'takevault init {root}' first.")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        f"No vault found in {here} or above; run 'takevault init' here, or pass --vault PATH or set {VAULT_ENV}."
    )


def load_config(root: Path) -> VaultConfig:
    """Read `root/takevault.toml`, check its names, then apply TAKEVAULT_* overrides."""
    path = root / CONFIG_NAME
    try:
        with path.open("rb") as fh:
            raw = _flatten(tomllib.load(fh))
    except FileNotFoundError:
        raise ConfigError(f"{root} has no {CONFIG_NAME}; run 'takevault init {root}' first.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}); fix the file or run 'takevault init' in a new folder."
        ) from None
    unknown = sorted(set(raw) - set(SETTINGS_BY_NAME))
    if unknown:
        known = ", ".join(s.name for s in SETTINGS)
        raise ConfigError(f"{path} has unknown setting(s) {', '.join(unknown)}; known settings are {known}.")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = os.environ.get(setting.env) or raw.get(setting.name)
        if value is None:
            continue
        try:
            values[setting.name] = setting.kind(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"Setting {setting.name} = {value!r} is not a valid {setting.kind.__name__}; {setting.help}"
            ) from None
    return VaultConfig(root=root, values=values)


def write_config(root: Path, values: dict[str, Any]) -> Path:
    """Write a new takevault.toml holding only the given settings (top-level first, then tables)."""
    top: dict[str, Any] = {}
    tables: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name not in SETTINGS_BY_NAME:
            raise ConfigError(f"Unknown setting {name!r}.")
        if "." in name:
            table, key = name.split(".", 1)
            tables.setdefault(table, {})[key] = value
        else:
            top[name] = value

    def fmt(value: Any) -> str:
        return str(value) if isinstance(value, int) else json.dumps(str(value))

    lines = ["# takevault vault settings; see 'takevault init --help'."]
    lines += [f"{k} = {fmt(v)}" for k, v in top.items()]
    for table, items in tables.items():
        lines += ["", f"[{table}]"] + [f"{k} = {fmt(v)}" for k, v in items.items()]
    path = root / CONFIG_NAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
