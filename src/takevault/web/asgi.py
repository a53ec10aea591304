"""The app of one server process when `takevault serve --workers N` runs several of them.

uvicorn starts each process from an import string, so the settings the command
was given travel in environment variables; every process then opens the vault
itself (one catalog engine and one store client each) and serves the same vault.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from takevault.heap import freeze_startup_objects
from takevault.web.app import create_app

ENV_VAULT = "TAKEVAULT_SERVE_VAULT"
ENV_PROJECT = "TAKEVAULT_SERVE_PROJECT"
ENV_TOKEN = "TAKEVAULT_SERVE_TOKEN"
ENV_JOB_WORKERS = "TAKEVAULT_SERVE_JOB_WORKERS"


def app_from_env() -> FastAPI:
    jobs = os.environ.get(ENV_JOB_WORKERS)
    app = create_app(
        os.environ.get(ENV_VAULT) or None,
        token=os.environ.get(ENV_TOKEN) or None,
        project=os.environ.get(ENV_PROJECT) or "main",
        job_workers=int(jobs) if jobs else None,
    )
    freeze_startup_objects()  # this server process is up: keep its start-up objects out of GC walks
    return app
