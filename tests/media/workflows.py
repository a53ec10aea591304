"""Workflow PNGs written the way the tools write them (Pillow PngInfo, same chunk names and JSON shapes).

- ComfyUI `SaveImage`: `metadata.add_text("prompt", json.dumps(prompt))`, then one
  `add_text(key, json.dumps(value))` per extra_pnginfo key (`workflow`).
- VideoHelperSuite `VHS_VideoCombine` first-frame PNG: the same plus `CreationTime`.
- A1111/Forge: one `parameters` chunk of plain text.
- InvokeAI: `invokeai_metadata`, `invokeai_workflow`, `invokeai_graph` JSON chunks.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin


def comfy_prompt(
    *,
    seed: int = 156680208700286,
    steps: int = 30,
    cfg: float = 6.0,
    sampler: str = "uni_pc",
    scheduler: str = "simple",
    positive: str = "a red fox running through snow, cinematic lighting",
    negative: str = "blurry, low quality, watermark",
    lora_strength: float = 0.8,
    length: int = 33,
) -> dict[str, Any]:
    """A Wan 2.1 text-to-video API graph as ComfyUI queues it."""
    return {
        "3": {
            "class_type": "KSampler",
            "inputs": {
                "seed": seed,
                "steps": steps,
                "cfg": cfg,
                "sampler_name": sampler,
                "scheduler": scheduler,
                "denoise": 1.0,
                "model": ["48", 0],
                "positive": ["6", 0],
                "negative": ["7", 0],
                "latent_image": ["40", 0],
            },
            "_meta": {"title": "KSampler"},
        },
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": positive, "clip": ["49", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": negative, "clip": ["49", 1]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["39", 0]}},
        "37": {
            "class_type": "UNETLoader",
            "inputs": {"unet_name": "wan2.1_t2v_1.3B_fp16.safetensors", "weight_dtype": "default"},
        },
        "38": {
            "class_type": "CLIPLoader",
            "inputs": {"clip_name": "umt5_xxl_fp8_e4m3fn_scaled.safetensors", "type": "wan", "device": "default"},
        },
        "39": {"class_type": "VAELoader", "inputs": {"vae_name": "wan_2.1_vae.safetensors"}},
        "40": {
            "class_type": "EmptyHunyuanLatentVideo",
            "inputs": {"width": 832, "height": 480, "length": length, "batch_size": 1},
        },
        "48": {"class_type": "ModelSamplingSD3", "inputs": {"shift": 8.0, "model": ["49", 0]}},
        "49": {
            "class_type": "LoraLoader",
            "inputs": {
                "lora_name": "fox_style_v2.safetensors",
                "strength_model": lora_strength,
                "strength_clip": 1.0,
                "model": ["37", 0],
                "clip": ["38", 0],
            },
        },
        "50": {
            "class_type": "VHS_VideoCombine",
            "inputs": {
                "frame_rate": 16,
                "loop_count": 0,
                "filename_prefix": "fox",
                "format": "video/h264-mp4",
                "images": ["8", 0],
            },
        },
    }


def comfy_workflow(prompt: dict[str, Any]) -> dict[str, Any]:
    """The editor graph matching `comfy_prompt` (nodes with widgets_values, links as arrays)."""
    from takevault.media.generation import WIDGETS

    nodes = []
    links = []
    link_id = 0
    for node_id, node in prompt.items():
        ctype = node["class_type"]
        inputs = []
        for name, value in node["inputs"].items():
            if isinstance(value, list):
                link_id += 1
                links.append([link_id, int(value[0]), value[1], int(node_id), len(inputs), name.upper()])
                inputs.append({"name": name, "type": name.upper(), "link": link_id})
        names = WIDGETS.get(ctype)
        if names:
            widgets = [node["inputs"].get(n, "randomize" if n == "control_after_generate" else None) for n in names]
        elif ctype == "VHS_VideoCombine":
            widgets = {k: v for k, v in node["inputs"].items() if not isinstance(v, list)}
        else:
            widgets = [v for v in node["inputs"].values() if not isinstance(v, list)]
        nodes.append(
            {
                "id": int(node_id),
                "type": ctype,
                "pos": [100, 100],
                "size": [315, 262],
                "flags": {},
                "order": len(nodes),
                "mode": 0,
                "inputs": inputs,
                "outputs": [],
                "properties": {"Node name for S&R": ctype},
                "widgets_values": widgets,
            }
        )
    return {
        "last_node_id": max(int(k) for k in prompt),
        "last_link_id": link_id,
        "nodes": nodes,
        "links": links,
        "groups": [],
        "config": {},
        "extra": {"ds": {"scale": 1.0, "offset": [0, 0]}},
        "version": 0.4,
    }


def still(width: int = 64, height: int = 48, seed: int = 1) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8), "RGB")


def save_with_texts(path: Path, texts: list[tuple[str, str]], image: Image.Image | None = None) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, value in texts:
        info.add_text(key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    (image or still()).save(path, pnginfo=info, compress_level=4)
    return path


def comfy_png(path: Path, prompt: dict[str, Any] | None = None, *, vhs: bool = True, **kw: Any) -> Path:
    """A VideoHelperSuite-style first-frame PNG (ComfyUI chunks + CreationTime)."""
    prompt = prompt if prompt is not None else comfy_prompt(**kw)
    texts = [("prompt", json.dumps(prompt)), ("workflow", json.dumps(comfy_workflow(prompt)))]
    if vhs:
        texts.append(("CreationTime", "2025-03-14T10:22:31.123456"))
    return save_with_texts(path, texts)


A1111_PARAMETERS = (
    "masterpiece, a lighthouse at dusk, <lora:film_grain:0.6>, dramatic sky\n"
    "Negative prompt: lowres, bad anatomy\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 3141592653, "
    'Size: 768x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "film_grain: 1a2b3c", '
    "Version: v1.10.1"
)


def a1111_png(path: Path, parameters: str = A1111_PARAMETERS) -> Path:
    return save_with_texts(path, [("parameters", parameters)])


INVOKE_METADATA = {
    "generation_mode": "txt2img",
    "positive_prompt": "an astronaut riding a horse, oil painting",
    "negative_prompt": "text, watermark",
    "width": 1024,
    "height": 1024,
    "seed": 2718281828,
    "rand_device": "cpu",
    "cfg_scale": 7.5,
    "cfg_rescale_multiplier": 0,
    "steps": 30,
    "scheduler": "dpmpp_2m_k",
    "model": {"key": "a1b2", "hash": "blake3:0f", "name": "Juggernaut XL v9", "base": "sdxl", "type": "main"},
    "loras": [{"model": {"key": "c3", "name": "pixel-art-xl", "base": "sdxl", "type": "lora"}, "weight": 0.75}],
    "app_version": "5.6.0",
}


def invoke_png(path: Path) -> Path:
    graph = {
        "id": "sdxl_graph",
        "nodes": {
            "sdxl_model_loader": {
                "id": "sdxl_model_loader",
                "type": "sdxl_model_loader",
                "model": {"name": "Juggernaut XL v9"},
            },
            "denoise_latents": {"id": "denoise_latents", "type": "denoise_latents", "steps": 30, "cfg_scale": 7.5},
        },
        "edges": [],
    }
    workflow = {"name": "", "nodes": [{"id": "n1", "type": "invocation", "data": {}}], "edges": [], "version": "3.0.0"}
    return save_with_texts(
        path,
        [
            ("invokeai_metadata", json.dumps(INVOKE_METADATA)),
            ("invokeai_workflow", json.dumps(workflow)),
            ("invokeai_graph", json.dumps(graph)),
        ],
    )


def variant(prompt: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(prompt)
    for path, value in changes.items():
        node, name = path.split("__")
        out[node]["inputs"][name] = value
    return out
