"""Generation summaries from ComfyUI, A1111/Forge and InvokeAI metadata, and container tags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takevault.media.generation import parse_a1111, summarize, workflow_to_graph
from takevault.media.probe import probe
from takevault.media.stills import container_texts, first_frame, read_container_tags
from takevault.media.workflow_png import inspect_png
from tests.clips import make_clip
from tests.media.workflows import (
    A1111_PARAMETERS,
    INVOKE_METADATA,
    comfy_png,
    comfy_prompt,
    comfy_workflow,
)


def test_comfyui_prompt_summary() -> None:
    gen = summarize({"prompt": comfy_prompt()})
    assert gen == {
        "source": "comfyui",
        "positive": "a red fox running through snow, cinematic lighting",
        "negative": "blurry, low quality, watermark",
        "seed": 156680208700286,
        "steps": 30,
        "cfg": 6.0,
        "sampler": "uni_pc",
        "scheduler": "simple",
        "model": "wan2.1_t2v_1.3B_fp16.safetensors",
        "loras": [{"name": "fox_style_v2.safetensors", "strength_model": 0.8, "strength_clip": 1.0}],
        "frames": 33,
        "width": 832,
        "height": 480,
    }


def test_editor_workflow_alone_gives_the_same_summary() -> None:
    prompt = comfy_prompt()
    assert summarize({"workflow": comfy_workflow(prompt)}) == summarize({"prompt": prompt})


def test_workflow_muted_nodes_are_ignored_and_unknown_widgets_are_numbered() -> None:
    workflow = comfy_workflow(comfy_prompt())
    workflow["nodes"].append({"id": 99, "type": "LoraLoader", "mode": 4, "widgets_values": ["off.safetensors", 1, 1]})
    workflow["nodes"].append({"id": 77, "type": "MyCustomNode", "widgets_values": [5, "x"]})
    graph = workflow_to_graph(workflow)
    assert "99" not in graph
    assert graph["77"]["inputs"] == {"widget_0": 5, "widget_1": "x"}
    assert [lora["name"] for lora in summarize({"workflow": workflow})["loras"]] == ["fox_style_v2.safetensors"]


def test_new_style_link_objects() -> None:
    workflow = comfy_workflow(comfy_prompt())
    workflow["links"] = [
        {"id": link[0], "origin_id": link[1], "origin_slot": link[2], "target_id": link[3], "target_slot": link[4]}
        for link in workflow["links"]
    ]
    assert summarize({"workflow": workflow})["positive"].startswith("a red fox")


def test_sampler_custom_advanced_chain() -> None:
    prompt = {
        "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors", "weight_dtype": "fp8"}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a castle", "clip": ["9", 0]}},
        "3": {"class_type": "RandomNoise", "inputs": {"noise_seed": 42}},
        "4": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
        "5": {
            "class_type": "BasicScheduler",
            "inputs": {"scheduler": "beta", "steps": 20, "denoise": 1, "model": ["1", 0]},
        },
        "6": {
            "class_type": "CFGGuider",
            "inputs": {"cfg": 3.5, "model": ["1", 0], "positive": ["2", 0], "negative": ["2", 0]},
        },
        "7": {
            "class_type": "SamplerCustomAdvanced",
            "inputs": {"noise": ["3", 0], "guider": ["6", 0], "sampler": ["4", 0], "sigmas": ["5", 0]},
        },
        "8": {"class_type": "PrimitiveInt", "inputs": {"value": 7}},
        "9": {"class_type": "CLIPLoader", "inputs": {"clip_name": "t5.safetensors"}},
    }
    gen = summarize({"prompt": prompt})
    assert (gen["seed"], gen["steps"], gen["cfg"], gen["sampler"], gen["scheduler"]) == (42, 20, 3.5, "euler", "beta")
    assert gen["positive"] == "a castle" and gen["model"] == "flux1-dev.safetensors"


def test_seed_wired_from_a_primitive_node() -> None:
    prompt = comfy_prompt()
    prompt["3"]["inputs"]["seed"] = ["60", 0]
    prompt["60"] = {"class_type": "Seed (rgthree)", "inputs": {"seed": 1234}}
    assert summarize({"prompt": prompt})["seed"] == 1234


def test_power_lora_loader() -> None:
    prompt = comfy_prompt()
    prompt["61"] = {
        "class_type": "Power Lora Loader (rgthree)",
        "inputs": {
            "lora_1": {"on": True, "lora": "detail.safetensors", "strength": 0.5},
            "lora_2": {"on": False, "lora": "off.safetensors", "strength": 1},
        },
    }
    names = [lora["name"] for lora in summarize({"prompt": prompt})["loras"]]
    assert names == ["fox_style_v2.safetensors", "detail.safetensors"]


def test_a1111_parameters() -> None:
    gen = parse_a1111(A1111_PARAMETERS)
    assert gen["positive"].startswith("masterpiece, a lighthouse at dusk")
    assert gen["negative"] == "lowres, bad anatomy"
    assert (gen["steps"], gen["sampler"], gen["scheduler"], gen["cfg"], gen["seed"]) == (
        28,
        "DPM++ 2M",
        "Karras",
        7,
        3141592653,
    )
    assert (gen["width"], gen["height"], gen["model"]) == (768, 512, "v1-5-pruned-emaonly")
    assert gen["loras"] == [{"name": "film_grain", "strength_model": 0.6}]


def test_a1111_prompt_only() -> None:
    gen = parse_a1111("just a prompt, no settings")
    assert gen["positive"] == "just a prompt, no settings" and gen["seed"] is None


def test_invokeai_metadata() -> None:
    gen = summarize({"invokeai_metadata": INVOKE_METADATA})
    assert gen["source"] == "invokeai"
    assert (gen["seed"], gen["steps"], gen["cfg"], gen["model"]) == (2718281828, 30, 7.5, "Juggernaut XL v9")
    assert gen["loras"] == [{"name": "pixel-art-xl", "strength_model": 0.75}]


def test_nothing_gives_every_field_empty() -> None:
    gen = summarize({})
    assert gen["source"] is None and gen["loras"] == [] and gen["seed"] is None


# -- containers ------------------------------------------------------------------------
@pytest.mark.parametrize(("suffix", "keys"), [(".mp4", ("prompt", "workflow")), (".mkv", ("PROMPT", "WORKFLOW"))])
def test_container_tags_written_like_comfyui(tmp_path: Path, suffix: str, keys: tuple[str, str]) -> None:
    prompt = comfy_prompt()
    meta = ((keys[0], json.dumps(prompt)), (keys[1], json.dumps(comfy_workflow(prompt))))
    video = make_clip(tmp_path / f"fox{suffix}", frames=4, metadata=meta)
    texts = container_texts(read_container_tags(video))
    assert json.loads(texts["prompt"]) == prompt
    assert json.loads(texts["workflow"])["nodes"]
    assert container_texts(probe(video).tags) == texts


def test_webm_tags(tmp_path: Path) -> None:
    prompt = comfy_prompt(seed=5)
    video = make_clip(tmp_path / "fox.webm", frames=3, metadata=(("PROMPT", json.dumps(prompt)),))
    assert json.loads(container_texts(read_container_tags(video))["prompt"])["3"]["inputs"]["seed"] == 5


def test_vhs_comment_tag(tmp_path: Path) -> None:
    prompt = comfy_prompt()
    comment = json.dumps({"prompt": json.dumps(prompt), "workflow": comfy_workflow(prompt)})
    video = make_clip(tmp_path / "vhs.mp4", frames=3, metadata=(("comment", comment),))
    texts = container_texts(read_container_tags(video))
    assert json.loads(texts["prompt"]) == prompt and json.loads(texts["workflow"])["nodes"]


def test_no_tags(tmp_path: Path, clip: Path) -> None:
    assert container_texts(read_container_tags(clip)) == {}
    assert read_container_tags(tmp_path / "missing.mp4") == {}


def test_first_frame(clip: Path) -> None:
    from tests.clips import ClipSpec, frame_rgb

    img = first_frame(clip)
    assert img.size == (64, 48) and img.mode == "RGB"
    import numpy as np

    expected = frame_rgb(ClipSpec(), 0).astype(int)
    assert np.abs(np.asarray(img).astype(int) - expected).mean() < 12


def test_first_frame_of_a_non_video(tmp_path: Path) -> None:
    from takevault.errors import MediaError

    png = comfy_png(tmp_path / "x.png")
    bogus = tmp_path / "x.mp4"
    bogus.write_bytes(b"not a video at all" * 10)
    with pytest.raises(MediaError, match="could not be decoded"):
        first_frame(bogus)
    assert inspect_png(png).status == "present"
