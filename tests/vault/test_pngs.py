"""Workflow PNGs through the Vault: attach on add/replace/import, validate, regenerate, repair, show, diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from takevault.errors import ConflictError, InvalidInputError, NotFoundError
from takevault.media.workflow_png import inspect_png
from takevault.vault import pngs
from tests.clips import make_clip
from tests.media.workflows import a1111_png, comfy_png, comfy_prompt, comfy_workflow, save_with_texts


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ComfyUI output folder: videos, each with its VideoHelperSuite companion PNG."""
    folder = tmp_path_factory.mktemp("comfy_output")
    for i, seed in enumerate((11, 22, 33), start=1):
        make_clip(folder / f"fox_{i:05d}.mp4", frames=6, scenes=((0, seed),))
        comfy_png(folder / f"fox_{i:05d}.png", seed=seed, steps=20 + i)
    return folder


@pytest.fixture
def vault(local_vault):
    local_vault.add_shot("SH010")
    return local_vault


def _status(vault, ref: str) -> str:
    return vault.resolve_version(ref)[1].png.status


def _read(vault, key: str) -> bytes:
    with vault.store.get(key) as reader:
        return reader.read()


def _put_bytes(vault, key: str, data: bytes) -> None:
    import io

    vault.store.put(key, io.BytesIO(data), {})


def test_import_comfyui_folder_every_take_present(vault, outputs: Path) -> None:
    vault.import_paths([outputs], shot="SH010")
    takes = vault.takes()
    assert len(takes) == 3
    for take in takes:
        png = take.current.png
        assert png.status == "present", png.reason
        assert png.key == take.key.rsplit(".", 1)[0] + ".png"
        assert png.params["generation"]["seed"] in (11, 22, 33)
        assert png.params["chunks"]["prompt"]
    rows = vault.pngs.validate()
    assert [r["status"] for r in rows] == ["present"] * 3
    assert set(rows[0]) >= {"ref", "version", "status", "reason"}
    # The stored PNG carries the link to its exact video, and the original chunks byte for byte.
    take = takes[0]
    head = vault.store.head(take.current.png.key)
    assert head.metadata["video-sha256"] == take.current.sha256
    assert head.metadata["role"] == "workflow-png"


def test_add_with_explicit_companion_and_replace(vault, tmp_path: Path) -> None:
    video = make_clip(tmp_path / "a.mp4", frames=4)
    png = comfy_png(tmp_path / "other_name.png", seed=5)
    take = vault.add(video, shot="SH010", workflow_png=png)
    assert take.current.png.status == "present"
    video2 = make_clip(tmp_path / "b.mp4", frames=4, scenes=((0, 7),))
    take = vault.replace(take.ref, video2, workflow_png=comfy_png(tmp_path / "b.png", seed=6))
    v1, v2 = vault.history(take.ref)[::-1]
    assert v1.png.version_id != v2.png.version_id
    assert v2.png.params["generation"]["seed"] == 6
    rows = vault.pngs.validate([take.ref])
    assert [(r["version"], r["status"]) for r in rows] == [(2, "present"), (1, "present")]


def test_container_tags_become_a_png(vault, tmp_path: Path) -> None:
    prompt = comfy_prompt(seed=77)
    meta = (("prompt", json.dumps(prompt)), ("workflow", json.dumps(comfy_workflow(prompt))))
    video = make_clip(tmp_path / "tagged.mp4", frames=4, metadata=meta)
    take = vault.add(video, shot="SH010")
    assert take.current.png.status == "present"
    assert take.current.png.params["generation"]["seed"] == 77
    assert vault.store.head(take.current.png.key).metadata["png-source"] == "container"


def test_no_workflow_gives_a_still_and_prompt_options(vault, tmp_path: Path) -> None:
    plain = make_clip(tmp_path / "plain.mp4", frames=4)
    take = vault.add(plain, shot="SH010")
    assert take.current.png.status == "thumbnail_only"
    wf = tmp_path / "wf.json"
    wf.write_text(json.dumps(comfy_workflow(comfy_prompt(seed=3))))
    take2 = vault.add(make_clip(tmp_path / "p2.mp4", frames=4), shot="SH010", workflow=wf)
    assert take2.current.png.status == "present"
    assert take2.current.png.params["generation"]["seed"] == 3
    take3 = vault.add(make_clip(tmp_path / "p3.mp4", frames=4), shot="SH010", prompt="a fox in the snow")
    assert take3.current.png.params["generation"]["positive"] == "a fox in the snow"


