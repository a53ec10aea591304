"""`fsck`: do catalog and store agree, and do the stored bytes still match their sha256?

Checks, per project: every catalog version (video and PNG) exists in the store
with the recorded sha256 and its bytes hash to it; deleted flags match delete
markers; store versions under the project's prefix that no catalog row names
are reported as unreferenced (what an interrupted add or purge leaves).
"""

from __future__ import annotations

from takevault.errors import ChecksumMismatchError, NotFoundError, TakevaultError
from takevault.models import ANY_TAKE, FsckProblem, FsckReport, ObjectVersion
from takevault.store.base import CHUNK_SIZE
from takevault.vault.takebase import TakeBase


class FsckMixin(TakeBase):
    """Consistency check of catalog against store."""

    def fsck(self) -> FsckReport:
        """Compare the catalog with the store and re-hash every referenced version; changes nothing."""
        problems: list[FsckProblem] = []
        referenced: set[tuple[str, str]] = set()
        versions = self.catalog.all_versions(self._project)
        for ref, version in versions:
            referenced.add((version.key, version.version_id))
            problems.extend(
                self._check_object(ref, version.key, version.version_id, version.sha256, f"{ref}@v{version.number}")
            )
            png = version.png
            if png and png.key and png.version_id:
                referenced.add((png.key, png.version_id))
                problems.extend(
                    self._check_object(ref, png.key, png.version_id, png.sha256, f"the PNG of {ref}@v{version.number}")
                )

        objects = 0
        latest: dict[str, ObjectVersion] = {}
        try:
            listed = list(self.store.list_versions(f"{self.project}/", prefix=True))
        except TakevaultError as exc:
            listed = []
            problems.append(FsckProblem("store_unreadable", exc.message))
        for obj in listed:
            objects += 1
            if obj.is_latest:
                latest[obj.key] = obj
            if obj.is_delete_marker or (obj.key, obj.version_id) in referenced:
                continue
            problems.append(
                FsckProblem(
                    "unreferenced",
                    f"Store version {obj.version_id} of {obj.key} is in no catalog row (an interrupted add or purge); "
                    "run 'takevault catalog rebuild' to adopt it or delete it with the store's tools.",
                    key=obj.key,
                    version_id=obj.version_id,
                )
            )
        for take in self.catalog.iter_takes(self._project, ANY_TAKE):
            head = latest.get(take.key)
            if head is None:
                continue
            if take.deleted and not head.is_delete_marker:
                problems.append(
                    FsckProblem(
                        "deleted_mismatch",
                        f"{take.ref} is deleted in the catalog but its key still has a live latest version; "
                        f"run 'takevault delete {take.ref} --yes' after 'takevault restore {take.ref}'.",
                        key=take.key,
                        take_ref=take.ref,
                    )
                )
            elif not take.deleted and head.is_delete_marker:
                problems.append(
                    FsckProblem(
                        "deleted_mismatch",
                        f"{take.ref} is live in the catalog but its key ends in a delete marker; "
                        f"run 'takevault revert {take.ref} --to v{take.current.number}' to make it fetchable again.",
                        key=take.key,
                        take_ref=take.ref,
                    )
                )
        return FsckReport(checked_versions=len(versions), checked_objects=objects, problems=tuple(problems))

    def _check_object(self, ref: str, key: str, version_id: str, sha256: str | None, what: str) -> list[FsckProblem]:
        try:
            info = self.store.head(key, version_id)
        except NotFoundError:
            return [
                FsckProblem(
                    "missing_version",
                    f"{what} points at store version {version_id} of {key}, which is gone; "
                    f"revert {ref} to another version or purge it.",
                    key=key,
                    version_id=version_id,
                    take_ref=ref,
                )
            ]
        except TakevaultError as exc:
            return [FsckProblem("store_error", exc.message, key=key, version_id=version_id, take_ref=ref)]
        if sha256 and info.sha256 and info.sha256 != sha256:
            return [
                FsckProblem(
                    "checksum_mismatch",
                    f"{what}: the store records sha256 {info.sha256[:12]}… but the catalog {sha256[:12]}…; "
                    f"fetch another version of {ref}.",
                    key=key,
                    version_id=version_id,
                    take_ref=ref,
                )
            ]
        try:
            reader = self.store.get(key, version_id)
            with reader:
                while reader.read(CHUNK_SIZE):
                    pass
            if sha256 and reader.sha256 != sha256:
                raise ChecksumMismatchError("sha256 differs")
        except ChecksumMismatchError:
            return [
                FsckProblem(
                    "damaged_bytes",
                    f"{what}: the stored bytes no longer match their sha256; fetch another version of {ref} "
                    "or restore the store from a backup.",
                    key=key,
                    version_id=version_id,
                    take_ref=ref,
                )
            ]
        except TakevaultError as exc:
            return [FsckProblem("store_error", exc.message, key=key, version_id=version_id, take_ref=ref)]
        return []
