"""Pruning: finished job rows older than `jobs.keep_days` are deleted, so the jobs table does not grow forever.

Workers call `maybe_prune` on every round and it acts at most once an hour per
process (deleting is idempotent, so several workers pruning the same hour is
harmless); `takevault jobs prune` does it at once. Queued and running rows are
never pruned, whatever their age.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from takevault.errors import ConfigError, InvalidInputError, TakevaultError

if TYPE_CHECKING:
    from takevault.config import VaultConfig
    from takevault.jobs.table import JobTable

log = logging.getLogger("takevault.jobs")
PRUNE_EVERY_S = 3600.0


def keep_days(config: VaultConfig) -> int:
    """The retention setting, checked: a whole number of days, 0 meaning keep every row."""
    value = config.get("jobs.keep_days")
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if days < 0 or isinstance(value, bool):
        raise ConfigError(
            f"jobs.keep_days is {value!r}; set it to a whole number of days (0 keeps every finished job)."
        )
    return days


def prune(table: JobTable, days: float) -> int:
    """Delete finished rows that ended more than `days` ago; returns how many went."""
    if isinstance(days, bool) or days < 0:
        raise InvalidInputError(f"Jobs are kept for 0 days or more; {days} is not a number of days to keep them.")
    return table.prune(timedelta(days=days))


class Pruner:
    """A worker's hourly prune (its first round prunes at once: a worker may not live an hour)."""

    def __init__(self, table: JobTable, config: VaultConfig, every: float = PRUNE_EVERY_S) -> None:
        self.table, self.config, self.every = table, config, every
        self.last: float | None = None

    def __call__(self) -> int:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.every:
            return 0
        self.last = now
        try:
            days = keep_days(self.config)
            if days == 0:
                return 0
            gone = prune(self.table, days)
        except TakevaultError as exc:  # a worker keeps working when it cannot prune this hour
            log.warning("job pruning: %s", exc)
            return 0
        if gone:
            log.info("pruned %d finished job row(s) older than %d day(s)", gone, days)
        return gone