def test_bad_workflow_file_is_refused(vault, tmp_path: Path) -> None:
    wf = tmp_path / "wf.json"
    wf.write_text("{not json")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        vault.add(make_clip(tmp_path / "x.mp4", frames=3), shot="SH010", workflow=wf)


def test_broken_companion_is_kept_and_flagged(vault, tmp_path: Path) -> None:
    video = make_clip(tmp_path / "b_00001.mp4", frames=4)
    png = comfy_png(tmp_path / "b_00001.png")
    png.write_bytes(png.read_bytes()[:-40])
    take = vault.add(video, shot="SH010")
    assert take.current.png.status == "invalid"
    assert "truncated" in take.current.png.reason
    result = vault.pngs.repair(take.ref)
    assert result["status"] == "present" and result["changed"]
    assert vault.pngs.validate([take.ref])[0]["status"] == "present"


def test_breaking_deleting_swapping_are_detected_and_fixed(vault, outputs: Path) -> None:
    vault.import_paths([outputs], shot="SH010")
    t1, t2, t3 = vault.takes()
    good = _read(vault, t1.current.png.key)
    # Break take 1's PNG (cut in half), delete take 2's, swap take 1's onto take 3.
    _put_bytes(vault, t1.current.png.key, good[: len(good) // 2])
    vault.store.delete(t2.current.png.key)
    _put_bytes(vault, t3.current.png.key, good)
    rows = {r["take"]: r for r in vault.pngs.validate()}
    assert rows[t1.ref]["status"] == "invalid" and "truncated" in rows[t1.ref]["reason"]
    assert rows[t2.ref]["status"] == "missing" and "deleted" in rows[t2.ref]["reason"]
    assert rows[t3.ref]["status"] == "stale" and t1.ref in rows[t3.ref]["reason"]
    assert _status(vault, t1.ref) == "invalid"  # listings see it too

    # Repair: take 1's chunks before the cut survive; the pixels come from the video.
    fixed = vault.pngs.repair(t1.ref)
    assert fixed["status"] == "present" or fixed["lost"]
    # Regenerate the others from what the catalog kept (the videos carry no tags).
    for take in (t2, t3):
        out = vault.pngs.regenerate(take.ref)
        assert out["source"] == "catalog"
        assert out["status"] == "present"
    _put_bytes(vault, t3.current.png.key, good)
    with pytest.raises(ConflictError) as refused:
        vault.pngs.repair(t3.ref)
    assert refused.value.message.startswith(f"The PNG of {t3.ref}@v1 is stale: it belongs to another video (")
    assert refused.value.message.count("(") == 1  # one sentence, no nested asides
    vault.pngs.regenerate(t3.ref)
    vault.pngs.regenerate(t1.ref)
    assert [r["status"] for r in vault.pngs.validate()] == ["present"] * 3
    assert vault.pngs.show(t3.ref)["generation"]["seed"] == 33


def test_placeholder_and_repair_refusals(vault, outputs: Path) -> None:
    vault.import_paths([outputs / "fox_00001.mp4"], shot="SH010")
    (take,) = vault.takes()
    _put_bytes(vault, take.current.png.key, b"")
    assert vault.pngs.validate()[0]["status"] == "placeholder"
    with pytest.raises(ConflictError, match="placeholder"):
        vault.pngs.repair(take.ref)
    assert vault.pngs.regenerate(take.ref)["status"] == "present"
    result = vault.pngs.repair(take.ref)
    assert result["changed"] is False


def test_regenerate_an_old_version_keeps_the_current_on_top(vault, tmp_path: Path) -> None:
    take = vault.add(make_clip(tmp_path / "a.mp4", frames=4), shot="SH010", workflow_png=comfy_png(tmp_path / "a.png"))
    take = vault.replace(take.ref, make_clip(tmp_path / "b.mp4", frames=4, scenes=((0, 3),)))
    vault.pngs.regenerate(f"{take.ref}@v1")
    rows = {r["version"]: r["status"] for r in vault.pngs.validate([take.ref])}
    assert rows == {2: "thumbnail_only", 1: "present"}


def test_show_extract_and_diff(vault, outputs: Path, tmp_path: Path) -> None:
    vault.import_paths([outputs], shot="SH010")
    t1, t2, _ = vault.takes()
    shown = vault.pngs.show(t1.ref)
    gen = shown["generation"]
    assert (gen["seed"], gen["steps"], gen["sampler"], gen["model"]) == (
        11,
        21,
        "uni_pc",
        "wan2.1_t2v_1.3B_fp16.safetensors",
    )
    assert gen["loras"][0]["name"] == "fox_style_v2.safetensors" and gen["frames"] == 33
    dest = tmp_path / "wf.json"
    out = vault.pngs.extract(t1.ref, dest)
    assert out["kind"] == "workflow" and json.loads(dest.read_text())["nodes"]
    diff = vault.pngs.diff_params(t1.ref, t2.ref)
    fields = {f["field"]: (f["a"], f["b"]) for f in diff["fields"]}
    assert fields == {"seed": (11, 22), "steps": (21, 22)}
    assert vault.pngs.diff_params(t1.ref, t1.ref)["same"] is True
    # A PNG file on disk can be one side.
    assert vault.pngs.diff_params(t1.ref, str(outputs / "fox_00001.png"))["same"] is True


def test_extract_and_diff_errors(vault, tmp_path: Path) -> None:
    take = vault.add(make_clip(tmp_path / "a.mp4", frames=4), shot="SH010")
    with pytest.raises(NotFoundError, match="holds no ComfyUI workflow"):
        vault.pngs.extract(take.ref, tmp_path / "x.json")
    with pytest.raises(InvalidInputError, match="is a folder"):
        vault.pngs.extract(take.ref, tmp_path)
    with pytest.raises(NotFoundError, match="has no generation parameters"):
        vault.pngs.diff_params(take.ref, take.ref)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"junk")
    with pytest.raises(InvalidInputError, match="not a usable workflow PNG"):
        vault.pngs.diff_params(str(bad), take.ref)
    plain = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(plain)  # a valid image with no generation in it: not "the same parameters"
    with pytest.raises(InvalidInputError, match=r"plain.png holds no generation parameters \(thumbnail_only\)"):
        vault.pngs.diff_params(str(plain), str(plain))
    with pytest.raises(InvalidInputError, match=r"a.mp4 is not a PNG; give a take, a take version or a workflow PNG"):
        vault.pngs.diff_params(str(tmp_path / "a.mp4"), take.ref)
    a1 = a1111_png(tmp_path / "a1.png")
    take2 = vault.add(make_clip(tmp_path / "c.mp4", frames=4), shot="SH010", workflow_png=a1)
    assert take2.current.png.status == "present"
    assert vault.pngs.show(take2.ref)["generation"]["source"] == "a1111"
    assert not (tmp_path / "x.json").exists()


def test_foreign_companion_is_stale(vault, tmp_path: Path) -> None:
    first = vault.add(make_clip(tmp_path / "a.mp4", frames=4), shot="SH010", workflow_png=comfy_png(tmp_path / "a.png"))
    exported = tmp_path / "exported.png"
    exported.write_bytes(_read(vault, first.current.png.key))
    assert inspect_png(exported).link["ref"] == first.ref
    other = vault.add(make_clip(tmp_path / "b.mp4", frames=4, scenes=((0, 4),)), shot="SH010", workflow_png=exported)
    assert other.current.png.status == "stale"


def test_thumbnail_companion(vault, tmp_path: Path) -> None:
    png = save_with_texts(tmp_path / "t_00001.png", [("Software", "ffmpeg")])
    take = vault.add(make_clip(tmp_path / "t_00001.mp4", frames=4), shot="SH010")
    assert take.current.png.status == "thumbnail_only"
    assert png.exists()


@pytest.mark.s3
@pytest.mark.slow
def test_on_s3(seaweedfs_target, outputs: Path, tmp_path: Path) -> None:
    """The same round trip against a real S3 server: PNG versions, delete markers, restore on top."""
    from takevault.vault import Vault

    seaweedfs_target.create_bucket()
    with Vault.init(
        tmp_path / "v", store=f"s3://{seaweedfs_target.bucket}/tv", endpoint_url=seaweedfs_target.endpoint_url
    ) as vault:
        vault.add_shot("SH010")
        vault.import_paths([outputs / "fox_00001.mp4", outputs / "fox_00002.mp4"], shot="SH010")
        t1, t2 = vault.takes()
        assert [r["status"] for r in vault.pngs.validate()] == ["present", "present"]
        _put_bytes(vault, t1.current.png.key, _read(vault, t2.current.png.key))
        vault.store.delete(t2.current.png.key)
        rows = {r["take"]: r["status"] for r in vault.pngs.validate()}
        assert rows == {t1.ref: "stale", t2.ref: "missing"}
        assert vault.pngs.regenerate(t1.ref)["status"] == "present"
        assert vault.pngs.regenerate(t2.ref)["source"] == "catalog"
        assert [r["status"] for r in vault.pngs.validate()] == ["present", "present"]
        assert {f["field"] for f in vault.pngs.diff_params(t1.ref, t2.ref)["fields"]} == {"seed", "steps"}


def _png_versions(vault, key: str) -> int:
    return len([v for v in vault.store.list_versions(key) if not v.is_delete_marker])


def test_attach_workflow_png_to_a_take_version(vault, tmp_path: Path) -> None:
    # As the web gallery does it: the video arrives alone (a still is written), then its companion.
    upload = tmp_path / "upload"
    upload.mkdir()
    take = vault.add(make_clip(upload / "gen_00001.mp4", frames=4), shot="SH010")
    assert take.current.png.status == "thumbnail_only"
    png = comfy_png(tmp_path / "gen_00001.png", seed=4242)
    result = vault.pngs.attach(take.ref, png)
    assert result["ref"] == f"{take.ref}@v1" and result["status"] == "present"
    current = vault.take(take.ref).current
    assert current.png.status == "present" and current.png.params["generation"]["seed"] == 4242
    assert current.png.version_id == result["version_id"] != take.current.png.version_id
    check = inspect_png_stored(vault, current)
    assert check.link["video_sha256"] == current.sha256 and check.link["version"] == 1
    head = vault.store.head(current.png.key)
    assert head.metadata["original-name"] == "gen_00001.png" and head.metadata["png-source"] == "companion"
    assert vault.events(take=take.ref)[-1].action == "png"
    assert vault.events(take=take.ref)[-1].details["op"] == "attach"
    # An old version gets its own PNG; the current version's stays the latest of the key.
    take = vault.replace(take.ref, make_clip(tmp_path / "b.mp4", frames=4, scenes=((0, 9),)))
    vault.pngs.attach(f"{take.ref}@v1", comfy_png(tmp_path / "old.png", seed=7))
    rows = {r["version"]: r["status"] for r in vault.pngs.validate([take.ref])}
    assert rows == {2: "thumbnail_only", 1: "present"}
    assert vault.pngs.show(f"{take.ref}@v1")["generation"]["seed"] == 7


def inspect_png_stored(vault, version):
    with pngs._png_file(vault, version.png.key, version.png.version_id) as path:
        return inspect_png(path, video_sha256=version.sha256)


def test_attach_workflow_png_refusals_store_nothing(vault, tmp_path: Path) -> None:
    take = vault.add(make_clip(tmp_path / "a.mp4", frames=4), shot="SH010")
    key = take.current.png.key
    before = _png_versions(vault, key)
    jpeg = tmp_path / "still.png"
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    video_as_png = tmp_path / "video.png"
    video_as_png.write_bytes((tmp_path / "a.mp4").read_bytes())
    empty = tmp_path / "empty.png"
    empty.touch()
    huge = tmp_path / "huge.png"
    with huge.open("wb") as fh:  # sparse: the size check must come before any reading
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(65 * 1024 * 1024)
    good = comfy_png(tmp_path / "good.png")
    cases = [
        (take.ref, jpeg, InvalidInputError, "still.png is not a PNG file"),
        (take.ref, video_as_png, InvalidInputError, "video.png is not a PNG file"),
        (take.ref, empty, InvalidInputError, "empty.png is empty"),
        (take.ref, huge, InvalidInputError, "over the 64 MB limit"),
        (take.ref, tmp_path / "nope.png", InvalidInputError, "does not exist"),
        (take.ref, tmp_path, InvalidInputError, "is a folder"),
        ("SH010/video_09", good, NotFoundError, "video_09"),
        (f"{take.ref}@v3", good, NotFoundError, "has no version v3"),
    ]
    for ref, path, error, message in cases:
        with pytest.raises(error, match=message) as info:
            vault.pngs.attach(ref, path)
        assert str(info.value).count(". ") == 0, str(info.value)
    vault.delete(take.ref)
    with pytest.raises(ConflictError, match="is deleted"):
        vault.pngs.attach(take.ref, good)
    assert _png_versions(vault, key) == before
    assert [e.action for e in vault.events(take=take.ref)].count("png") == 0
