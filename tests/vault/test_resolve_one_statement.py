"""A reference resolved in one statement names the same take, or fails with the same sentence, as the
step-by-step lookup (the shot, then its take) on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from takevault.catalog.rows import TakeChanges
from takevault.errors import TakevaultError
from takevault.models import ANY_TAKE
from takevault.refs import parse_ref
from takevault.vault import lookup
from tests.catalog.scale_helpers import bulk_takes
from tests.vault.takes_helpers import CATALOGS, make_vault


@pytest.fixture(params=CATALOGS)
def vault(request: pytest.FixtureRequest, tmp_path: Path):
    with make_vault(request, tmp_path / "vault", request.param) as v:
        bulk_takes(v, shots=3, per_shot=4)  # SEQ01/SH0010 … SH0030, video_01 … video_04
        v.add_section("SEQ02")
        v.add_shot("SH0010", section="SEQ02")  # the code SH0010 now names a shot in two sections
        v.add_shot("SH0040", section="SEQ02")  # a shot with no take yet
        gone = v.take("SEQ01/SH0020/video_03")  # marked deleted in the catalog alone: these takes have no bytes
        v.catalog.update_take(gone.id, TakeChanges(deleted=True), lookup.event(v, "delete", gone))
        v.link("SEQ01/SH0030/video_01", "SEQ01/SH0020/video_01")
        yield v


def step_by_step(vault: Any, ref: str) -> Any:
    """What resolving gave before the one-statement path: the take, or the error's class and sentence."""
    try:
        with vault.catalog.reading():
            return lookup._by_shot_and_number(vault, parse_ref(ref))
    except TakevaultError as exc:
        return type(exc), str(exc)


def resolved(vault: Any, ref: str) -> Any:
    try:
        return lookup.resolve(vault, ref)[0]
    except TakevaultError as exc:
        return type(exc), str(exc)


REFS = [
    "SEQ01/SH0010/video_01",  # a code in two sections, with its section
    "SEQ01/SH0020/video_02",
    "SH0020/video_04",  # a code in one section, without it
    "SH0030/video_01",  # linked from it
    "SEQ01/SH0020/video_01",  # linked to it
    "SEQ01/SH0020/video_03",  # deleted: still found
    "SH0010/video_01",  # a code in two sections, without one: refused
    "SEQ02/SH0010/video_01",  # that shot has no takes
    "SH0040/video_01",
    "SEQ01/SH0020/video_09",  # no such take
    "SEQ02/SH0020/video_01",  # no such shot in that section
    "SH0099/video_01",  # no such shot
    "SEQ09/SH0010/video_01",  # no such section
    "SEQ01/SH0010/video_02@v2",
]


@pytest.mark.parametrize("ref", REFS)
def test_one_statement_and_step_by_step_agree(vault, ref: str) -> None:
    assert resolved(vault, ref) == step_by_step(vault, ref)


def test_answers_are_the_takes_and_errors_of_the_catalog(vault) -> None:
    assert resolved(vault, "SEQ01/SH0020/video_03").deleted
    linked = resolved(vault, "SH0030/video_01")
    assert [link.other_ref for link in linked.links] == ["SEQ01/SH0020/video_01"]
    assert resolved(vault, linked.id) == linked  # by id: the rows, then the links of those that have some
    assert [link.incoming for link in resolved(vault, "SEQ01/SH0020/video_01").links] == [True]
    kind, sentence = resolved(vault, "SH0010/video_01")
    assert kind.__name__ == "BadReferenceError" and "several sections (SEQ01, SEQ02)" in sentence
    kind, sentence = resolved(vault, "SEQ01/SH0020/video_09")
    assert kind.__name__ == "NotFoundError" and "has no take video_09" in sentence


def test_take_at_leaves_what_it_cannot_settle_to_the_step_by_step_lookup(vault) -> None:
    project = lookup.project_row(vault)
    catalog = vault.catalog
    shot = lookup.one_shot(vault, "SEQ01", "SH0020")
    (expected,) = catalog.query_takes(project, ANY_TAKE, shot_ids=[shot.id], number=2)
    assert catalog.take_at(project, "SEQ01", "SH0020", 2) == expected
    assert catalog.take_at(project, None, "SH0020", 2) == expected
    assert catalog.take_at(project, None, "SH0010", 1) is None  # two shots have that code
    assert catalog.take_at(project, "SEQ01", "SH0020", 9) is None
    assert catalog.take_at(project, None, "SH0099", 1) is None


def test_take_by_id_is_the_take_the_catalog_lists(vault) -> None:
    project = lookup.project_row(vault)
    for take in vault.catalog.query_takes(project, ANY_TAKE, take_ids=[t.id for t in vault.takes(deleted=None)]):
        assert vault.catalog.take_by_id(project, take.id) == take
    assert vault.catalog.take_by_id(project, "00000000-0000-4000-8000-000000000000") is None


def test_a_driver_statement_refuses_list_parameters() -> None:
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from takevault.catalog.catalog import _TAKES_BY_ID_PG
    from takevault.catalog.pg_rows import DriverStatement

    with pytest.raises(TypeError, match="non-expanding"):
        DriverStatement(_TAKES_BY_ID_PG, postgresql.psycopg.dialect())
    assert "%(id)s" in DriverStatement(sa.select(sa.bindparam("id")), postgresql.psycopg.dialect()).sql
