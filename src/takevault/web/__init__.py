"""The web gallery and review room: a FastAPI app over the same `Vault` calls the CLI makes."""

from __future__ import annotations

from takevault.web.app import create_app

__all__ = ["create_app"]
