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
