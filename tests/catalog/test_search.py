"""The take text index on SQLite (FTS5) and PostgreSQL (tsvector): what it finds, that it follows every
write, and that no search text (FTS syntax, empty, huge) reaches the user as anything but a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from takevault.catalog.search import MAX_SEARCH_CHARS
from takevault.errors import InvalidInputError
from takevault.models import TakeFilter
from tests.catalog.scale_helpers import bulk_takes
from tests.vault.takes_helpers import CATALOGS, make_vault, snapshot


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        bulk_takes(v, shots=3, per_shot=4)
        yield v


@pytest.fixture(scope="module", params=CATALOGS)
def read_vault(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One vault per catalog for the tests that only search: each checks it is left as it was."""
    root = tmp_path_factory.mktemp("search") / "vault"
    with make_vault(request, root, request.param, pg_fixture="pg_module_url") as v:
        bulk_takes(v, shots=3, per_shot=4)
        yield v


def refs(vault, text: str) -> list[str]:
    return [t.ref for t in vault.takes(search=text)]


def test_words_match_word_beginnings_in_any_order_and_case(vault) -> None:
    vault.set("SH0010/video_02", note="Rider crosses the frozen harbour at dawn")
    assert refs(vault, "harbour") == ["SEQ01/SH0010/video_02"]
    assert refs(vault, "DAWN rid") == ["SEQ01/SH0010/video_02"]
    assert refs(vault, "harbour dusk") == []
    # shot codes and take names are words too
    assert refs(vault, "SH0020 video_03") == ["SEQ01/SH0020/video_03"]
    assert len(refs(vault, "sh00")) == 12


def test_the_index_follows_notes_tags_status_and_purge(vault) -> None:
    vault.set("SH0030/video_01", add_tags=["Hero_shot"], status="approved")
    assert refs(vault, "hero") == ["SEQ01/SH0030/video_01"]
    assert refs(vault, "approved") == ["SEQ01/SH0030/video_01"]
    vault.set("SH0030/video_01", remove_tags=["Hero_shot"], status="review")
    assert refs(vault, "hero") == [] and refs(vault, "approved") == []
    vault.set("SH0030/video_04", note="glacier")
    assert refs(vault, "glacier") == ["SEQ01/SH0030/video_04"]
    vault.set("SH0030/video_04", note="")
    assert refs(vault, "glacier") == []


def test_prompts_of_the_current_versions_workflow_png_are_indexed(vault) -> None:
    take = vault.takes(shot="SH0010")[0]
    version = take.current
    from takevault.models import PngRecord

    png = PngRecord("k.png", "v1", "0" * 64, 10, "present", None, {"generation": {"positive": "a kestrel over dunes"}})
    vault.catalog.update_png(take.id, version.number, png)
    assert refs(vault, "kestrel dunes") == [take.ref]
    vault.catalog.update_png(take.id, version.number, PngRecord("k.png", "v1", "0" * 64, 10, "present", None, {}))
    assert refs(vault, "kestrel") == []


@pytest.mark.parametrize(
    "text",
    ['"pass', "pass*", "NEAR(pass 1)", "pass AND OR NOT", "((pass", "pass)", "pass:1", "^pass", "-pass", "pass + 1"],
)
def test_fts_syntax_is_plain_text(read_vault, text: str) -> None:
    # Every one of these is the word 'pass' (and maybe '1' / 'near' / 'and'...): never a syntax error.
    found = read_vault.takes(search=text)
    assert all("pass" in (t.note or "") for t in found)


def test_boolean_words_are_searched_as_words(vault) -> None:
    vault.set("SH0020/video_01", note="near the river and over the bridge")
    assert refs(vault, "NEAR AND") == ["SEQ01/SH0020/video_01"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("***", "no letters or digits"),
        ('"()"', "no letters or digits"),
        ("x" * 10_000, "10,000 characters"),
        (" ".join(f"w{i}" for i in range(40)), "different words"),
    ],
)
def test_unusable_search_text_is_one_clear_sentence_and_changes_nothing(read_vault, text: str, says: str) -> None:
    before = snapshot(read_vault)
    with pytest.raises(InvalidInputError) as err:
        read_vault.takes(search=text)
    assert says in err.value.message and "\n" not in err.value.message
    with pytest.raises(InvalidInputError):
        read_vault.iter_takes(TakeFilter(search=text))  # refused before the first row, not half-way
    assert snapshot(read_vault) == before


def test_the_longest_accepted_search_works(read_vault) -> None:
    assert read_vault.takes(search="pass " + "y" * (MAX_SEARCH_CHARS - 5)) == []


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.vault.takes_helpers import make_take_clips

    return make_take_clips(tmp_path_factory.mktemp("search_clips"))["a"]


def test_a_take_added_with_a_prompt_is_found_by_its_words(vault, clip: Path) -> None:
    take = vault.add(clip, shot="SH0020", prompt="A lantern procession through fog, 35mm")
    assert refs(vault, "lantern procession") == [take.ref]
    assert refs(vault, "fog 35mm") == [take.ref]
