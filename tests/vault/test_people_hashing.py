"""Passwords are kept as argon2id hashes at the library's production cost (the suite makes its own
hashes cheaper; see tests/conftest.py), and a hash of either cost is verified by its own parameters."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY


def test_a_fresh_process_hashes_with_the_production_cost() -> None:
    code = (
        "from takevault.vault import people; h = people.hash_password('correct horse battery'); "
        "print(h.split('$')[1], h.split('$')[3])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    p = RFC_9106_LOW_MEMORY
    assert out == ["argon2id", f"m={p.memory_cost},t={p.time_cost},p={p.parallelism}"]


def test_hashes_of_either_cost_verify_by_their_own_parameters() -> None:
    from takevault.vault import people

    production = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY).hash("correct horse battery")
    cheap = PasswordHasher.from_parameters(CHEAPEST).hash("correct horse battery")
    for stored in (production, cheap):
        assert people.password_matches(stored, "correct horse battery")
        assert not people.password_matches(stored, "wrong horse battery")
    assert not people.password_matches(None, "correct horse battery")
