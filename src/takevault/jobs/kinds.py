"""What each kind of job does: check and normalise its arguments when asked, then run one Vault call.

`plan` runs where the job is asked for (a CLI, a web request), so bad input is
refused at once in one sentence and never queued; `run` runs on a worker (or in
the foreground, for the CLI) with a progress callback (units of work done, added
up) and returns the Vault call's own value, which the CLI renders as before;
`result` turns that value into the JSON kept on the job's row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takevault.errors import CatalogNotEmptyError, ConflictError, InvalidInputError

if TYPE_CHECKING:
    from takevault.vault import Vault

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Plan:
    args: dict[str, Any]
    total: int | None = None
    dedupe: str | None = None
    """Jobs with the same key share one row while it is queued, running or done (derived files)."""


def _as_json(value: Any, args: dict[str, Any] | None = None) -> Any:
    return value.to_json() if hasattr(value, "to_json") else value


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    plan: Callable[[Vault, dict[str, Any]], Plan]
    run: Callable[[Vault, dict[str, Any], Progress], Any]
    result: Callable[[Any, dict[str, Any]], Any] = _as_json
    """The row's JSON from `run`'s value and the job's arguments."""


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


def _unknown(args: dict[str, Any], what: str, allowed: tuple[str, ...]) -> None:
    extra = sorted(set(args) - set(allowed))
    if extra:
        use = f"use {', '.join(allowed)}" if allowed else "it takes no arguments"
        raise InvalidInputError(f"{what} does not take {', '.join(extra)}; {use}.")


def _flag(args: dict[str, Any], name: str, what: str) -> bool:
    value = args.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what}: '{name}' is true or false, not {value!r}.")
    return value


# -- compare -----------------------------------------------------------------
def _plan_compare(vault: Vault, args: dict[str, Any]) -> Plan:
    if "out" in args:
        return _plan_compare_here(vault, args)
    _unknown(args, "A compare job", ("a", "b"))
    a, _ta, va = _version_arg(vault, args.get("a"), "compare")
    b, _tb, vb = _version_arg(vault, args.get("b"), "compare")
    frames = (va.media.frames or 0) + (vb.media.frames or 0)
    same_edit = va.media.fps_text == vb.media.fps_text and abs((va.media.frames or 0) - (vb.media.frames or 0)) <= 1
    # A second, aligned pass decodes both again when the edits differ (see compare.report).
    total = frames if same_edit else 2 * frames
    return Plan({"a": a, "b": b}, total=total or None, dedupe=f"compare:{va.sha256}-{vb.sha256}")


def _compare_side(vault: Vault, side: Any) -> str:
    """A file that exists (kept as its absolute path), else a take version, as `compare` takes them."""
    from takevault.media.formats import VIDEO_SUFFIXES

    if not isinstance(side, str) or not side.strip():
        raise InvalidInputError("A compare job needs a take, take version or video file on each side.")
    path = Path(side).expanduser()
    if path.exists():
        return str(path.resolve())
    if path.suffix.lower() in VIDEO_SUFFIXES:
        raise InvalidInputError(f"{side} does not exist; give an existing video file or a take reference.")
    return _version_arg(vault, side, "compare")[0]


def _plan_compare_here(vault: Vault, args: dict[str, Any]) -> Plan:
    """A comparison made for whoever asked (`takevault compare`): its pictures go to `out`, not the derived cache."""
    _unknown(args, "A compare job", ("a", "b", "out", "video"))
    out = args.get("out")
    if out is not None and (not isinstance(out, str) or not out):
        raise InvalidInputError("A compare job's 'out' is a folder for its report and pictures, or null for none.")
    video = _flag(args, "video", "A compare job")
    if video and out is None:
        raise InvalidInputError("A side-by-side video needs a folder to go in; add --out DIR.")
    a, b = _compare_side(vault, args.get("a")), _compare_side(vault, args.get("b"))
    return Plan({"a": a, "b": b, "out": str(Path(out).resolve()) if out else None, "video": video})


