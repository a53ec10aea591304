"""What each kind of job does: check and normalise its arguments when asked, then run one Vault call.

`plan` runs where the job is asked for (a CLI, a web request), so bad input is
refused at once in one sentence and never queued; `run` runs on a worker with a
progress callback (units of work done, added up) and returns JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from takevault.errors import ConflictError, InvalidInputError

if TYPE_CHECKING:
    from takevault.vault import Vault

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Plan:
    args: dict[str, Any]
    total: int | None = None
    dedupe: str | None = None
    """Jobs with the same key share one row while it is queued, running or done (derived files)."""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    plan: Callable[[Vault, dict[str, Any]], Plan]
    run: Callable[[Vault, dict[str, Any], Progress], Any]


def _version_arg(vault: Vault, ref: Any, what: str) -> tuple[str, Any, Any]:
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInputError(f"A {what} job needs a take or version reference; give one like SH010/video_02@v1.")
    take, version = vault.resolve_version(ref.strip())
    return f"{take.id}@v{version.number}", take, version


def _alive(vault: Vault, ref: str) -> None:
    """A take deleted after the job was asked for is not worked on (its bytes may be gone on purge)."""
    take = vault.take(ref)
    if take.deleted:
        raise ConflictError(f"{take.ref} was deleted after this job was asked for; restore it and ask again.")


# -- compare -----------------------------------------------------------------
def _plan_compare(vault: Vault, args: dict[str, Any]) -> Plan:
    a, _ta, va = _version_arg(vault, args.get("a"), "compare")
    b, _tb, vb = _version_arg(vault, args.get("b"), "compare")
    frames = (va.media.frames or 0) + (vb.media.frames or 0)
    same_edit = va.media.fps_text == vb.media.fps_text and abs((va.media.frames or 0) - (vb.media.frames or 0)) <= 1
    # A second, aligned pass decodes both again when the edits differ (see compare.report).
    total = frames if same_edit else 2 * frames
    return Plan({"a": a, "b": b}, total=total or None, dedupe=f"compare:{va.sha256}-{vb.sha256}")


def _run_compare(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    _alive(vault, args["a"])
    _alive(vault, args["b"])
    report, _folder = vault.review_compare(args["a"], args["b"], progress=progress)
    return {"a": args["a"], "b": args["b"], "segments": len(report.get("segments") or [])}


# -- proxies and stills ----------------------------------------------------------
def _plan_proxy(vault: Vault, args: dict[str, Any]) -> Plan:
    ref, _take, version = _version_arg(vault, args.get("ref"), "proxy")
    return Plan({"ref": ref}, total=version.media.frames or None, dedupe=f"proxy:{version.sha256}")


def _run_proxy(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    _alive(vault, args["ref"])
    info = vault.ensure_proxy(args["ref"], progress=progress)
    return {"ref": args["ref"], "ready": info.ready}


def _plan_still(vault: Vault, args: dict[str, Any]) -> Plan:
    ref, _take, version = _version_arg(vault, args.get("ref"), "still")
    return Plan({"ref": ref}, total=1, dedupe=f"still:{version.sha256}")


def _run_still(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    _alive(vault, args["ref"])
    vault.still(args["ref"])
    progress(1)
    return {"ref": args["ref"], "ready": True}


# -- whole-vault work ------------------------------------------------------------
def _plan_png_validate(vault: Vault, args: dict[str, Any]) -> Plan:
    refs = args.get("refs")
    if refs is not None and (not isinstance(refs, list) or not all(isinstance(r, str) for r in refs)):
        raise InvalidInputError("A PNG check job takes a list of take references, or none for every take.")
    for ref in refs or []:
        vault.take(ref)
    return Plan({"refs": refs or None})


def _run_png_validate(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    rows = vault.pngs.validate(args.get("refs"))
    progress(len(rows))
    return [r.to_json() if hasattr(r, "to_json") else r for r in rows]


def _plan_nothing(vault: Vault, args: dict[str, Any]) -> Plan:
    if args:
        raise InvalidInputError(f"This job takes no arguments; drop {', '.join(sorted(args))}.")
    return Plan({})


def _run_fsck(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    return vault.fsck().to_json()


def _run_rebuild(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    return vault.rebuild_catalog().to_json()


_IMPORT_OPTIONS = ("shot", "map_pattern", "create_shots", "dry_run", "allow_duplicates")


def _plan_import(vault: Vault, args: dict[str, Any]) -> Plan:
    paths = args.get("paths")
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise InvalidInputError("An import job needs 'paths': the files or folders to import, as seen by the workers.")
    unknown = sorted(set(args) - {"paths", *_IMPORT_OPTIONS})
    if unknown:
        raise InvalidInputError(f"An import job does not take {', '.join(unknown)}; use {', '.join(_IMPORT_OPTIONS)}.")
    return Plan(dict(args))


def _run_import(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    options = {k: args[k] for k in _IMPORT_OPTIONS if k in args}
    return vault.import_paths(args["paths"], progress=progress, **options).to_json()


_EXPORT_OPTIONS = ("starred", "shot", "section", "kind", "status", "min_rating", "search")


def _plan_export(vault: Vault, args: dict[str, Any]) -> Plan:
    if not isinstance(args.get("dest"), str) or not args["dest"]:
        raise InvalidInputError("An export job needs 'dest': the folder to export to, as seen by the workers.")
    unknown = sorted(set(args) - {"dest", *_EXPORT_OPTIONS})
    if unknown:
        raise InvalidInputError(f"An export job does not take {', '.join(unknown)}; use {', '.join(_EXPORT_OPTIONS)}.")
    return Plan(dict(args))


def _run_export(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    options = {k: args[k] for k in _EXPORT_OPTIONS if k in args}
    return vault.export_folder(args["dest"], progress=progress, **options).to_json()


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("compare", "analysing", _plan_compare, _run_compare),
        Kind("proxy", "making the browser proxy", _plan_proxy, _run_proxy),
        Kind("still", "making the still", _plan_still, _run_still),
        Kind("png_validate", "checking workflow PNGs", _plan_png_validate, _run_png_validate),
        Kind("fsck", "checking the vault", _plan_nothing, _run_fsck),
        Kind("rebuild", "rebuilding the catalog", _plan_nothing, _run_rebuild),
        Kind("import", "importing", _plan_import, _run_import),
        Kind("export", "exporting", _plan_export, _run_export),
    )
}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInputError(f"There is no job kind {name!r}; use one of {', '.join(KINDS)}.") from None
