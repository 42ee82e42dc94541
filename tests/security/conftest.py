"""Security tests reuse the import helpers (loaded from the imports conftest by path: importlib mode)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

_spec = importlib.util.spec_from_file_location(
    "_imports_helpers", Path(__file__).parent.parent / "imports" / "conftest.py"
)
assert _spec and _spec.loader
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)


@pytest.fixture
def imp():
    return SimpleNamespace(
        household_rows=_helpers.household_rows,
        to_csv=_helpers.to_csv,
        run=_helpers.run_import,
        pid=_helpers.pid,
        headings=_helpers.HEADINGS,
    )
