"""The package's import graph, read statically by grimp (import-linter's graph library).

Run alone with: .venv/bin/pytest tests/test_architecture.py
"""

from __future__ import annotations

import re

import grimp
import pytest

pytestmark = pytest.mark.no_database


def test_no_module_imports_one_that_imports_it_back():
    """No cycle, direct or through other modules, including imports inside functions."""
    graph = grimp.build_graph("taskforce", cache_dir=None)
    cycles = sorted(
        f"{importer} -> {imported} -> ... -> {importer}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )
    assert cycles == []


def test_no_domain_imports_another_domains_private_names():
    """A name starting with an underscore is its own package's business."""
    graph = grimp.build_graph("taskforce", cache_dir=None)
    private = sorted(
        f"{importer}:{detail['line_number']} {detail['line_contents']}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if _domain(importer) != _domain(imported)
        for detail in graph.get_import_details(importer=importer, imported=imported)
        if re.search(r"import (.*, )?_", detail["line_contents"])
    )
    assert private == []


def _domain(module: str) -> str:
    """taskforce.actions.views -> actions; taskforce.mail -> mail."""
    return module.split(".")[1] if "." in module else ""
