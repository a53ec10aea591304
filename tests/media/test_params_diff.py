"""The generation-parameter diff between two takes."""

from __future__ import annotations

from takevault.media.params_diff import diff_params, prompt_words, word_diff
from tests.media.workflows import A1111_PARAMETERS, comfy_prompt, comfy_workflow, variant


def test_identical() -> None:
    result = diff_params({"prompt": comfy_prompt()}, {"prompt": comfy_prompt()})
    assert result["same"] is True
    assert result["fields"] == [] and result["prompt"] == {"added": [], "removed": []}


def test_settings_prompt_and_loras() -> None:
    a = comfy_prompt()
    b = comfy_prompt(
        seed=7,
        steps=20,
        cfg=5.0,
        sampler="euler",
        lora_strength=0.6,
        positive="a red fox walking through deep snow, cinematic lighting",
    )
    result = diff_params({"prompt": a}, {"prompt": b})
    assert result["same"] is False
    fields = {f["field"]: (f["a"], f["b"]) for f in result["fields"]}
    assert fields == {
        "seed": (156680208700286, 7),
        "steps": (30, 20),
        "cfg": (6.0, 5.0),
        "sampler": ("uni_pc", "euler"),
    }
    assert result["prompt"] == {"added": ["walking", "deep"], "removed": ["running"]}
    assert result["loras"]["changed"] == [
        {
            "name": "fox_style_v2.safetensors",
            "a": {"strength_model": 0.8, "strength_clip": 1.0},
            "b": {"strength_model": 0.6, "strength_clip": 1.0},
        }
    ]
    changed = {(c["node"], c["input"]) for c in result["graph"]["values_changed"]}
    assert {("3", "seed"), ("3", "steps"), ("6", "text"), ("49", "strength_model")} <= changed


def test_nodes_added_removed_and_retyped() -> None:
    a = comfy_prompt()
    b = comfy_prompt()
    del b["50"]
    b["60"] = {"class_type": "SaveAnimatedWEBP", "inputs": {"images": ["8", 0], "fps": 16}}
    b["48"] = {"class_type": "ModelSamplingAuraFlow", "inputs": {"shift": 8.0, "model": ["49", 0]}}
    graph = diff_params({"prompt": a}, {"prompt": b})["graph"]
    assert {"id": "60", "type": "SaveAnimatedWEBP"} in graph["nodes_added"]
    assert {"id": "50", "type": "VHS_VideoCombine"} in graph["nodes_removed"]
    assert {"id": "48", "type": "ModelSamplingSD3"} in graph["nodes_removed"]
    assert {"id": "48", "type": "ModelSamplingAuraFlow"} in graph["nodes_added"]


def test_rewired_input_is_a_link_change() -> None:
    a = comfy_prompt()
    b = variant(a, **{"3__model": ["49", 0]})
    links = diff_params({"prompt": a}, {"prompt": b})["graph"]["links_changed"]
    assert links == [
        {"node": "3", "type": "KSampler", "input": "model", "a": "node 48 output 0", "b": "node 49 output 0"}
    ]


def test_workflow_only_graphs_diff_by_widget_name() -> None:
    a = comfy_workflow(comfy_prompt())
    b = comfy_workflow(comfy_prompt(seed=99, sampler="euler"))
    result = diff_params({"workflow": a}, {"workflow": b})
    assert result["graph"]["a"] == "workflow"
    changed = {(c["node"], c["input"], c["b"]) for c in result["graph"]["values_changed"]}
    assert ("3", "seed", 99) in changed and ("3", "sampler_name", "euler") in changed


def test_lora_added_and_removed() -> None:
    a = comfy_prompt()
    b = comfy_prompt()
    b["49"]["inputs"]["lora_name"] = "other.safetensors"
    loras = diff_params({"prompt": a}, {"prompt": b})["loras"]
    assert [x["name"] for x in loras["added"]] == ["other.safetensors"]
    assert [x["name"] for x in loras["removed"]] == ["fox_style_v2.safetensors"]


def test_across_tools_and_nothing() -> None:
    result = diff_params({"prompt": comfy_prompt()}, {"parameters": A1111_PARAMETERS})
    assert result["source"] == {"a": "comfyui", "b": "a1111"}
    assert result["same"] is False
    empty = diff_params({}, {})
    assert empty["same"] is True


def test_words() -> None:
    assert prompt_words("(masterpiece:1.2), A Fox, a fox!") == ["masterpiece", "a", "fox", "a", "fox"]
    assert word_diff("a fox", "a fox a fox") == {"added": ["a", "fox"], "removed": []}
    assert word_diff(None, "x") == {"added": ["x"], "removed": []}
