"""fsck tells the truth: clean after every ordinary command, each leftover named with one safe fix,
and `fsck --repair` fixes what it safely can without deleting a version's bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.catalog.journal import journal_key
from takevault.cli.app import main
from takevault.errors import StoreUnreachableError
from takevault.vault import Vault, lookup
from tests.media.workflows import comfy_png
from tests.vault.takes_helpers import make_take_clips
from tests.vault.trust_helpers import every_kind_of_change, init_args, listings, make_cli, ok


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_take_clips(tmp_path_factory.mktemp("fsck_clips"))


def _fsck_json(run) -> tuple[int, dict]:
    code, out, err = run("fsck", "--json")
    assert "Traceback" not in err
    return code, json.loads(out)


def test_every_command_leaves_a_clean_vault_on_sqlite_and_local(clips, tmp_path: Path, capsys) -> None:
    vault_dir = tmp_path / "vault"
    assert main(init_args(vault_dir)) == 0
    run = make_cli(vault_dir, capsys)

    def clean(after: str) -> None:
        code, report = _fsck_json(run)
        assert code == 0 and report["problems"] == [], (after, report["problems"])

    every_kind_of_change(run, clips, tmp_path / "work", after_each=clean)
    code, report = _fsck_json(run)
    assert code == 0
    # Older PNG versions are history, listed as such and not as problems.
    assert {n["kind"] for n in report["notes"]} == {"png_history"}
    assert all(n["take"] for n in report["notes"])


@pytest.mark.postgres
@pytest.mark.s3
@pytest.mark.slow  # every command over servers; the SQLite/local variant above stays in the default run
def test_every_command_leaves_a_clean_vault_on_postgres_and_seaweedfs(
    clips, tmp_path: Path, capsys, pg_url: str, seaweedfs_target
) -> None:
    seaweedfs_target.create_bucket()
    vault_dir = tmp_path / "vault"
    store = f"s3://{seaweedfs_target.bucket}/vault"
    assert main(init_args(vault_dir, pg_url, store, seaweedfs_target.endpoint_url)) == 0
    run = make_cli(vault_dir, capsys)
    every_kind_of_change(run, clips, tmp_path / "work")
    code, report = _fsck_json(run)
    assert code == 0 and report["problems"] == [], report["problems"]


@pytest.fixture
def small(tmp_path: Path, clips):
    """A vault with one take of two versions and a workflow PNG, through the API."""
    with Vault.init(tmp_path / "v") as vault:
        vault.add_shot("SH010")
        take = vault.add(clips["a"], shot="SH010", workflow_png=comfy_png(tmp_path / "w.png", seed=3))
        vault.replace(take.ref, clips["b"])
        assert vault.fsck().ok
        yield vault


def test_a_journal_entry_a_crash_kept_out_of_the_store_is_found_and_written(small, clips, tmp_path) -> None:
    sink = small.catalog.journal_sink
    small.catalog.journal_sink = None  # the process died right after COMMIT
    small.set("SH010/video_01", note="committed just before the crash")
    small.catalog.journal_sink = sink
    problems = small.fsck().problems
    assert [p.kind for p in problems] == ["journal_gap"] and "--repair" in problems[0].message
    fixed = small.fsck(repair=True)
    assert fixed.ok and fixed.repaired
    (tmp_path / "v" / "catalog.db").unlink()
    small.close()
    with Vault.open(tmp_path / "v") as vault:
        vault.rebuild_catalog()
        assert vault.take("SH010/video_01").note == "committed just before the crash"


def test_a_delete_marker_an_interrupted_delete_left_is_removed(small) -> None:
    take = small.take("SH010/video_01")
    small.store.delete(take.key)  # the delete died before its catalog row
    problems = small.fsck().problems
    assert [(p.kind, p.take_ref) for p in problems] == [("deleted_mismatch", f"{take.ref}@v2")]
    assert small.fsck(repair=True).ok
    assert small.store.head(take.key).version_id == take.current.version_id
    assert not small.take(take.ref).deleted


def test_the_marker_an_interrupted_restore_uploaded_over_is_put_back(small) -> None:
    take = small.delete("SH010/video_01")
    small.store.restore(take.key, take.current.version_id)  # the restore died before its catalog row
    kinds = sorted(p.kind for p in small.fsck().problems)
    assert kinds == ["deleted_mismatch", "interrupted_upload"]
    fixed = small.fsck(repair=True)
    assert fixed.ok, fixed.problems
    assert small.take(take.ref).deleted
    assert small.store.head(take.key, take.current.version_id).sha256 == take.current.sha256  # bytes kept


def test_staged_files_are_found_and_removed(small, tmp_path) -> None:
    staged = tmp_path / "v" / "store" / "tmp" / "upload-deadbeef"
    staged.write_bytes(b"x" * 1000)
    problems = small.fsck().problems
    assert [p.kind for p in problems] == ["staged_upload"] and "1,000 bytes" in problems[0].message
    assert small.fsck(repair=True).ok
    assert not staged.exists()


def test_a_staged_file_of_an_upload_in_flight_is_left_alone(small, tmp_path) -> None:
    import fcntl
    import os

    staged = tmp_path / "v" / "store" / "tmp" / "upload-inflight"
    staged.write_bytes(b"y")
    fd = os.open(tmp_path / "v" / "store" / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_SH)  # what a running put holds
    try:
        report = small.fsck(repair=True)
        assert staged.exists() and any("may still be running" in line for line in report.repaired)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def test_a_purge_that_stopped_half_way_is_named_and_its_bytes_kept(small) -> None:
    take = small.take("SH010/video_01")
    # Catalog first, then the store: the process died before removing any version.
    small.catalog.purge_take(take.id, lookup.event(small, "purge", take, versions=2))
    problems = small.fsck().problems
    assert {p.kind for p in problems} == {"purge_leftover"}
    assert all(p.take_ref == take.ref and "never deletes bytes" in p.message for p in problems)
    assert small.fsck(repair=True).ok
    assert small.store.head(take.key, take.current.version_id).sha256 == take.current.sha256


def test_a_png_whose_recorded_version_is_gone_is_relinked_to_a_committed_one(small, tmp_path) -> None:
    take = small.take("SH010/video_01")
    small.pngs.attach(f"{take.ref}@v2", comfy_png(tmp_path / "again.png", seed=11))
    current = small.take(take.ref).current.png
    small.store.delete_version(current.key, current.version_id)  # lost by hand or by a broken sync
    problems = small.fsck().problems
    assert [(p.kind, p.take_ref) for p in problems] == [("png_link", f"{take.ref}@v2")]
    fixed = small.fsck(repair=True)
    assert fixed.ok, fixed.problems
    relinked = small.take(take.ref).current.png
    assert relinked.version_id != current.version_id
    assert small.store.head(relinked.key, relinked.version_id).metadata["video-sha256"] == take.current.sha256


def test_versioning_not_enabled_is_a_problem(small) -> None:
    small.store.suspend_versioning()
    problems = small.fsck().problems
    assert [p.kind for p in problems] == ["versioning"] and "enable-versioning" in problems[0].message


def test_an_unreachable_store_is_one_sentence_with_its_exit_code(tmp_path: Path, capsys) -> None:
    from tests.s3_servers import free_port

    vault_dir = tmp_path / "v"
    vault_dir.mkdir()
    (vault_dir / "takevault.toml").write_text(
        f'catalog = "sqlite:///catalog.db"\nstore = "s3://nowhere/vault"\n\n[s3]\nendpoint_url = '
        f'"http://127.0.0.1:{free_port()}"\n'
    )
    with Vault.open(vault_dir) as vault:
        vault.upgrade_catalog()
    code = main(["--vault", str(vault_dir), "fsck"])
    err = capsys.readouterr().err
    assert code == StoreUnreachableError.exit_code
    assert err.count("\n") == 1 and "Traceback" not in err


def test_fsck_repair_of_a_healthy_vault_changes_nothing(clips, tmp_path: Path, capsys) -> None:
    vault_dir = tmp_path / "vault"
    assert main(init_args(vault_dir)) == 0
    run = make_cli(vault_dir, capsys)
    ok(run, "shot", "add", "SH010")
    ok(run, "add", str(clips["a"]), "--shot", "SH010")
    before = listings(run)
    code, report = _fsck_json(run)
    assert code == 0 and report["repaired"] == []
    code, out, _ = run("fsck", "--repair", "--json")
    assert code == 0 and json.loads(out)["repaired"] == []
    assert listings(run) == before
    with Vault.open(vault_dir) as vault:
        assert vault.store.head(journal_key(1)).size > 0


def test_a_repair_that_would_need_bytes_is_refused_and_says_why(small) -> None:
    take = small.take("SH010/video_01")
    blob = small.store.blob_path(take.key, take.current.version_id)
    blob.chmod(0o644)
    blob.write_bytes(b"rotten")
    report = small.fsck(repair=True)
    assert [(p.kind, p.take_ref) for p in report.problems] == [("damaged_bytes", f"{take.ref}@v2")]
    assert any("never does" in line for line in report.repaired)
    assert blob.read_bytes() == b"rotten"  # nothing deleted or replaced
    assert [v.number for v in small.history(take.ref)] == [2, 1]


def test_idle_for_must_not_be_negative(small, tmp_path, capsys) -> None:
    code = main(["--vault", str(tmp_path / "v"), "fsck", "--repair", "--idle-for", "-1"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
