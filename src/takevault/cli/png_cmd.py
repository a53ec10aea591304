"""`takevault png …` (validate, attach, regenerate, repair, show, extract) and `takevault diff-params`.

Each command parses, makes one `Vault` call and renders the result through `ui`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from takevault.cli import ui
from takevault.cli.context import vault as open_vault

png_app = typer.Typer(
    help="Workflow PNGs: the still, prompt and ComfyUI workflow kept with every take version.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
TakeArg = Annotated[str, typer.Argument(help="SH010/video_03, SH010/video_03@v2 or the take's UUID.")]

# Statuses that mean a PNG needs attention; any of them makes `png validate` exit 1.
PROBLEMS = ("invalid", "stale", "placeholder", "missing")


@png_app.command("validate")
def validate(
    ctx: typer.Context,
    takes: Annotated[list[str] | None, typer.Argument(help="Takes to check (every version); default all.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the workflow PNG of every take version; exits 1 when any is invalid, stale, empty or missing."""
    rows = open_vault(ctx).pngs.validate(takes or None)
    if as_json:
        ui.print_json(rows)
    else:
        ui.table(
            "Workflow PNGs",
            ("take version", "status", "reason"),
            [[r["ref"], r["status"], r["reason"] or ""] for r in rows],
        )
    bad = [r for r in rows if r["status"] in PROBLEMS]
    if bad:
        fixes = "run 'takevault png repair TAKE' or 'takevault png regenerate TAKE'"
        ui.info(f"{len(bad)} of {len(rows)} workflow PNGs need attention; {fixes}.")
        raise typer.Exit(1)
    if not as_json:
        ui.info(f"All {len(rows)} workflow PNGs are fine.")


@png_app.command("attach")
def attach(
    ctx: typer.Context,
    take: TakeArg,
    png: Annotated[Path, typer.Argument(help="The workflow PNG, e.g. ComfyUI's gen_00001.png next to gen_00001.mp4.")],
    as_json: JsonOpt = False,
) -> None:
    """Store a PNG as the workflow PNG of a take version (a new PNG version; the old one is kept)."""
    result = open_vault(ctx).pngs.attach(take, png)
    if as_json:
        ui.print_json(result)
        return
    status = result["status"] + (f" ({result['reason']})" if result["reason"] else "")
    ui.info(f"Attached {result['file']} to {result['ref']}: {status}.")


@png_app.command("regenerate")
def regenerate(ctx: typer.Context, take: TakeArg, as_json: JsonOpt = False) -> None:
    """Make a new PNG: first frame plus the container's prompt/workflow, else what the catalog kept."""
    result = open_vault(ctx).pngs.regenerate(take)
    if as_json:
        ui.print_json(result)
        return
    source = {"container": "the video's tags", "catalog": "the catalog", "still": "no workflow (a still only)"}
    ui.info(f"Regenerated the PNG of {result['ref']} from {source[result['source']]}: {result['status']}.")


@png_app.command("repair")
def repair(ctx: typer.Context, take: TakeArg, as_json: JsonOpt = False) -> None:
    """Re-encode a damaged PNG, keeping every chunk whose content parses; says what could not be saved."""
    result = open_vault(ctx).pngs.repair(take)
    if as_json:
        ui.print_json(result)
        return
    if not result["changed"]:
        ui.info(f"The PNG of {result['ref']} is {result['status']}; nothing to repair.")
        return
    ui.info(f"Repaired the PNG of {result['ref']}: {result['status']}.")
    pixels = {"kept": "re-encoded", "replaced": "lost; a new still of the first frame was used"}
    ui.info(f"  pixels: {pixels.get(result['pixels'], result['pixels'])}")
    for label in ("kept", "fixed", "restored", "lost"):
        if result[label]:
            ui.info(f"  {label}: {'; '.join(result[label])}")


