"""The layer rules (the core never imports the CLI, web or boto3 layers), checked by reading imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "takevault"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        target = PACKAGE / part
        found += [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))
    return [p for p in found if p.exists()]


@pytest.mark.parametrize(
    "path",
    _modules("models.py", "errors.py", "config.py", "vault", "catalog", "compare", "store", "media", "editorial"),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_core_never_imports_ui_frameworks(path: Path) -> None:
    assert not _imports(path) & {"typer", "rich", "fastapi", "click", "starlette", "uvicorn"}


@pytest.mark.parametrize("path", _modules("."), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_s3_store_imports_boto3(path: Path) -> None:
    if path.relative_to(PACKAGE).as_posix() != "store/s3.py":
        assert not _imports(path) & {"boto3", "botocore", "s3transfer"}


@pytest.mark.parametrize("path", _modules("."), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_media_and_compare_import_av(path: Path) -> None:
    top = path.relative_to(PACKAGE).parts[0]
    if top not in ("media", "compare"):
        assert "av" not in _imports(path)


def test_errors_module_draws_its_tree() -> None:
    import takevault.errors as errors

    for name in errors.__all__:
        assert name in (errors.__doc__ or ""), f"{name} missing from the tree in errors.py"


def _vault_classes() -> list[tuple[Path, ast.ClassDef]]:
    return [
        (path, node)
        for path in _modules("vault")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    ]


def test_vault_is_one_composed_class_without_mixins() -> None:
    from takevault.vault import Vault

    for path, node in _vault_classes():
        bases = [ast.unparse(b) for b in node.bases]
        assert not [b for b in bases if b.endswith("Mixin")], f"{path.name}: {node.name} inherits a mixin {bases}"
        assert not node.name.endswith("Mixin"), f"{path.name}: {node.name}"
    vault_class = [node for path, node in _vault_classes() if node.name == "Vault"]
    assert len(vault_class) == 1 and vault_class[0].bases == []
    assert Vault.__mro__ == (Vault, object)


def _names_a_vault(node: ast.expr) -> bool:
    """`vault`, `self` (no other class in vault/ is a vault) or `<anything>.vault` / `._vault`."""
    if isinstance(node, ast.Name):
        return node.id in ("vault", "self")
    return isinstance(node, ast.Attribute) and node.attr in ("vault", "_vault")


@pytest.mark.parametrize("path", _modules("vault"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_use_case_looks_up_another_on_the_vault_by_name(path: Path) -> None:
    # Use cases call each other directly; only the store's optional extras are probed (on `vault.store`).
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            assert not (node.args and _names_a_vault(node.args[0])), f"line {node.lineno}: {ast.unparse(node)}"


def test_the_vault_methods_are_use_case_functions_taking_the_vault_first() -> None:
    import inspect

    from takevault.vault import Vault

    bound = {
        name: value
        for name, value in vars(Vault).items()
        if inspect.isfunction(value) and value.__module__ != Vault.__module__
    }
    assert {"add", "replace", "star", "delete", "fsck", "takes"} <= set(bound)
    for name, function in bound.items():
        first = next(iter(inspect.signature(function).parameters))
        assert first == "vault", f"Vault.{name} is {function.__module__}.{function.__name__}({first}, …)"


def test_png_and_people_verbs_are_only_on_their_sub_facades() -> None:
    from takevault.vault import Vault
    from takevault.vault.people import People
    from takevault.vault.pngs import Pngs

    flat = ["png_validate", "png_show", "attach_workflow_png", "diff_params", "add_user", "users", "sign_in"]
    assert [name for name in flat if hasattr(Vault, name)] == []
    assert {"attach", "validate", "regenerate", "repair", "show", "extract", "diff_params"} <= set(vars(Pngs))
    assert {"add", "users", "find", "set_role", "new_token", "sign_in", "identify_session"} <= set(vars(People))
