"""How a picture was made, read from what ComfyUI, A1111/Forge and InvokeAI write.

`summarize(chunks)` takes parsed chunk values by keyword (`prompt`, `workflow`,
`parameters`, `invokeai_metadata`) and returns one flat summary: positive and
negative prompt, seed, steps, cfg, sampler, scheduler, model, LoRAs, frame
count and size. Graph walking is generic (follow links upstream from the
sampler, take the nearest node that has the input), so custom sampler chains
such as SamplerCustomAdvanced → RandomNoise/BasicScheduler/CFGGuider work too.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from typing import Any, TypeGuard

SUMMARY_FIELDS = (
    "source",
    "positive",
    "negative",
    "seed",
    "steps",
    "cfg",
    "sampler",
    "scheduler",
    "model",
    "loras",
    "frames",
    "width",
    "height",
)

# Widget names by node type, in the order the ComfyUI editor stores `widgets_values`.
WIDGETS: dict[str, tuple[str, ...]] = {
    "KSampler": ("seed", "control_after_generate", "steps", "cfg", "sampler_name", "scheduler", "denoise"),
    "KSamplerAdvanced": (
        "add_noise",
        "noise_seed",
        "control_after_generate",
        "steps",
        "cfg",
        "sampler_name",
        "scheduler",
        "start_at_step",
        "end_at_step",
        "return_with_leftover_noise",
    ),
    "SamplerCustom": ("add_noise", "noise_seed", "control_after_generate", "cfg"),
    "RandomNoise": ("noise_seed", "control_after_generate"),
    "KSamplerSelect": ("sampler_name",),
    "BasicScheduler": ("scheduler", "steps", "denoise"),
    "CFGGuider": ("cfg",),
    "CLIPTextEncode": ("text",),
    "CheckpointLoaderSimple": ("ckpt_name",),
    "UNETLoader": ("unet_name", "weight_dtype"),
    "CLIPLoader": ("clip_name", "type", "device"),
    "VAELoader": ("vae_name",),
    "LoraLoader": ("lora_name", "strength_model", "strength_clip"),
    "LoraLoaderModelOnly": ("lora_name", "strength_model"),
    "EmptyLatentImage": ("width", "height", "batch_size"),
    "EmptySD3LatentImage": ("width", "height", "batch_size"),
    "EmptyHunyuanLatentVideo": ("width", "height", "length", "batch_size"),
    "EmptyLTXVLatentVideo": ("width", "height", "length", "batch_size"),
    "EmptyMochiLatentVideo": ("width", "height", "length", "batch_size"),
    "EmptyCosmosLatentVideo": ("width", "height", "length", "batch_size"),
    "WanImageToVideo": ("width", "height", "length", "batch_size"),
    "ModelSamplingSD3": ("shift",),
    "PrimitiveNode": ("value", "control_after_generate"),
}

SEED_INPUTS = ("seed", "noise_seed")
MODEL_INPUTS = ("ckpt_name", "unet_name", "model_name", "model_path", "gguf_name")
TEXT_INPUTS = ("text", "text_g", "text_l", "prompt", "string", "value")
FRAME_INPUTS = ("length", "frames", "num_frames", "video_length", "frame_count")


def _is_link(value: Any) -> TypeGuard[list[Any]]:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str | int) and isinstance(value[1], int)


def _ordered(graph: dict[str, Any]) -> list[str]:
    def key(node_id: str) -> tuple[int, Any]:
        head = str(node_id).split(":")[0]
        return (0, int(head)) if head.isdigit() else (1, str(node_id))

    return sorted(graph, key=key)


# -- the editor graph, turned into the API graph's shape ------------------------------
def workflow_to_graph(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ComfyUI editor `workflow` as `{id: {class_type, inputs}}`, links as `[from_id, slot]`.

    Widget values are named from WIDGETS (or `widget_N` for node types we do not know),
    so both kinds of graph can be summarised and diffed the same way.
    """
    links: dict[Any, tuple[str, int]] = {}
    for link in workflow.get("links") or []:
        if isinstance(link, list) and len(link) >= 3:
            links[link[0]] = (str(link[1]), int(link[2]) if isinstance(link[2], int) else 0)
        elif isinstance(link, dict) and "id" in link:
            links[link["id"]] = (str(link.get("origin_id")), int(link.get("origin_slot") or 0))
    graph: dict[str, dict[str, Any]] = {}
    for node in workflow.get("nodes") or []:
        if not isinstance(node, dict) or node.get("mode") in (2, 4):  # muted or bypassed
            continue
        ntype = str(node.get("type", ""))
        inputs: dict[str, Any] = {}
        widgets = node.get("widgets_values")
        if isinstance(widgets, dict):
            inputs.update({str(k): v for k, v in widgets.items() if not isinstance(v, dict | list)})
        elif isinstance(widgets, list):
            names = WIDGETS.get(ntype)
            for index, value in enumerate(widgets):
                name = names[index] if names and index < len(names) else f"widget_{index}"
                inputs[name] = value
        for slot in node.get("inputs") or []:
            if isinstance(slot, dict) and slot.get("link") in links:
                inputs[str(slot.get("name"))] = list(links[slot["link"]])
        graph[str(node.get("id"))] = {"class_type": ntype, "inputs": inputs}
    return graph


