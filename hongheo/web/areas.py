"""Area names as people read them in lists: a commune name that occurs in two provinces (there are
several "Xã Tân Lập") shows its province."""

from __future__ import annotations

from collections import Counter
from typing import Any


def with_display_names(areas: list[Any]) -> list[Any]:
    """Set ``display_name`` on each area: the name, plus " (province)" when the name is not unique
    in the list (or across the country, for communes). Returns the same list."""
    from hongheo.geography.models import Area

    names = Counter(a.name for a in areas)
    communes = [a for a in areas if a.level == Area.Level.COMMUNE]
    if communes:
        elsewhere = Counter(
            Area.objects.filter(level=Area.Level.COMMUNE, name__in={a.name for a in communes}).values_list(
                "name", flat=True
            )
        )
        names.update({n: elsewhere[n] - 1 for n in elsewhere if elsewhere[n] > 1})
    for a in areas:
        parent = getattr(a, "parent", None)
        a.display_name = f"{a.name} ({parent.name})" if names[a.name] > 1 and parent is not None else a.name
    return areas
