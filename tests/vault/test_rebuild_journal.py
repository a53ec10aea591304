"""A lost catalog comes back whole from the store's journal: every listing shows what it showed before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.vault import Vault
from tests.vault.takes_helpers import make_take_clips
from tests.vault.trust_helpers import every_kind_of_change, init_args, listings, make_cli, ok


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_take_clips(tmp_path_factory.mktemp("rebuild_clips"))


def _drop_catalog(vault_dir: Path, pg_url: str | None) -> None:
    if pg_url is None:
        for name in ("catalog.db", "catalog.db-wal", "catalog.db-shm"):
            (vault_dir / name).unlink(missing_ok=True)
        return
    import sqlalchemy as sa

    # A lost catalog: the whole schema (tables, trigger functions) gone, an empty one in its place.
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()


def _rebuild_and_compare(run, vault_dir: Path, clips, tmp_path: Path, pg_url: str | None) -> None:
    every_kind_of_change(run, clips, tmp_path / "work")
    before = listings(run)
    assert before["log"] and before["deleted"] and any(t["starred"] for t in before["takes"])
    _drop_catalog(vault_dir, pg_url)
    report = json.loads(ok(run, "catalog", "rebuild", "--json"))
    assert report["journal_entries"] > 0 and report["skipped"] == []
    after = listings(run)
    assert after == before
    # The rebuilt catalog keeps working: the next change goes on from there, and fsck is clean.
    ok(run, "replace", "SH010/video_01", str(clips["b"]))
    ok(run, "shot", "add", "SH040", "--section", "SEQ02")
    code, out, err = run("fsck")
    assert code == 0, out + err


def test_rebuild_restores_every_listing_on_sqlite_and_local(clips, tmp_path: Path, capsys) -> None:
    vault_dir = tmp_path / "vault"
    assert main(init_args(vault_dir)) == 0
    capsys.readouterr()
    _rebuild_and_compare(make_cli(vault_dir, capsys), vault_dir, clips, tmp_path, None)


@pytest.mark.postgres
@pytest.mark.s3
@pytest.mark.slow  # every command over servers; the SQLite/local variant above stays in the default run
def test_rebuild_restores_every_listing_on_postgres_and_seaweedfs(
    clips, tmp_path: Path, capsys, pg_url: str, seaweedfs_target
) -> None:
    seaweedfs_target.create_bucket()
    vault_dir = tmp_path / "vault"
    store = f"s3://{seaweedfs_target.bucket}/vault"
    assert main(init_args(vault_dir, pg_url, store, seaweedfs_target.endpoint_url)) == 0
    capsys.readouterr()
    _rebuild_and_compare(make_cli(vault_dir, capsys), vault_dir, clips, tmp_path, pg_url)


def test_rebuild_into_a_catalog_that_is_not_empty_is_refused_unless_forced(clips, tmp_path: Path, capsys) -> None:
    vault_dir = tmp_path / "vault"
    assert main(init_args(vault_dir)) == 0
    run = make_cli(vault_dir, capsys)
    ok(run, "shot", "add", "SH010")
    ok(run, "add", str(clips["a"]), "--shot", "SH010", "--note", "kept")
    before = listings(run)
    code, _, err = run("catalog", "rebuild")
    assert code != 0 and "not empty" in err and "--force" in err and "Traceback" not in err
    assert listings(run) == before
    # A rebuild asked for as a job (the web, the API) is refused in words that name the job's
    # argument, not a CLI flag.
    with Vault.open(vault_dir) as vault:
        job = vault.run_job("rebuild", {})
        assert job.state == "failed" and job.error is not None
        assert "not empty" in job.error and '"force": true' in job.error
        assert "--force" not in job.error and "takevault" not in job.error
    assert listings(run) == before
    report = json.loads(ok(run, "catalog", "rebuild", "--force", "--json"))
    aside = Path(report["kept_aside"])
    assert aside.exists() and aside.parent == vault_dir
    assert listings(run) == before
    # The copy kept aside is a whole catalog: open it as one.
    with Vault.open(vault_dir) as vault:
        import sqlalchemy as sa

        engine = sa.create_engine(f"sqlite:///{aside}")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT note FROM takes").scalar() == "kept"
        engine.dispose()
        assert vault.fsck().ok


def test_a_change_the_catalog_refused_never_comes_back(clips, tmp_path: Path, capsys) -> None:
    vault_dir = tmp_path / "vault"
    assert main(init_args(vault_dir)) == 0
    run = make_cli(vault_dir, capsys)
    ok(run, "shot", "add", "SH010")
    assert run("shot", "add", "SH010")[0] != 0  # refused: already exists
    assert run("add", str(clips["a"]), "--shot", "SH999")[0] != 0
    before = listings(run)
    _drop_catalog(vault_dir, None)
    ok(run, "catalog", "rebuild")
    assert listings(run) == before


@pytest.mark.postgres
def test_rebuild_force_on_postgres_keeps_the_old_catalog_in_a_schema_of_its_own(
    clips, tmp_path, capsys, pg_url
) -> None:
    import sqlalchemy as sa

    vault_dir = tmp_path / "vault"
    assert main(init_args(vault_dir, pg_url)) == 0
    run = make_cli(vault_dir, capsys)
    ok(run, "shot", "add", "SH010")
    ok(run, "add", str(clips["a"]), "--shot", "SH010", "--note", "kept")
    before = listings(run)
    assert run("catalog", "rebuild")[0] != 0
    report = json.loads(ok(run, "catalog", "rebuild", "--force", "--json"))
    schema = report["kept_aside"].split()[-1]
    assert listings(run) == before
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(f'SELECT note FROM "{schema}".takes').scalar() == "kept"
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        engine.dispose()
    ok(run, "add", str(clips["b"]), "--shot", "SH010")
    assert run("fsck")[0] == 0


def test_a_many_row_insert_is_journaled_row_by_row(tmp_path: Path) -> None:
    import datetime as dt

    from takevault.catalog.journal import parse
    from takevault.catalog.rows import NewEvent

    with Vault.init(tmp_path / "v") as vault:
        project = vault.catalog.ensure_project("main")
        entries: list[dict] = []
        vault.catalog.journal_sink = lambda seq, payload: entries.append(parse(payload))
        log = [NewEvent(project_id=project.id, at=dt.datetime.now(dt.UTC), user="u", action="note") for _ in range(3)]
        vault.catalog.insert_events(log)
        assert len(entries) == 1 and len(entries[0]["rows"]["events"]) == 3
