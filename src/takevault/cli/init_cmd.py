"""`takevault init`: make a vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from takevault.cli import ui
from takevault.config import SETTINGS_BY_NAME


def init(
    path: Annotated[Path, typer.Argument(help="Folder for the new vault (created if missing).")] = Path("."),
    catalog: Annotated[str | None, typer.Option("--catalog", help=SETTINGS_BY_NAME["catalog"].help)] = None,
    store: Annotated[str | None, typer.Option("--store", help=SETTINGS_BY_NAME["store"].help)] = None,
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help=SETTINGS_BY_NAME["s3.endpoint_url"].help)
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help=SETTINGS_BY_NAME["s3.region"].help)] = None,
    enable_versioning: Annotated[
        bool, typer.Option("--enable-versioning", help="Turn versioning on if the S3 bucket has it off.")
    ] = False,
    create_bucket: Annotated[
        bool, typer.Option("--create-bucket", help="Create the S3 bucket (with versioning on) if it does not exist.")
    ] = False,
) -> None:
    """Make a vault: SQLite catalog and local versioned store inside PATH unless told otherwise."""
    from takevault.vault import Vault

    with Vault.init(
        path,
        catalog=catalog,
        store=store,
        endpoint_url=endpoint_url,
        region=region,
        enable_versioning=enable_versioning,
        create_bucket=create_bucket,
    ) as vault:
        ui.info(f"Initialised a takevault vault in {vault.root}")
        ui.fields([("catalog", vault.config.get("catalog")), ("store", vault.config.store_url)])


def register(app: typer.Typer) -> None:
    app.command("init")(init)
