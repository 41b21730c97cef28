"""The circle check of `make lint` (scripts/import_cycles.py) catches what it is there to catch."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "import_cycles.py"


@pytest.fixture(scope="module")
def import_cycles():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_package(root: Path, name: str, modules: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts the root first
    return tmp_path


def unique() -> str:
    return f"pkg_{uuid.uuid4().hex[:8]}"  # grimp finds packages through sys.path: no name reused


def test_a_circle_through_a_function_level_import_fails_and_names_its_modules(import_cycles, root, capsys):
    name = unique()
    write_package(
        root,
        name,
        {
            "services": f"from {name} import helpers\n\ndef run():\n    return helpers.x()\n",
            "tasks": "def queue():\n    from . import services\n    return services.run()\n",
            "helpers": "def x():\n    from .tasks import queue\n    return queue\n",
        },
    )

    assert import_cycles.main(["--root", str(root)]) == 1

    err = capsys.readouterr().err
    assert f"circle of 3 modules: {name}.helpers, {name}.services, {name}.tasks" in err
    assert "from . import services" in err  # the line that closes it, with its number
    assert "line 2:" in err


def test_modules_importing_one_way_pass(import_cycles, root, capsys):
    name = unique()
    write_package(
        root,
        name,
        {
            "base": "X = 1\n",
            "top": f"from {name}.base import X\n\ndef f():\n    from {name} import base\n    return base\n",
        },
    )

    assert import_cycles.main(["--root", str(root)]) == 0
    assert "no circle" in capsys.readouterr().out


def test_a_package_missing_from_the_layering_contracts_fails(import_cycles, root, capsys):
    listed, forgotten = unique(), unique()
    write_package(root, listed, {"a": "A = 1\n"})
    write_package(root, forgotten, {"b": "B = 1\n"})
    (root / ".importlinter").write_text(f"[importlinter]\nroot_packages =\n    {listed}\n")

    assert import_cycles.main(["--root", str(root)]) == 1
    assert f"package {forgotten!r} is not in root_packages" in capsys.readouterr().err


def test_the_repository_has_no_circle_and_every_package_is_layered(import_cycles, capsys):
    assert import_cycles.main([]) == 0, capsys.readouterr().err
