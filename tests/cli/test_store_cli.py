"""`takevault store …` against the local store and against SeaweedFS over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from takevault.cli.app import main
from takevault.config import write_config
from tests.clips import make_clip
from tests.s3_servers import S3Target, free_port


@pytest.fixture(params=["local", "seaweedfs"])
def vault_dir(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """A fresh vault on each backend; the S3 one is made the way a user would, with --create-bucket."""
    root = tmp_path / "vault"
    if request.param == "local":
        assert main(["init", str(root)]) == 0
    else:
        target: S3Target = request.getfixturevalue("seaweedfs_target")
        args = ["init", str(root), "--store", f"s3://{target.bucket}/films", "--endpoint-url", target.endpoint_url]
        assert main(args) == 3  # the bucket does not exist yet: one sentence, nothing left behind
        assert "--create-bucket" in capsys.readouterr().err
        assert not root.exists()
        assert main([*args, "--create-bucket"]) == 0
    monkeypatch.setenv("TAKEVAULT_VAULT", str(root))
    capsys.readouterr()
    return root


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("store-clips")
    return (
        make_clip(folder / "one.mp4", frames=12),
        make_clip(folder / "two.mp4", frames=12, shift=(0, 12, 40)),
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_upload_versions_get_round_trip(vault_dir: Path, clips, tmp_path: Path, capsys) -> None:
    one, two = clips
    code, out, _ = run(capsys, "store", "upload", str(one), "SEQ01/SH010/video_01.mp4")
    assert code == 0
    assert "version id" in out and sha(one) in out and str(one.stat().st_size) in out and "time" in out
    code, out, _ = run(capsys, "store", "upload", str(two), "SEQ01/SH010/video_01.mp4", "--json")
    assert code == 0
    second = json.loads(out)
    assert second["sha256"] == sha(two) and second["is_latest"] is True

    code, out, _ = run(capsys, "store", "versions", "SEQ01/SH010/video_01.mp4", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [v["sha256"] for v in listed] == [sha(two), sha(one)]
    assert [v["is_latest"] for v in listed] == [True, False]
    for entry in listed:
        assert {"key", "version_id", "is_latest", "is_delete_marker", "size", "sha256", "last_modified"} <= set(entry)
    code, out, _ = run(capsys, "store", "versions", "SEQ01/SH010/video_01.mp4")
    lines = out.strip().splitlines()
    assert lines[0].split("\t") == ["version id", "latest", "size", "sha256", "time"]
    assert lines[1].startswith(listed[0]["version_id"]) and len(lines) == 3

    latest = tmp_path / "latest.mp4"
    code, _, err = run(capsys, "store", "get", "SEQ01/SH010/video_01.mp4", "-o", str(latest))
    assert code == 0 and "sha256 verified" in err
    assert latest.read_bytes() == two.read_bytes()
    older = tmp_path / "older.mp4"
    code, _, _ = run(
        capsys, "store", "get", "SEQ01/SH010/video_01.mp4", "--version-id", listed[1]["version_id"], "-o", str(older)
    )
    assert code == 0 and older.read_bytes() == one.read_bytes()
    folder = tmp_path / "into"
    folder.mkdir()
    assert run(capsys, "store", "get", "SEQ01/SH010/video_01.mp4", "-o", str(folder))[0] == 0
    assert (folder / "video_01.mp4").read_bytes() == two.read_bytes()


def test_status_and_enable_versioning(vault_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "store", "status", "--json")
    assert code == 0 and json.loads(out)["versioning"] == "Enabled"
    code, out, _ = run(capsys, "store", "status")
    assert "versioning" in out and "Enabled" in out
    code, _, err = run(capsys, "store", "enable-versioning")
    assert code == 0 and "Enabled" in err


def test_versioning_suspended_refuses_upload(vault_dir: Path, clips, capsys) -> None:
    from takevault.vault import Vault

    with Vault.open(vault_dir) as vault:
        vault.store.suspend_versioning()
    code, _, err = run(capsys, "store", "upload", str(clips[0]), "k.mp4")
    assert code == 5 and "takevault store enable-versioning" in err
    assert run(capsys, "store", "versions", "k.mp4", "--json")[1].strip() == "[]"
    assert run(capsys, "store", "enable-versioning")[0] == 0
    assert run(capsys, "store", "upload", str(clips[0]), "k.mp4")[0] == 0


@pytest.mark.parametrize("key", ["", "../escape.mp4", "/abs.mp4", "a//b.mp4"])
def test_bad_key(vault_dir: Path, clips, capsys, key: str) -> None:
    code, _, err = run(capsys, "store", "upload", str(clips[0]), key)
    assert code == 2 and err.startswith("error:") and err.count("\n") == 1


def test_missing_file_directory_and_unknown_version(vault_dir: Path, clips, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "store", "upload", str(tmp_path / "nope.mp4"), "k.mp4")
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "store", "upload", str(tmp_path), "k.mp4")
    assert code == 2 and "is a folder" in err
    assert run(capsys, "store", "upload", str(clips[0]), "k.mp4")[0] == 0
    out_file = tmp_path / "out.mp4"
    out_file.write_bytes(b"keep me")
    code, _, err = run(capsys, "store", "get", "k.mp4", "--version-id", "no-such-version", "-o", str(out_file))
    assert code == 3 and "does not exist" in err
    assert out_file.read_bytes() == b"keep me"
    code, _, err = run(capsys, "store", "get", "missing.mp4", "-o", str(out_file))
    assert code == 3 and out_file.read_bytes() == b"keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its mode, so 'unreadable' cannot be made")
def test_unreadable_file(vault_dir: Path, tmp_path: Path, capsys) -> None:
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(b"secret")
    locked.chmod(0)
    code, _, err = run(capsys, "store", "upload", str(locked), "k.mp4")
    assert code == 2 and "not readable" in err


def test_a_file_whose_read_fails(vault_dir: Path, tmp_path: Path, capsys) -> None:
    """A file whose read fails (a directory's fd on Linux reads with EISDIR) gives one sentence, no version."""
    code, _, err = run(capsys, "store", "upload", "/proc/self/mem", "k.mp4")
    assert code == 2 and err.startswith("error:")
    assert run(capsys, "store", "versions", "k.mp4", "--json")[1].strip() == "[]"


def _s3_vault(root: Path, store: str, endpoint: str) -> Path:
    root.mkdir()
    write_config(root, {"store": store, "s3.endpoint_url": endpoint})
    return root


def test_missing_bucket(seaweedfs_target: S3Target, clips, tmp_path: Path, capsys) -> None:
    root = _s3_vault(tmp_path / "v", f"s3://{seaweedfs_target.bucket}/x", seaweedfs_target.endpoint_url)
    code, _, err = run(capsys, "--vault", str(root), "store", "upload", str(clips[0]), "k.mp4")
    assert code == 3 and "--create-bucket" in err
    code, _, err = run(capsys, "--vault", str(root), "store", "enable-versioning", "--create-bucket")
    assert code == 0
    assert run(capsys, "--vault", str(root), "store", "upload", str(clips[0]), "k.mp4")[0] == 0


def test_unversioned_bucket_init_needs_enable_versioning(seaweedfs_target: S3Target, tmp_path: Path, capsys) -> None:
    seaweedfs_target.create_bucket(versioned=False)
    args = ["init", str(tmp_path / "v"), "--store", f"s3://{seaweedfs_target.bucket}", "--endpoint-url"]
    args.append(seaweedfs_target.endpoint_url)
    code, _, err = run(capsys, *args)
    assert code == 2 and "--enable-versioning" in err and not (tmp_path / "v").exists()
    assert run(capsys, *args, "--enable-versioning")[0] == 0


def test_refused_endpoint(clips, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # the standard chain's setting; retries only add waiting here
    endpoint = f"http://127.0.0.1:{free_port()}"
    root = _s3_vault(tmp_path / "v", "s3://bucket/x", endpoint)
    for args in (["store", "upload", str(clips[0]), "k.mp4"], ["store", "status"], ["store", "versions", "k.mp4"]):
        code, _, err = run(capsys, "--vault", str(root), *args)
        assert code == 5 and endpoint in err and err.count("\n") == 1


def test_wrong_credentials(seaweedfs_target: S3Target, clips, tmp_path: Path, capsys, monkeypatch) -> None:
    seaweedfs_target.create_bucket()
    root = _s3_vault(tmp_path / "v", f"s3://{seaweedfs_target.bucket}/x", seaweedfs_target.endpoint_url)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    code, _, err = run(capsys, "--vault", str(root), "store", "upload", str(clips[0]), "k.mp4")
    assert code == 5 and "refused access" in err


def test_console_script_is_quiet_when_piped(vault_dir: Path, clips, tmp_path: Path) -> None:
    """The installed command, piped: data on stdout, no progress bar, the file byte-exact."""
    env = {**os.environ, "TAKEVAULT_VAULT": str(vault_dir)}
    up = subprocess.run(
        [sys.executable, "-m", "takevault", "store", "upload", str(clips[0]), "p/take.mp4", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert up.returncode == 0, up.stderr
    assert json.loads(up.stdout)["sha256"] == sha(clips[0]) and up.stderr == ""
    dest = tmp_path / "back.mp4"
    down = subprocess.run(
        [sys.executable, "-m", "takevault", "store", "get", "p/take.mp4", "-o", str(dest)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert down.returncode == 0, down.stderr
    assert dest.read_bytes() == clips[0].read_bytes()
    assert "\r" not in down.stderr
