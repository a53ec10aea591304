"""Star history replayed from events: what was starred at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from takevault.editorial.stars import parse_moment, stars_as_of
from takevault.errors import InvalidInputError
from takevault.models import Event

T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def ev(i, minutes, action, take, shot, version=1):
    return Event(i, T0 + timedelta(minutes=minutes), "me", action, take, shot, {"take_id": take, "version": version})


EVENTS = [
    ev(1, 0, "add", "a", "SH010"),
    ev(2, 1, "star", "a", "SH010", 1),
    ev(3, 2, "star", "b", "SH020", 1),
    ev(4, 3, "star", "c", "SH010", 2),  # moves the star of SH010 from a to c
    ev(5, 4, "unstar", "b", "SH020"),
]


@pytest.mark.parametrize(
    ("minute", "expected"),
    [
        (0, {}),
        (1, {"SH010": ("a", 1)}),
        (2.5, {"SH010": ("a", 1), "SH020": ("b", 1)}),
        (3, {"SH010": ("c", 2), "SH020": ("b", 1)}),
        (10, {"SH010": ("c", 2)}),
    ],
)
def test_replay(minute, expected):
    state = stars_as_of(reversed(EVENTS), T0 + timedelta(minutes=minute))
    assert {k: (v.take_id, v.version) for k, v in state.items()} == expected


def test_naive_stored_times_are_utc_and_naive_input_is_local():
    naive = [Event(1, datetime(2025, 5, 1, 12, 0), "me", "star", "a", "SH010", {"take_id": "a", "version": 1})]
    assert stars_as_of(naive, datetime(2025, 5, 1, 12, 0, tzinfo=UTC))
    assert not stars_as_of(naive, datetime(2025, 5, 1, 11, 59, tzinfo=UTC))


def test_parse_moment():
    assert parse_moment("2025-05-01T12:00:00Z") == T0
    assert parse_moment("2025-05-01T14:00+02:00") == T0
    assert parse_moment("2025-05-01").tzinfo is not None
    with pytest.raises(InvalidInputError, match="ISO 8601"):
        parse_moment("yesterday")