def _loras(loras: list[dict[str, Any]]) -> str:
    parts = []
    for lora in loras:
        weights = [str(lora[k]) for k in ("strength_model", "strength_clip") if lora.get(k) is not None]
        parts.append(f"{lora.get('name')} ({'/'.join(weights)})" if weights else str(lora.get("name")))
    return ", ".join(parts)


@png_app.command("show")
def show(ctx: typer.Context, take: TakeArg, as_json: JsonOpt = False) -> None:
    """The generation behind a take: prompts, seed, steps, cfg, sampler, scheduler, model, LoRAs, frames, size."""
    result = open_vault(ctx).pngs.show(take)
    if as_json:
        ui.print_json(result)
        return
    gen = result["generation"]
    size = f"{gen['width']}x{gen['height']}" if gen.get("width") else None
    status = result["status"] + (f" ({result['reason']})" if result["reason"] else "")
    ui.fields(
        [
            ("take", result["ref"]),
            ("png", status),
            ("made with", gen.get("source")),
            ("positive", gen.get("positive")),
            ("negative", gen.get("negative")),
            ("seed", gen.get("seed")),
            ("steps", gen.get("steps")),
            ("cfg", gen.get("cfg")),
            ("sampler", gen.get("sampler")),
            ("scheduler", gen.get("scheduler")),
            ("model", gen.get("model")),
            ("loras", _loras(gen.get("loras") or [])),
            ("frames", gen.get("frames")),
            ("size", size),
        ]
    )
    if result["from"] == "catalog":
        ui.info("The PNG itself is not usable; these values come from what the catalog kept.")


@png_app.command("extract")
def extract(
    ctx: typer.Context,
    take: TakeArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write the workflow JSON to.")],
) -> None:
    """Write the take's workflow JSON, ready to drop into ComfyUI."""
    result = open_vault(ctx).pngs.extract(take, output)
    ui.info(f"Wrote the {result['kind']} of {result['ref']} to {result['dest']}.")


def _value(value: Any) -> str:
    return "(none)" if value is None or value == "" else str(value)


def diff_params(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="A take, take version (SH010/video_01@v2) or workflow PNG file.")],
    b: Annotated[str, typer.Argument(help="The take, version or PNG to compare it with.")],
    as_json: JsonOpt = False,
) -> None:
    """What changed between two takes' generations: prompt words, seed, steps, cfg, sampler, model, LoRAs, nodes."""
    result = open_vault(ctx).pngs.diff_params(a, b)
    if as_json:
        ui.print_json(result)
        return
    if result["same"]:
        ui.info(f"{a} and {b} were generated with the same parameters.")
        return
    rows: list[list[str]] = [[f["field"], _value(f["a"]), _value(f["b"])] for f in result["fields"]]
    for which in ("prompt", "negative"):
        words = result[which]
        if words["added"] or words["removed"]:
            rows.append([f"{which} words", "- " + " ".join(words["removed"]), "+ " + " ".join(words["added"])])
    loras = result["loras"]
    for lora in loras["removed"]:
        rows.append(["lora", _loras([lora]), "(removed)"])
    for lora in loras["added"]:
        rows.append(["lora", "(added)", _loras([lora])])
    for change in loras["changed"]:
        rows.append(
            [f"lora {change['name']}", _loras([{"name": "", **change["a"]}]), _loras([{"name": "", **change["b"]}])]
        )
    graph = result["graph"]
    for node in graph["nodes_removed"]:
        rows.append([f"node {node['id']}", node["type"], "(removed)"])
    for node in graph["nodes_added"]:
        rows.append([f"node {node['id']}", "(added)", node["type"]])
    for change in graph["values_changed"] + graph["links_changed"]:
        rows.append(
            [f"node {change['node']} {change['type']}.{change['input']}", _value(change["a"]), _value(change["b"])]
        )
    ui.table(f"{a} → {b}", ("what", "a", "b"), rows)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(png_app, name="png")
    app.command("diff-params")(diff_params)
