"""The shape of the code: short modules, no private names across modules, no import cycle,
and an engine that is one file plus one row of the registry."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mtfix.engines import base
from mtfix.engines.base import TranslateConfig, create_engine

PACKAGE = Path(__file__).resolve().parent.parent / "mtfix"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base_parts = module.split(".")[: -node.level] if node.level else []
    return ".".join(base_parts + ([node.module] if node.module else []))


def test_no_module_is_over_400_lines():
    long = {path.relative_to(PACKAGE.parent).as_posix(): n for path in MODULES
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_no_module_imports_a_private_name_of_another():
    found = []
    for path in MODULES:
        module = _name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported_modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _resolve(module, node).startswith("mtfix"):
                source = _resolve(module, node)
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__") and source != module:
                        found.append(f"{module}: from {source} import {alias.name}")
                    imported_modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("mtfix"):
                        imported_modules.add((alias.asname or alias.name).split(".")[0])
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in imported_modules and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                found.append(f"{module}: {node.value.id}.{node.attr}")
    assert found == []


def test_module_level_imports_have_no_cycle():
    """Imports at the top of a module (those inside functions are lazy, by design: ``mtfix
    --help`` loads no torch) form no cycle."""
    names = {_name(path): path for path in MODULES}
    graph: dict[str, set[str]] = {}
    for module, path in names.items():
        edges = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = []
            if isinstance(node, ast.ImportFrom):
                source = _resolve(module, node)
                targets = [f"{source}.{alias.name}" for alias in node.names] + [source]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                # "from mtfix.engines import hf" is the module mtfix.engines.hf
                while target and target not in names:
                    target = target.rpartition(".")[0]
                if target and target != module and target.startswith("mtfix"):
                    edges.add(target)
        graph[module] = edges

    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            # a package's __init__ is imported before its modules: an edge to a parent package is not a cycle
            if node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


class ShoutingEngine:
    """A whole engine in a few lines (no tokenizer, no word links): every sentence back in
    capitals."""

    name = "shouting"

    def __init__(self, config):
        self.config = config

    def check(self):
        pass

    def model_for(self, lang):
        return "shouting"

    def translate(self, texts, lang, terms=None):
        return [base.EngineOutput(text.upper(), 0.0, "shouting") for text in texts]


def test_adding_an_engine_is_one_module_and_one_registry_row(monkeypatch, tmp_path):
    from mtfix.pipeline import translate_file

    monkeypatch.setitem(base.ENGINES, "shouting", f"{__name__}:ShoutingEngine")
    assert "shouting" in base.engine_names()
    engine = create_engine(TranslateConfig(engine="shouting"))
    source = tmp_path / "a.txt"
    source.write_text("Perusahaan itu merekrut peneliti top.\n", encoding="utf-8")
    document = translate_file(source, out_dir=tmp_path, translate_config=TranslateConfig(engine="shouting"),
                              engine=engine)
    assert (tmp_path / "a.en.txt").read_text(encoding="utf-8") == "PERUSAHAAN ITU MEREKRUT PENELITI TOP.\n"
    assert [t.engine for t in document.translations.values()] == ["shouting"]


@pytest.mark.parametrize("module", [_name(path) for path in MODULES if path.name != "__main__.py"])
def test_every_module_imports_on_its_own(module):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
