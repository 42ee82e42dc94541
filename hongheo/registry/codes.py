"""Code lists of the registry with their Vietnamese labels (shown in pages and exports).

The lists themselves are data (``data/code_lists.json``, loaded by :mod:`.code_lists`); this
module keeps the older names (``HOUSING_QUALITY``, ``label``…) working.
"""

from __future__ import annotations

from . import code_lists

HOUSING_QUALITY = code_lists.labels("housing_quality")
WATER_SOURCE = code_lists.labels("water_source")
TOILET = code_lists.labels("toilet")
WASTE_HANDLING = code_lists.labels("waste_handling")
EMPLOYMENT = code_lists.labels("employment")
EDUCATION_LEVEL = code_lists.labels("education_level")
ALL = {
    "housing_quality": HOUSING_QUALITY,
    "water_source": WATER_SOURCE,
    "toilet": TOILET,
    "waste_handling": WASTE_HANDLING,
    "employment": EMPLOYMENT,
    "education_level": EDUCATION_LEVEL,
}


def label(list_name: str, code: str | None) -> str:
    """Label of a code; any list of ``code_lists.json`` works (e.g. ``poverty_cause``)."""
    return code_lists.label(list_name, code)