def _run_compare(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    if "out" in args:
        for side in (args["a"], args["b"]):
            if not Path(side).exists():
                _alive(vault, side)
        return vault.compare(args["a"], args["b"], out_dir=args["out"], progress=progress, video=args["video"])
    _alive(vault, args["a"])
    _alive(vault, args["b"])
    report, _folder = vault.review_compare(args["a"], args["b"], progress=progress)
    return report


def _compare_result(report: dict[str, Any], args: dict[str, Any]) -> Any:
    # The row keeps what the comparison found in brief; the report itself is in `out` or the derived cache.
    brief = {"a": args["a"], "b": args["b"], "segments": len(report.get("segments") or [])}
    if "out" in args:
        brief.update(verdict=(report.get("summary") or {}).get("verdict"), out=args["out"])
    return brief


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
        vault.resolve_version(ref)  # a take (every version) or one version, as `png validate` takes them
    return Plan({"refs": refs or None})


def _run_png_validate(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    rows = vault.pngs.validate(args.get("refs"))
    progress(len(rows))
    return rows


def _png_result(rows: list[Any], args: dict[str, Any]) -> Any:
    return [_as_json(r) for r in rows]


def _plan_fsck(vault: Vault, args: dict[str, Any]) -> Plan:
    _unknown(args, "An fsck job", ("repair", "idle_seconds"))
    idle = args.get("idle_seconds", 60.0)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or idle < 0:
        raise InvalidInputError(f"An fsck job's 'idle_seconds' is a number of seconds, 0 or more, not {idle!r}.")
    return Plan({"repair": _flag(args, "repair", "An fsck job"), "idle_seconds": float(idle)})


def _run_fsck(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    return vault.fsck(repair=bool(args.get("repair")), idle_seconds=float(args.get("idle_seconds", 60.0)))


def _plan_rebuild(vault: Vault, args: dict[str, Any]) -> Plan:
    # Never a silent throw-away: without `force` a catalog holding anything is refused; with it the
    # old catalog is copied aside first and the result says where (as `catalog rebuild --force`).
    _unknown(args, "A rebuild job", ("force",))
    return Plan({"force": _flag(args, "force", "A rebuild job")})


def _run_rebuild(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    try:
        return vault.rebuild_catalog(force=bool(args.get("force")))
    except CatalogNotEmptyError as refused:
        # Whoever reads a job's error asked for the job (the web, the API): no CLI flag to name.
        raise refused.told('ask for the rebuild job again with "force": true') from None


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
    return vault.import_paths(args["paths"], progress=progress, **options)


_EXPORT_OPTIONS = ("starred", "shot", "section", "kind", "status", "min_rating", "search", "as_of", "approved")


def _plan_export(vault: Vault, args: dict[str, Any]) -> Plan:
    if not isinstance(args.get("dest"), str) or not args["dest"]:
        raise InvalidInputError("An export job needs 'dest': the folder to export to, as seen by the workers.")
    unknown = sorted(set(args) - {"dest", *_EXPORT_OPTIONS})
    if unknown:
        raise InvalidInputError(f"An export job does not take {', '.join(unknown)}; use {', '.join(_EXPORT_OPTIONS)}.")
    if args.get("as_of") is not None:
        from takevault.editorial.stars import parse_moment

        if not isinstance(args["as_of"], str):
            raise InvalidInputError("An export job's 'as_of' is a moment in ISO 8601, e.g. 2025-05-01T14:30.")
        args = {**args, "as_of": parse_moment(args["as_of"]).isoformat()}
    return Plan(dict(args))


def _run_export(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    options = {k: args[k] for k in _EXPORT_OPTIONS if k in args}
    if options.get("as_of") is not None:
        options["as_of"] = datetime.fromisoformat(options["as_of"])
    return vault.export_folder(args["dest"], progress=progress, **options)


# -- review notes that follow the next version --------------------------------------
def _plan_notes_follow(vault: Vault, args: dict[str, Any]) -> Plan:
    ref = args.get("take")
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInputError("A notes_follow job needs 'take': the take whose notes move, like SH010/video_02.")
    take = vault.take(ref.strip())
    numbers = []
    for key in ("from_version", "to_version"):
        value = args.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError(f"A notes_follow job needs '{key}': a version number of {take.ref}, like 3.")
        vault.resolve_version(f"{take.id}@v{value}")
        numbers.append(value)
    if numbers[0] == numbers[1]:
        raise InvalidInputError(f"v{numbers[0]} is the version the notes are on; carry them to another one.")
    # The person who asked is named in the event, not the worker that runs it.
    by = vault.user
    return Plan({"take": take.id, "from_version": numbers[0], "to_version": numbers[1], "by": by}, total=2)


def _run_notes_follow(vault: Vault, args: dict[str, Any], progress: Progress) -> Any:
    from takevault.vault.notes_follow import carry_notes

    _alive(vault, args["take"])
    take = vault.take(args["take"])
    with vault.acting_as(args.get("by")):
        carried = carry_notes(vault, take, args["from_version"], args["to_version"], progress=progress)
    return {"take": take.id, "to_version": args["to_version"], "carried": len(carried)}


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("compare", "analysing", _plan_compare, _run_compare, _compare_result),
        Kind("proxy", "making the browser proxy", _plan_proxy, _run_proxy),
        Kind("still", "making the still", _plan_still, _run_still),
        Kind("png_validate", "checking workflow PNGs", _plan_png_validate, _run_png_validate, _png_result),
        Kind("fsck", "checking the vault", _plan_fsck, _run_fsck),
        Kind("rebuild", "rebuilding the catalog", _plan_rebuild, _run_rebuild),
        Kind("import", "importing", _plan_import, _run_import),
        Kind("export", "exporting", _plan_export, _run_export),
        Kind("notes_follow", "following notes", _plan_notes_follow, _run_notes_follow),
    )
}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInputError(f"There is no job kind {name!r}; use one of {', '.join(KINDS)}.") from None
