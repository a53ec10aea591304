"""The journal's store side: entries written as objects under `.takevault/journal/`, read back for rebuild.

The catalog decides what an entry holds and when it exists (catalog/journal.py);
this module only moves entry payloads between the catalog and the store.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from takevault.catalog.journal import JOURNAL_PREFIX, journal_key, seq_of_key
from takevault.errors import TakevaultError
from takevault.store import VersionedStore
from takevault.store.base import CHUNK_SIZE

log = logging.getLogger(__name__)

READ_THREADS = 16


class JournalWriter:
    """The catalog's journal sink: write each committed entry to the store."""

    def __init__(self, store: VersionedStore) -> None:
        self.store = store

    def __call__(self, seq: int, payload: str) -> None:
        try:
            write_entry(self.store, seq, payload)
        except (TakevaultError, OSError) as exc:
            # The change is committed; failing the command now would tell the user it did not happen.
            # The entry stays in the catalog's journal table and fsck writes it out later.
            message = getattr(exc, "message", str(exc))
            log.warning(
                "Journal entry %d is not in the store yet (%s); 'takevault fsck --repair' writes it.", seq, message
            )


def write_entry(store: VersionedStore, seq: int, payload: str) -> None:
    data = payload.encode("utf-8")
    store.put(journal_key(seq), io.BytesIO(data), {"journal-seq": str(seq)}, size=len(data))


def stored_seqs(store: VersionedStore) -> set[int]:
    """The sequence numbers that have a live journal object in the store."""
    seqs: set[int] = set()
    for obj in store.list_versions(JOURNAL_PREFIX, prefix=True):
        if obj.is_latest and not obj.is_delete_marker:
            seq = seq_of_key(obj.key)
            if seq is not None:
                seqs.add(seq)
    return seqs


def read_entries(store: VersionedStore, seqs: Iterable[int]) -> list[tuple[int, bytes]]:
    """The payloads of the given entries, in sequence order (fetched in parallel: S3 round trips add up)."""

    def fetch(seq: int) -> tuple[int, bytes]:
        parts = []
        with store.get(journal_key(seq)) as reader:
            while chunk := reader.read(CHUNK_SIZE):  # reading to the end checks the sha256
                parts.append(chunk)
        return seq, b"".join(parts)

    ordered = sorted(seqs)
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return list(pool.map(fetch, ordered))
