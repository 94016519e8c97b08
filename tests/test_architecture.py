"""The apps stay in their layers (pyproject.toml, [tool.importlinter]) and no import hides inside a function.

import-linter reads every import, even one placed inside a function, so an import moved into a function cannot
dodge the contract; the second test keeps such imports from coming back at all: a lower layer that must react to a
higher one does it through a hook table the higher app fills in its AppConfig.ready() (docs/architecture.md,
« Couches »), and a higher app imports what it needs at the top of its module, where a reader sees it.
"""

import ast
import tomllib
from pathlib import Path

from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "fabriques"
# Top-level modules outside every layer: the entry points, which import Django's machinery only.
OUTSIDE_LAYERS = {"__init__", "__main__", "wsgi"}


def _app_of(path: Path, package: Path) -> str:
    parts = path.relative_to(package).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imported_modules(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "fabriques":  # from fabriques import dossiers
            return [f"fabriques.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def _imports_inside_functions(path: Path, package: Path = PACKAGE) -> list[str]:
    """`file:line module` for each import of another fabriques app inside a function of this file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    app = _app_of(path, package)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and function.name == "ready":
            continue  # AppConfig.ready() fills lower layers' hook tables: models can only be imported once loaded
        for node in ast.walk(function):
            for module in _imported_modules(node):
                parts = module.split(".")
                if parts[0] == "fabriques" and len(parts) > 1 and parts[1] != app:
                    found.append(f"{path.relative_to(package)}:{node.lineno} {module}")
    return sorted(set(found))


def _source_files():
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def test_no_import_of_another_app_inside_a_function():
    offenders = [line for path in _source_files() for line in _imports_inside_functions(path)]
    assert offenders == [], (
        "Imports of another app placed inside a function (move them to the top of the module; a lower layer "
        "reacts to a higher one through a hook table filled in AppConfig.ready()):\n" + "\n".join(offenders)
    )


def test_the_check_finds_an_import_hidden_in_a_function_and_spares_ready(tmp_path):
    (tmp_path / "calls").mkdir()
    hidden = tmp_path / "calls" / "views.py"
    hidden.write_text("from fabriques.accounts.models import User\n\n\n"
                      "def page():\n    from fabriques.dossiers.models import Dossier\n    return Dossier, User\n")
    ready = tmp_path / "calls" / "apps.py"
    ready.write_text("class CallsConfig:\n    def ready(self):\n        from fabriques.dossiers.rules import HOOKS\n")
    same_app = tmp_path / "calls" / "domain.py"
    same_app.write_text("def load():\n    from fabriques.calls.models import Call\n    return Call\n")
    assert _imports_inside_functions(hidden, tmp_path) == ["calls/views.py:5 fabriques.dossiers.models"]
    assert _imports_inside_functions(ready, tmp_path) == []
    assert _imports_inside_functions(same_app, tmp_path) == []


def test_every_app_and_module_has_its_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers" and "containers" not in c)["layers"]
    in_layers = {name.strip().removeprefix("fabriques.") for layer in layers for name in layer.split("|")}
    present = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    present |= {p.stem for p in PACKAGE.glob("*.py")} - OUTSIDE_LAYERS
    assert present - in_layers == set(), "apps or modules missing from the layers of pyproject.toml"
    assert in_layers - present == set(), "layers naming an app that does not exist"


def test_the_import_contracts_are_kept(capsys):
    configuration.configure()  # import-linter's adapters, as its command line sets them
    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out
