"""`takevault store …`: the versioned store by object key (enable-versioning, status, upload, versions, get)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from takevault.cli import context, ui
from takevault.models import ObjectVersion

store_app = typer.Typer(
    name="store",
    help="Work with the versioned store directly, by object key.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _version_fields(version: ObjectVersion) -> list[tuple[str, object]]:
    return [
        ("key", version.key),
        ("version id", version.version_id),
        ("size", version.size),
        ("sha256", version.sha256),
        ("time", version.last_modified.isoformat(timespec="seconds")),
    ]


@store_app.command("enable-versioning")
def enable_versioning(
    ctx: typer.Context,
    create_bucket: Annotated[
        bool, typer.Option("--create-bucket", help="Create the bucket (or local store folder) if it does not exist.")
    ] = False,
) -> None:
    """Turn versioning on, so every upload becomes a new version and nothing is overwritten."""
    vault = context.vault(ctx)
    status = vault.store_enable_versioning(create_bucket=create_bucket)
    ui.info(f"Versioning is {status} on {vault.store.url}")


@store_app.command("status")
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show where the store is and whether versioning is on."""
    info = context.vault(ctx).store_status()
    if as_json:
        ui.print_json(info)
        return
    ui.fields([(name.replace("_", " "), value) for name, value in info.items() if value is not None])


@store_app.command("upload")
def upload(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to store.")],
    key: Annotated[str, typer.Argument(help="Object key, e.g. project/SH010/video_01.mp4.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the new version as JSON.")] = False,
) -> None:
    """Store FILE as a new version of KEY and print its version id, size, sha256 and time."""
    vault = context.vault(ctx)
    total = None
    with contextlib.suppress(OSError):
        total = file.stat().st_size
    with ui.progress_bytes(f"Uploading {file.name}", total) as advance:
        version = vault.store_upload(file, key, progress=advance)
    if as_json:
        ui.print_json(version.to_json())
    else:
        ui.fields(_version_fields(version))


@store_app.command("versions")
def versions(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Object key.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every version and delete marker of KEY, newest first."""
    found = context.vault(ctx).store_versions(key)
    if as_json:
        ui.print_json([v.to_json() for v in found])
        return
    if not found:
        ui.info(f"No versions of {key!r} in the store.")
        return
    rows = [
        (
            v.version_id,
            "yes" if v.is_latest else "",
            "delete marker" if v.is_delete_marker else v.size,
            (v.sha256 or "")[:16],
            v.last_modified.isoformat(timespec="seconds"),
        )
        for v in found
    ]
    ui.table(f"Versions of {key}", ["version id", "latest", "size", "sha256", "time"], rows)


@store_app.command("get")
def get(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Object key.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write (a folder keeps the key's name).")],
    version_id: Annotated[
        str | None, typer.Option("--version-id", help="The version to fetch; the latest when omitted.")
    ] = None,
) -> None:
    """Write one version of KEY to a file, byte-exact and checked against its sha256."""
    vault = context.vault(ctx)
    with ui.progress_bytes(f"Fetching {key}", None) as advance:
        version = vault.store_get(key, output, version_id=version_id, progress=advance)
    ui.info(f"Wrote version {version.version_id} of {key} ({version.size} bytes, sha256 verified)")


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