# -- walking a graph ----------------------------------------------------------------
class _Graph:
    def __init__(self, graph: dict[str, Any]) -> None:
        self.nodes = {str(k): v for k, v in graph.items() if isinstance(v, dict)}

    def inputs(self, node_id: str) -> dict[str, Any]:
        node = self.nodes.get(str(node_id)) or {}
        inputs = node.get("inputs")
        return inputs if isinstance(inputs, dict) else {}

    def ctype(self, node_id: str) -> str:
        return str((self.nodes.get(str(node_id)) or {}).get("class_type", ""))

    def value(self, node_id: str, name: str, depth: int = 0) -> Any:
        """An input's value, following a link to a primitive node when it is wired."""
        value = self.inputs(node_id).get(name)
        if _is_link(value) and depth < 8:
            source = str(value[0])
            for candidate in (name, "value", "seed", "noise_seed", "int", "float", "string", "text"):
                if candidate in self.inputs(source):
                    return self.value(source, candidate, depth + 1)
            return None
        return value

    def upstream(self, start: str, via: Iterable[str] | None = None) -> Iterable[str]:
        """Node ids reachable upstream from `start`, nearest first (optionally entering only by `via` inputs)."""
        seen = {str(start)}
        queue = deque([str(start)])
        first = True
        while queue:
            node_id = queue.popleft()
            yield node_id
            for name, value in self.inputs(node_id).items():
                if first and via is not None and name not in via:
                    continue
                if _is_link(value) and str(value[0]) not in seen and str(value[0]) in self.nodes:
                    seen.add(str(value[0]))
                    queue.append(str(value[0]))
            first = False

    def find(self, start: str, names: Iterable[str], via: Iterable[str] | None = None) -> Any:
        names = tuple(names)
        for node_id in self.upstream(start, via):
            for name in names:
                if name in self.inputs(node_id):
                    value = self.value(node_id, name)
                    if value is not None and not _is_link(value):
                        return value
        return None


_SAMPLER_TYPES = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced")


def _samplers(g: _Graph) -> list[str]:
    found = []
    for node_id in _ordered(g.nodes):
        inputs = g.inputs(node_id)
        ctype = g.ctype(node_id)
        if ctype in _SAMPLER_TYPES or ("steps" in inputs and "sampler_name" in inputs) or "latent_image" in inputs:
            found.append(node_id)
    return found


def _text_from(g: _Graph, start: str, which: str) -> str | None:
    for node_id in g.upstream(start):
        value = g.inputs(node_id).get(which)
        if _is_link(value):
            texts = []
            for source in g.upstream(str(value[0])):
                for name in TEXT_INPUTS:
                    text = g.value(source, name)
                    if isinstance(text, str) and text.strip():
                        texts.append(text)
                        break
            return " ".join(dict.fromkeys(texts)) if texts else None
    return None


def _loras(g: _Graph) -> list[dict[str, Any]]:
    loras: list[dict[str, Any]] = []
    for node_id in _ordered(g.nodes):
        inputs = g.inputs(node_id)
        if isinstance(inputs.get("lora_name"), str):
            lora: dict[str, Any] = {"name": inputs["lora_name"], "strength_model": inputs.get("strength_model")}
            if "strength_clip" in inputs:
                lora["strength_clip"] = inputs.get("strength_clip")
            loras.append(lora)
        for value in inputs.values():
            # rgthree "Power Lora Loader" keeps each LoRA as {"on", "lora", "strength"}.
            if isinstance(value, dict) and isinstance(value.get("lora"), str) and value.get("on", True):
                loras.append({"name": value["lora"], "strength_model": value.get("strength")})
    return loras


def summarize_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """Generation summary from a ComfyUI prompt graph (or an editor workflow turned into one)."""
    g = _Graph(graph)
    out: dict[str, Any] = {"source": "comfyui"}
    samplers = _samplers(g)
    if samplers:
        main = samplers[0]
        out["seed"] = g.find(main, SEED_INPUTS)
        out["steps"] = g.find(main, ("steps",))
        out["cfg"] = g.find(main, ("cfg",))
        out["sampler"] = g.find(main, ("sampler_name",))
        out["scheduler"] = g.find(main, ("scheduler",))
        out["positive"] = _text_from(g, main, "positive")
        out["negative"] = _text_from(g, main, "negative")
        out["model"] = g.find(main, MODEL_INPUTS)
    if not out.get("model"):
        for node_id in _ordered(g.nodes):
            for name in MODEL_INPUTS:
                if isinstance(g.inputs(node_id).get(name), str):
                    out["model"] = g.inputs(node_id)[name]
                    break
            if out.get("model"):
                break
    out["loras"] = _loras(g)
    for node_id in _ordered(g.nodes):
        ctype = g.ctype(node_id)
        if "Latent" not in ctype and "ImageToVideo" not in ctype:
            continue
        for name in FRAME_INPUTS:
            frames = g.value(node_id, name)
            if isinstance(frames, int):
                out.setdefault("frames", frames)
                break
        width, height = g.value(node_id, "width"), g.value(node_id, "height")
        if isinstance(width, int) and isinstance(height, int):
            out.setdefault("width", width)
            out.setdefault("height", height)
    return out


