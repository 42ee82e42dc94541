"""Errors and row issues of the linkage engine (pure: no Django)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem with one input row. ``row`` is the 1-based data row (the header is not counted)."""

    row: int | None
    column: str | None
    message: str
    level: str = "error"  # "error" | "warning"

    def text(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column is not None:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class LinkInputError(ValueError):
    """Input that cannot be linked; carries the first error and, when known, all of them."""

    def __init__(self, issues: list[RowIssue] | RowIssue) -> None:
        self.issues = [issues] if isinstance(issues, RowIssue) else list(issues)
        first = self.issues[0]
        self.row = first.row
        self.column = first.column
        super().__init__(first.text())
