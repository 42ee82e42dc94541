"""The reporting calendar (QĐ 24/2021 Art. 7): which reports are due for a year, and whether each
was produced on time.

The due dates come from the review procedure's data (``hongheo.reviews`` ``procedure.json``,
``settings.reports``); how "by the 5th" and "before 15/11" are read (inclusive or not) is this
package's catalog data (``calendar.deadline_inclusive``), because the legal wording leaves it open.
The date logic is pure; :func:`calendar_for` adds the submissions recorded in the database.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STATE_LABELS_VI = {
    "on_time": "Đã nộp đúng hạn",
    "late": "Nộp muộn",
    "overdue": "Quá hạn, chưa nộp",
    "due_soon": "Sắp đến hạn",
    "pending": "Chưa đến hạn",
}
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class DueReport:
    code: str  # monthly / preliminary / official
    title_vi: str
    year: int
    month: int | None  # the month the monthly report is due in
    due_on: dt.date  # the date as the rule states it
    last_on_time: dt.date  # the last day a submission counts as on time
    period_start: dt.date
    period_end: dt.date

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.code, self.year, self.month)

    @property
    def label_vi(self) -> str:
        if self.month:
            return f"{self.title_vi} (hạn tháng {self.month}/{self.year})"
        return f"{self.title_vi} năm {self.year}"


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, _cal.monthrange(year, month)[1])


def due_reports(
    year: int,
    spec: Sequence[Mapping[str, Any]],
    *,
    inclusive: Mapping[str, bool],
    yearly_start: tuple[int, int] = (9, 1),
) -> list[DueReport]:
    """Every report due in ``year`` under ``spec`` (the procedure's ``settings.reports`` value).

    ``due`` is ``monthly-DD`` (in each of ``months``) or ``MM-DD``. When the deadline is not
    inclusive ("trước ngày 15/11") the last on-time day is the day before. A monthly report covers
    the previous calendar month (the regular review runs from the 15th of each month)."""
    out: list[DueReport] = []
    for item in spec:
        code = str(item["code"])
        due = str(item["due"])
        incl = bool(inclusive.get(code, due.startswith("monthly-")))
        if due.startswith("monthly-"):
            day = int(due.split("-", 1)[1])
            for month in item.get("months") or range(1, 13):
                due_on = dt.date(year, int(month), day)
                prev_year, prev_month = (year, int(month) - 1) if int(month) > 1 else (year - 1, 12)
                start, end = _month_bounds(prev_year, prev_month)
                out.append(
                    DueReport(
                        code=code,
                        title_vi=str(item["title"]),
                        year=year,
                        month=int(month),
                        due_on=due_on,
                        last_on_time=due_on if incl else due_on - dt.timedelta(days=1),
                        period_start=start,
                        period_end=end,
                    )
                )
        else:
            month_s, day_s = due.split("-")
            due_on = dt.date(year, int(month_s), int(day_s))
            last = due_on if incl else due_on - dt.timedelta(days=1)
            out.append(
                DueReport(
                    code=code,
                    title_vi=str(item["title"]),
                    year=year,
                    month=None,
                    due_on=due_on,
                    last_on_time=last,
                    period_start=dt.date(year, *yearly_start),
                    period_end=last,
                )
            )
    return sorted(out, key=lambda d: (d.last_on_time, d.code))


def report_state(due: DueReport, submitted_on: dt.date | None, today: dt.date) -> str:
    """on_time / late (submitted after the last on-time day) / overdue (not submitted, past it) /
    due_soon (not submitted, within a week of it) / pending."""
    if submitted_on is not None:
        return "on_time" if submitted_on <= due.last_on_time else "late"
    if today > due.last_on_time:
        return "overdue"
    if (due.last_on_time - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "pending"


@dataclass(frozen=True)
class CalendarLine:
    due: DueReport
    submitted_on: dt.date | None
    submission_id: int | None
    state: str

    @property
    def state_label_vi(self) -> str:
        return STATE_LABELS_VI[self.state]

    @property
    def highlight(self) -> bool:
        return self.state in ("late", "overdue")


def calendar_lines(
    dues: Iterable[DueReport],
    submissions: Mapping[tuple[str, int, int | None], tuple[dt.date, int]],
    today: dt.date,
) -> list[CalendarLine]:
    """Join due reports with the first submission recorded for each (code, year, month)."""
    lines = []
    for due in dues:
        sub = submissions.get(due.key)
        lines.append(
            CalendarLine(
                due=due,
                submitted_on=sub[0] if sub else None,
                submission_id=sub[1] if sub else None,
                state=report_state(due, sub[0] if sub else None, today),
            )
        )
    return lines


# --- with the database ---------------------------------------------------------------------------


def shipped_due_reports(year: int) -> list[DueReport]:
    from hongheo.reviews.procedure import setting, value

    from .catalog import catalog

    window = value("yearly_window")
    start_m, start_d = (int(x) for x in window["start"].split("-"))
    return due_reports(
        year,
        setting("reports")["value"],
        inclusive=catalog().calendar.get("deadline_inclusive", {}),
        yearly_start=(start_m, start_d),
    )


def due_report(code: str, year: int, month: int | None) -> DueReport | None:
    for due in shipped_due_reports(year):
        if due.code == code and due.month == (month if code == "monthly" else None):
            return due
    return None


def calendar_for(area: Any, year: int, today: dt.date) -> list[CalendarLine]:
    """The calendar of ``area`` for ``year``: each due report with its first recorded submission."""
    from .models import ReportSubmission

    first: dict[tuple[str, int, int | None], tuple[dt.date, int]] = {}
    for sub in ReportSubmission.objects.filter(area=area, year=year).order_by("submitted_on", "id"):
        first.setdefault((sub.calendar_code, sub.year, sub.month), (sub.submitted_on, sub.pk))
    return calendar_lines(shipped_due_reports(year), first, today)