# -- Automatic1111 / Forge -------------------------------------------------------------
_A1111_PARAM = re.compile(r'\s*([\w][\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_LORA_TAG = re.compile(r"<(lora|lyco):([^:>]+)(?::([-\d.]+))?(?::[^>]*)?>")


def parse_a1111(text: str) -> dict[str, Any]:
    """Summary from an A1111/Forge `parameters` chunk."""
    lines = text.strip().split("\n")
    fields: dict[str, str] = {}
    if lines and len(_A1111_PARAM.findall(lines[-1])) >= 3:
        for key, value in _A1111_PARAM.findall(lines.pop()):
            value = value.strip()
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1].replace('\\"', '"')
            fields[key.strip()] = value
    positive: list[str] = []
    negative: list[str] = []
    target = positive
    for line in lines:
        if line.startswith("Negative prompt:"):
            target = negative
            line = line[len("Negative prompt:") :].strip()
        target.append(line)
    pos = "\n".join(positive).strip()
    out: dict[str, Any] = {
        "source": "a1111",
        "positive": pos or None,
        "negative": "\n".join(negative).strip() or None,
        "seed": _number(fields.get("Seed")),
        "steps": _number(fields.get("Steps")),
        "cfg": _number(fields.get("CFG scale")),
        "sampler": fields.get("Sampler"),
        "scheduler": fields.get("Schedule type"),
        "model": fields.get("Model") or fields.get("Model hash"),
        "loras": [
            {"name": name, "strength_model": _number(weight) if weight else 1.0}
            for _kind, name, weight in _LORA_TAG.findall(pos)
        ],
    }
    size = re.fullmatch(r"(\d+)x(\d+)", fields.get("Size", ""))
    if size:
        out["width"], out["height"] = int(size.group(1)), int(size.group(2))
    frames = _number(fields.get("Frames") or fields.get("Video length"))
    if frames is not None:
        out["frames"] = frames
    return out


def _number(text: str | None) -> int | float | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


# -- InvokeAI ----------------------------------------------------------------------------
def _name(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("name") or value.get("model_name") or value.get("key")
    return value


def parse_invokeai(meta: dict[str, Any]) -> dict[str, Any]:
    """Summary from InvokeAI's `invokeai_metadata` (3.x/4.x/5.x shape)."""
    loras = []
    for lora in meta.get("loras") or []:
        if isinstance(lora, dict):
            model = lora.get("model") or lora.get("lora")
            loras.append({"name": _name(model), "strength_model": lora.get("weight")})
    return {
        "source": "invokeai",
        "positive": meta.get("positive_prompt"),
        "negative": meta.get("negative_prompt"),
        "seed": meta.get("seed"),
        "steps": meta.get("steps"),
        "cfg": meta.get("cfg_scale"),
        "sampler": meta.get("scheduler"),
        "scheduler": meta.get("scheduler"),
        "model": _name(meta.get("model")),
        "loras": loras,
        "width": meta.get("width"),
        "height": meta.get("height"),
    }


# -- one entry point --------------------------------------------------------------------
def summarize(values: dict[str, Any]) -> dict[str, Any]:
    """Flat summary from parsed chunk values by keyword; every SUMMARY_FIELDS key is present."""
    summary: dict[str, Any] = {}
    if isinstance(values.get("prompt"), dict):
        summary = summarize_graph(values["prompt"])
    elif isinstance(values.get("workflow"), dict):
        summary = summarize_graph(workflow_to_graph(values["workflow"]))
    elif isinstance(values.get("invokeai_metadata"), dict):
        summary = parse_invokeai(values["invokeai_metadata"])
    elif isinstance(values.get("parameters"), str):
        summary = parse_a1111(values["parameters"])
    out = {name: summary.get(name) for name in SUMMARY_FIELDS}
    out["loras"] = summary.get("loras") or []
    return out


def graph_of(values: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The node graph to diff: the API prompt when there is one, else the editor workflow."""
    if isinstance(values.get("prompt"), dict):
        return "prompt", values["prompt"]
    if isinstance(values.get("workflow"), dict):
        return "workflow", workflow_to_graph(values["workflow"])
    if isinstance(values.get("invokeai_graph"), dict):
        nodes = values["invokeai_graph"].get("nodes")
        if isinstance(nodes, dict):
            graph = {
                str(k): {"class_type": str(v.get("type", "")), "inputs": {a: b for a, b in v.items() if a != "type"}}
                for k, v in nodes.items()
                if isinstance(v, dict)
            }
            return "invokeai_graph", graph
    return None, {}
