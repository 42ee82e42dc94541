"""The writers of the linkage domain: extract upload and import, runs, decisions on candidates.

Every function that changes state is ``<entity>_<verb>(*, actor, …)``, checks the actor's area,
writes, and records an audit row in the same transaction. Nothing here changes the registry
except :func:`candidate_accept` with ``take_fields``, which goes through the registry's own
service (``member_update``, audited there).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

import polars as pl
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hongheo.core.jobs import Progress, job_enqueue
from hongheo.core.xlsx import ArchiveRefused, NotAnArchive, archive_limits, check_archive, run_limited
from hongheo.geography.models import Area
from hongheo.linkage.engine.errors import LinkInputError, RowIssue
from hongheo.linkage.engine.incremental import Candidate, record_keys, score_candidates
from hongheo.linkage.engine.model import ModelParams, default_model, level_of_weight, with_prior
from hongheo.linkage.engine.pipeline import link
from hongheo.linkage.engine.prepare import Prepared, prepare_population, prepare_registry, read_table
from hongheo.registry.models import Member, SupportReceived
from hongheo.registry.services import member_update
from hongheo.reviews.models import OfficialStatus
from hongheo.reviews.status import LISTED, covering
from hongheo.users.access import personal_scope_paths, scope_paths, user_can_manage_area
from hongheo.users.models import Role, User

from .models import (
    LinkageRun,
    LinkCandidate,
    LinkFinding,
    MatchCheck,
    PopulationExtract,
    PopulationPerson,
)

logger = logging.getLogger(__name__)

JOB_EXTRACT = "linkage.extract_import"
JOB_RUN = "linkage.run"
JOB_MATCH = "linkage.match_members"
#: support recorded this year or the year before counts as "still receiving support"
SUPPORT_RECENT_YEARS = 1
MAX_BYTES = 300 * 1024 * 1024
CHUNK = 5000
MAX_ISSUES_KEPT = 1000
TAKEABLE = ("full_name", "date_of_birth", "sex", "personal_id")
REVIEW_ROLES = {Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}


# --------------------------------------------------------------------------------------------
# access
# --------------------------------------------------------------------------------------------


def user_can_manage_linkage(user: Any, area: Area | None) -> bool:
    """Upload extracts and start runs: officers managing the area (province level for extracts)."""
    return user_can_manage_area(user, area)


def user_can_review_links(user: Any) -> bool:
    return isinstance(user, User) and user.role in REVIEW_ROLES


def _scope(user: Any, *, personal: bool = True) -> Q | None:
    """Candidates and findings name people: the personal-data scope of the one gate (an
    aggregate-only role without a grant has none); ``personal=False`` only to count them."""
    paths = personal_scope_paths(user) if personal else scope_paths(user)
    if not paths:
        return None
    q = Q()
    for p in paths:
        q |= Q(area_path__startswith=p)
    return q


def candidates_for(user: Any, *, personal: bool = True) -> QuerySet[LinkCandidate]:
    q = _scope(user, personal=personal)
    return LinkCandidate.objects.none() if q is None else LinkCandidate.objects.filter(q)


def findings_for(user: Any, *, personal: bool = True) -> QuerySet[LinkFinding]:
    q = _scope(user, personal=personal)
    return LinkFinding.objects.none() if q is None else LinkFinding.objects.filter(q)


def extracts_for(user: Any) -> QuerySet[PopulationExtract]:
    paths = scope_paths(user)
    provinces = {p.split("/")[2] for p in paths if len(p.split("/")) > 3}
    if not paths:
        return PopulationExtract.objects.none()
    if any(p.count("/") <= 2 for p in paths):  # central: every province
        return PopulationExtract.objects.all()
    return PopulationExtract.objects.filter(province__code__in=provinces)


def runs_for(user: Any) -> QuerySet[LinkageRun]:
    paths = scope_paths(user)
    if not paths:
        return LinkageRun.objects.none()
    q = Q()
    for p in paths:
        q |= Q(area__path__startswith=p) | Q(area__path__in=[p[: i + 1] for i, c in enumerate(p) if c == "/"])
    return LinkageRun.objects.filter(q).select_related("area", "extract")


def extract_for(user: Any, pk: int) -> PopulationExtract:
    extract = extracts_for(user).filter(pk=pk).select_related("province").first()
    if extract is None:
        raise NotFound(_("Không tìm thấy bản trích dữ liệu dân cư."))
    return extract


def run_for(user: Any, pk: int, *, personal: bool = False) -> LinkageRun:
    """A run (its summary is counts); ``personal=True`` for its findings and review queue, which
    an aggregate-only user without a grant does not see ("not found")."""
    run = runs_for(user).filter(pk=pk).first()
    if run is None or (personal and not personal_scope_paths(user)):
        raise NotFound(_("Không tìm thấy lần ghép."))
    return run


def candidate_for(user: Any, pk: int) -> LinkCandidate:
    cand = candidates_for(user).filter(pk=pk).select_related("member", "person", "household", "run").first()
    if cand is None:
        raise NotFound(_("Không tìm thấy cặp ghép."))
    return cand


def province_of(area: Area) -> Area:
    node = area
    while node.level != Area.Level.PROVINCE and node.parent_id is not None:
        node = node.parent  # type: ignore[assignment]
    if node.level != Area.Level.PROVINCE:
        raise ValidationError(_("Địa bàn không thuộc tỉnh nào."))
    return node


def current_extract(province: Area) -> PopulationExtract | None:
    return PopulationExtract.objects.filter(province=province, is_current=True).first()


# --------------------------------------------------------------------------------------------
# extracts
# --------------------------------------------------------------------------------------------


def _format(name: str) -> str:
    lower = name.lower()
    for ext, fmt in ((".csv", "csv"), (".xlsx", "xlsx"), (".parquet", "parquet")):
        if lower.endswith(ext):
            return fmt
    raise ValidationError(_("Tệp phải là .csv, .xlsx hoặc .parquet."))


def _check_xlsx(data: bytes) -> None:
    """The shared archive check (docs/security.md: per part, total, ratio; settings
    ``HONGHEO_XLSX_*``) before the file is kept."""
    try:
        check_archive(data, archive_limits())
    except NotAnArchive:
        raise ValidationError(_("Tệp .xlsx bị hỏng hoặc không phải Excel."))
    except ArchiveRefused as exc:
        raise ValidationError(str(exc))


def _read_extract(data: bytes, fmt: str) -> pl.DataFrame:
    """Parse an extract in the job; an Excel file again through the archive check, then in a child
    process under the memory ceiling (``HONGHEO_PARSE_MEMORY_MB``), like the household import."""
    if fmt != "xlsx":
        return read_table(data, fmt)
    try:
        check_archive(data, archive_limits())
        return run_limited(
            read_table, data, fmt, memory_mb=int(getattr(settings, "HONGHEO_PARSE_MEMORY_MB", 2048))
        )
    except ArchiveRefused as exc:  # also ParseTooBig: out of memory in the child
        raise LinkInputError(RowIssue(None, None, str(exc))) from exc


def extract_upload(*, actor: Any, province: Area, name: str, data: bytes) -> PopulationExtract:
    """Keep an uploaded extract as the next version of the province and queue its import."""
    if province.level != Area.Level.PROVINCE or not user_can_manage_area(
        actor, province, province_level=True
    ):
        raise PermissionDenied(_("Bạn không có quyền nhập dữ liệu dân cư của tỉnh này."))
    fmt = _format(name)
    if not data:
        raise ValidationError(_("Tệp rỗng."))
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Tệp lớn hơn %(value)s MB.") % {"value": MAX_BYTES // 1048576})
    if fmt == "xlsx":
        _check_xlsx(data)
    with transaction.atomic():
        version = (
            PopulationExtract.objects.filter(province=province).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        extract = PopulationExtract(
            province=province, version=version, file_name=name[-255:], created_by=actor
        )
        extract.file.save(f"dan-cu-{province.code}-v{version}.{fmt}", ContentFile(data), save=False)
        extract.save()
        audit_write(
            actor=actor,
            action="linkage.extract_upload",
            obj=extract,
            after={"file": extract.file_name, "version": version, "size": len(data)},
            area_code=province.code,
        )
        job = job_enqueue(
            actor=actor,
            kind=JOB_EXTRACT,
            title=f"Nhập dữ liệu dân cư {province.name} (phiên bản {version})",
            params={"extract_id": extract.pk},
        )
        extract.job = job
        extract.save(update_fields=["job"])
    return extract


def _issue_dicts(issues: list[Any]) -> list[dict[str, Any]]:
    return [{"row": i.row, "column": i.column, "message": i.message} for i in issues[:MAX_ISSUES_KEPT]]


COMPARED = ("personal_id", "full_name", "dob", "sex", "commune_code", "residence_household_no", "status")


def _differences(previous: PopulationExtract | None, frame: pl.DataFrame) -> dict[str, Any]:
    if previous is None:
        return {"previous_version": None, "added": frame.height, "removed": 0, "changed": 0, "fields": {}}
    old = pl.DataFrame(
        list(previous.persons.values_list("person_id", *COMPARED)),
        schema=["person_id", *COMPARED],
        orient="row",
    )
    new = frame.select(
        pl.col("unique_id").alias("person_id"),
        pl.col("pid").fill_null("").alias("personal_id"),
        pl.col("full_name").fill_null(""),
        pl.col("dob_text").alias("dob"),
        pl.col("sex").fill_null(""),
        pl.col("commune").fill_null("").alias("commune_code"),
        pl.col("household_no").fill_null("").alias("residence_household_no"),
        "status",
    )
    both = old.join(new, on="person_id", how="inner", suffix="_new")
    fields = {c: int((both.get_column(c) != both.get_column(f"{c}_new")).sum()) for c in COMPARED}
    changed_mask = pl.any_horizontal([pl.col(c) != pl.col(f"{c}_new") for c in COMPARED])
    changed = both.filter(changed_mask)
    added = new.join(old, on="person_id", how="anti")
    removed = old.join(new, on="person_id", how="anti")
    return {
        "previous_version": previous.version,
        "added": added.height,
        "removed": removed.height,
        "changed": changed.height,
        "fields": {k: v for k, v in fields.items() if v},
        "added_sample": added.get_column("person_id").head(20).to_list(),
        "removed_sample": removed.get_column("person_id").head(20).to_list(),
        "changed_sample": changed.get_column("person_id").head(20).to_list(),
    }


def _dob_text() -> pl.Expr:
    return (
        pl.when(pl.col("dob_m").is_not_null())
        .then(
            pl.format(
                "{}-{}-{}",
                "dob_y",
                pl.col("dob_m").cast(pl.String).str.zfill(2),
                pl.col("dob_d").cast(pl.String).str.zfill(2),
            )
        )
        .when(pl.col("dob_y").is_not_null())
        .then(pl.col("dob_y").cast(pl.String))
        .otherwise(pl.lit(""))
    )


PERSON_COLUMNS = (
    "person_id",
    "personal_id",
    "full_name",
    "dob",
    "dob_y",
    "dob_m",
    "dob_d",
    "sex",
    "commune_code",
    "residence_household_no",
    "relation_to_head",
    "address",
    "status",
    "pid_head",
    "pid_tail",
    "name_sorted",
    "name_fg",
)


def person_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """A prepared extract as the values of :class:`PopulationPerson`, in :data:`PERSON_COLUMNS` order."""
    df = frame.with_columns(dob_text=_dob_text())
    return df.select(
        "unique_id",
        pl.col("pid").fill_null(""),
        pl.col("full_name").fill_null("").str.slice(0, 150),
        "dob_text",
        "dob_y",
        "dob_m",
        "dob_d",
        pl.col("sex").fill_null(""),
        pl.col("commune").fill_null(""),
        pl.col("household_no").fill_null("").str.slice(0, 64),
        pl.col("relation_to_head").cast(pl.String).fill_null("").str.slice(0, 40)
        if "relation_to_head" in df.columns
        else pl.lit("").alias("relation_to_head"),
        pl.col("address").cast(pl.String).fill_null("").str.slice(0, 300)
        if "address" in df.columns
        else pl.lit("").alias("address"),
        "status",
        pl.col("pid_head").fill_null(""),
        pl.col("pid_tail").fill_null(""),
        pl.col("name_sorted").fill_null("").str.slice(0, 150),
        pl.col("name_fg").fill_null("").str.slice(0, 150),
    )


def extract_import(extract: PopulationExtract, progress: Progress | None = None) -> dict[str, Any]:
    """Read, validate and store an extract (job body). Any error rejects the whole file: nothing
    is stored but the list of errors; warnings (e.g. duplicate ID numbers) are kept beside it."""
    PopulationExtract.objects.filter(pk=extract.pk).update(state=PopulationExtract.State.IMPORTING)
    with extract.file.open("rb") as fh:
        data = fh.read()
    prepared: Prepared | None = None
    warnings: list[RowIssue] = []
    try:
        frame = _read_extract(data, _format(extract.file.name))
        prepared = prepare_population(frame)
    except LinkInputError as exc:
        errors = exc.issues
    else:
        errors, warnings = prepared.errors, prepared.warnings
    if errors or prepared is None:
        with transaction.atomic():
            extract.state = PopulationExtract.State.REJECTED
            extract.errors = _issue_dicts(errors)
            extract.warnings = _issue_dicts(warnings)
            extract.warning_count = len(warnings)
            extract.save(update_fields=["state", "errors", "warnings", "warning_count", "updated_at"])
            audit_write(
                actor=extract.created_by,
                action="linkage.extract_reject",
                obj=extract,
                after={"errors": len(errors)},
                area_code=extract.province.code,
            )
        return {"state": "rejected", "errors": len(errors), "first_error": errors[0].text() if errors else ""}
    cols = person_columns(prepared.frame)
    total = cols.height
    if progress:
        progress.total(total)
    previous = current_extract(extract.province)
    differences = _differences(previous, prepared.frame.with_columns(dob_text=_dob_text()))
    with transaction.atomic():
        done = 0
        for chunk in cols.iter_slices(CHUNK):
            PopulationPerson.objects.bulk_create(
                [
                    PopulationPerson(extract=extract, **dict(zip(PERSON_COLUMNS, r, strict=True)))
                    for r in chunk.iter_rows()
                ]
            )
            done += chunk.height
            if progress:
                progress.advance(done, f"{done}/{total}")
        PopulationExtract.objects.filter(province=extract.province, is_current=True).update(is_current=False)
        extract.state = PopulationExtract.State.DONE
        extract.is_current = True
        extract.rows = total
        extract.warnings = _issue_dicts(warnings)
        extract.warning_count = len(warnings)
        extract.differences = differences
        extract.save()
        audit_write(
            actor=extract.created_by,
            action="linkage.extract_import",
            obj=extract,
            after={
                "rows": total,
                "warnings": len(warnings),
                "differences": {k: differences[k] for k in ("added", "removed", "changed")},
            },
            area_code=extract.province.code,
        )
    return {
        "state": "done",
        "rows": total,
        "warnings": len(warnings),
        **{k: differences[k] for k in ("added", "removed", "changed")},
    }


# --------------------------------------------------------------------------------------------
# runs
# --------------------------------------------------------------------------------------------


def run_start(*, actor: Any, area: Area) -> LinkageRun:
    if not user_can_manage_linkage(actor, area):
        raise PermissionDenied(_("Bạn không có quyền chạy ghép dữ liệu cho địa bàn này."))
    extract = current_extract(province_of(area))
    if extract is None:
        raise ValidationError(_("Tỉnh chưa có bản trích dữ liệu dân cư đã nhập."))
    with transaction.atomic():
        run = LinkageRun.objects.create(extract=extract, area=area, created_by=actor)
        audit_write(
            actor=actor,
            action="linkage.run_start",
            obj=run,
            after={"extract": extract.pk},
            area_code=area.code,
        )
        job = job_enqueue(
            actor=actor, kind=JOB_RUN, title=f"Ghép dữ liệu dân cư: {area.name}", params={"run_id": run.pk}
        )
        run.job = job
        run.save(update_fields=["job"])
    return run


def _registry_frame(area: Area) -> tuple[pl.DataFrame, dict[int, dict[str, Any]]]:
    rows = list(
        Member.objects.filter(is_active=True, household__area_path__startswith=area.path).values_list(
            "pk",
            "household_id",
            "household__code",
            "household__commune_id",
            "household__commune__code",
            "household__area_path",
            "personal_id",
            "full_name",
            "date_of_birth",
            "sex",
        )
    )
    info = {r[0]: {"household_id": r[1], "commune_id": r[3], "area_path": r[5]} for r in rows}
    frame = pl.DataFrame(
        {
            "registry_row": [str(r[0]) for r in rows],
            "household_code": [r[2] for r in rows],
            "personal_id": [r[6] or "" for r in rows],
            "full_name": [r[7] for r in rows],
            "dob": [r[8].isoformat() if r[8] else "" for r in rows],
            "sex": [r[9] or "" for r in rows],
            "commune_code": [r[4] for r in rows],
        },
        schema={
            c: pl.String
            for c in (
                "registry_row",
                "household_code",
                "personal_id",
                "full_name",
                "dob",
                "sex",
                "commune_code",
            )
        },
    )
    return frame, info


def population_frame(
    extract: PopulationExtract, persons: QuerySet[PopulationPerson] | None = None
) -> pl.DataFrame:
    qs = persons if persons is not None else extract.persons.all()
    rows = list(
        qs.values_list(
            "pk", "personal_id", "full_name", "dob", "sex", "commune_code", "residence_household_no", "status"
        )
    )
    return pl.DataFrame(
        rows,
        schema={
            "person_id": pl.String,
            "personal_id": pl.String,
            "full_name": pl.String,
            "dob": pl.String,
            "sex": pl.String,
            "commune_code": pl.String,
            "residence_household_no": pl.String,
            "status": pl.String,
        },
        orient="row",
    ).with_columns(pl.col("person_id").cast(pl.String))


def _weights(result_candidates: pl.DataFrame, model: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per candidate pair: ``{comparison: {"label": level label, "weight": match weight}}``."""
    params = ModelParams.from_model(model)
    names = [c.name for c in params.comparisons]
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if result_candidates.is_empty():
        return out
    for row in result_candidates.iter_rows(named=True):
        per: dict[str, Any] = {}
        for name in names:
            if f"mw_{name}" not in row:
                continue
            weight = row[f"mw_{name}"]
            label = level_of_weight(params, name, weight)
            per[name] = {"label": label, "weight": None if label == "null" else round(float(weight), 2)}
        out[(row["registry_id"], row["person_id"])] = per
    return out


def household_standing(household_ids: Iterable[int], *, on: dt.date) -> dict[int, tuple[str, int | None]]:
    """Household id → (official class on ``on``, latest year of support received if recent), for the
    households that are poor / near-poor on ``on`` (``reviews.status``) or received support
    (``registry.SupportReceived``, written by the support plan's follow-up too) this year or the
    year before. Households with neither are absent."""
    ids = list(set(household_ids))
    out: dict[int, tuple[str, int | None]] = {}
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        classes = dict(
            OfficialStatus.objects.filter(
                covering(on), household_id__in=part, classification__in=LISTED
            ).values_list("household_id", "classification")
        )
        years = dict(
            SupportReceived.objects.filter(household_id__in=part, year__gte=on.year - SUPPORT_RECENT_YEARS)
            .values("household_id")
            .annotate(y=Max("year"))
            .values_list("household_id", "y")
        )
        for hid in set(classes) | set(years):
            out[hid] = (classes.get(hid, ""), years.get(hid))
    return out


def _gone_kind(kind: str, standing: tuple[str, int | None] | None) -> str:
    """``deceased``/``moved`` become ``…_listed`` when the household is still on the official list
    or still receives support (the finding the commune must act on first)."""
    if kind in (LinkFinding.Kind.DECEASED, LinkFinding.Kind.MOVED) and standing is not None:
        return f"{kind}_listed"
    return kind


def run_execute(run: LinkageRun, progress: Progress | None = None) -> dict[str, Any]:
    """Link the area's registry with the run's extract (job body) and store candidates, findings and
    a quality snapshot per commune. Candidates the engine accepts (``auto``) are recorded as accepted
    links; ``review`` ones wait for an officer."""
    LinkageRun.objects.filter(pk=run.pk).update(state=LinkageRun.State.RUNNING)
    registry_raw, info = _registry_frame(run.area)
    pop_raw = population_frame(run.extract)
    reg = prepare_registry(registry_raw)
    # a registry row the engine cannot read (e.g. no name) is reported, not linked
    bad = {i.row for i in reg.errors}
    reg_frame = reg.frame.filter(~pl.col("row").is_in(list(bad))) if bad else reg.frame
    pop = prepare_population(pop_raw)
    if progress:
        progress.total(100)

    def step(_name: str, fraction: float) -> None:
        if progress:
            progress.advance(int(fraction * 100), _name, force=True)

    result = link(pop.frame, reg_frame, progress=step) if reg_frame.height and pop.frame.height else None
    persons = {
        str(p.pk): p
        for p in PopulationPerson.objects.filter(extract=run.extract).only("pk", "residence_household_no")
    }
    with transaction.atomic():
        cands: list[LinkCandidate] = []
        finds: list[LinkFinding] = []
        if result is not None:
            weights = _weights(result.candidates, result.model)
            differs = {
                r["registry_row"]: r["detail"].split(";")
                for r in result.findings.filter(pl.col("finding") == "differs").iter_rows(named=True)
            }
            now = timezone.now()
            for m in result.matches.iter_rows(named=True):
                member_id = int(m["registry_row"])
                meta = info[member_id]
                w = weights.get((m["registry_row"], m["person_id"])) or {
                    "personal_id": {"label": "exact", "weight": None}
                }
                auto = m["decision"] == "auto"
                cands.append(
                    LinkCandidate(
                        run=run,
                        member_id=member_id,
                        household_id=meta["household_id"],
                        area_path=meta["area_path"],
                        person_id=int(m["person_id"]),
                        match_probability=m["match_probability"],
                        match_weight=m["match_weight"],
                        method=m["method"],
                        decision=m["decision"],
                        weights=w,
                        differences=differs.get(m["registry_row"], []),
                        status=LinkCandidate.Status.ACCEPTED if auto else LinkCandidate.Status.PENDING,
                        decided_at=now if auto else None,
                    )
                )
            gone = result.findings.filter(pl.col("finding").is_in(["deceased", "moved"]))
            standing = household_standing(
                (info[int(r)]["household_id"] for r in gone.get_column("registry_row")),
                on=timezone.localdate(),
            )
            for f in result.findings.iter_rows(named=True):
                meta = info[int(f["registry_row"])]
                listed = standing.get(meta["household_id"]) if f["finding"] in ("deceased", "moved") else None
                finds.append(
                    LinkFinding(
                        run=run,
                        kind=_gone_kind(f["finding"], listed),
                        member_id=int(f["registry_row"]),
                        household_id=meta["household_id"],
                        commune_id=meta["commune_id"],
                        area_path=meta["area_path"],
                        person_id=int(f["person_id"]) if f["person_id"] else None,
                        detail=(f["detail"] or "")[:200],
                        official_class=listed[0] if listed else "",
                        support_year=listed[1] if listed else None,
                    )
                )
            # members of one registry household living in different residence households
            by_household: dict[int, list[tuple[int, str]]] = {}
            for c in cands:
                if c.decision == "auto":
                    no = persons[str(c.person_id)].residence_household_no
                    if no:
                        by_household.setdefault(c.household_id, []).append((c.member_id, no))
            for household_id, pairs in by_household.items():
                counts = Counter(no for _, no in pairs)
                if len(counts) < 2:
                    continue
                main_no = counts.most_common(1)[0][0]
                for member_id, no in pairs:
                    if no != main_no:
                        meta = info[member_id]
                        finds.append(
                            LinkFinding(
                                run=run,
                                kind=LinkFinding.Kind.RESIDENCE_MISMATCH,
                                member_id=member_id,
                                household_id=household_id,
                                commune_id=meta["commune_id"],
                                area_path=meta["area_path"],
                                detail=f"{no} ≠ {main_no}"[:200],
                            )
                        )
        LinkCandidate.objects.bulk_create(cands, batch_size=2000)
        LinkFinding.objects.bulk_create(finds, batch_size=2000)
        summary: dict[str, Any] = dict(result.summary) if result is not None else {"registry_rows": 0}
        summary["registry_errors"] = len(bad)
        summary["findings"] = dict(Counter(f.kind for f in finds))
        run.summary = summary
        run.model = result.model if result is not None else {}
        run.state = LinkageRun.State.DONE
        run.finished_at = timezone.now()
        run.save()
        audit_write(
            actor=run.created_by,
            action="linkage.run_finish",
            obj=run,
            after={"candidates": len(cands), "findings": len(finds)},
            area_code=run.area.code,
        )
    from .quality import snapshot_run

    snapshot_run(run)
    return {
        "candidates": len(cands),
        "findings": len(finds),
        "auto": summary.get("decisions", {}).get("auto", 0),
    }


# --------------------------------------------------------------------------------------------
# decisions
# --------------------------------------------------------------------------------------------


def _check_reviewer(actor: Any, cand: LinkCandidate) -> LinkCandidate:
    if not user_can_review_links(actor):
        raise PermissionDenied(_("Bạn không có quyền quyết định ghép dữ liệu."))
    locked = (
        LinkCandidate.objects.select_for_update()
        .select_related("member", "person", "household")
        .get(pk=cand.pk)
    )
    if not any(locked.area_path.startswith(p) for p in scope_paths(actor)):
        raise NotFound(_("Không tìm thấy cặp ghép."))
    return locked


def _decide(
    actor: Any, cand: LinkCandidate, status: str, note: str, action: str, extra: dict[str, Any] | None = None
) -> LinkCandidate:
    before = {"status": cand.status}
    cand.status = status
    cand.decided_by = actor
    cand.decided_at = timezone.now()
    cand.note = note[:300]
    cand.save(update_fields=["status", "decided_by", "decided_at", "note", "taken_fields", "updated_at"])
    audit_write(
        actor=actor,
        action=action,
        obj=cand,
        before=before,
        after={"status": status, "note": cand.note, **(extra or {})},
        household_code=cand.household.code,
        personal_id=cand.member.personal_id or "",
    )
    return cand


def _population_values(cand: LinkCandidate, fields: list[str]) -> dict[str, Any]:
    import datetime as dt

    person = cand.person
    changes: dict[str, Any] = {}
    for name in fields:
        if name not in TAKEABLE:
            raise ValidationError(_("Không lấy được trường %(name)s từ dữ liệu dân cư.") % {"name": name})
        if name == "full_name":
            changes["full_name"] = person.full_name
        elif name == "personal_id":
            if not person.personal_id:
                raise ValidationError(_("Dữ liệu dân cư không có số định danh của người này."))
            changes["personal_id"] = person.personal_id
        elif name == "sex":
            if person.sex not in ("male", "female"):
                raise ValidationError(_("Dữ liệu dân cư không có giới tính của người này."))
            changes["sex"] = person.sex
        elif name == "date_of_birth":
            if person.dob_m is None or person.dob_y is None or person.dob_d is None:
                raise ValidationError(_("Dữ liệu dân cư chỉ có năm sinh: không lấy được ngày sinh."))
            changes["date_of_birth"] = dt.date(person.dob_y, person.dob_m, person.dob_d)
    return changes


def candidate_accept(
    *, actor: Any, candidate: LinkCandidate, take_fields: list[str] | tuple[str, ...] = (), note: str = ""
) -> LinkCandidate:
    """Accept the link; with ``take_fields``, also correct the member with the population's values
    (through ``member_update``, in the same transaction)."""
    with transaction.atomic():
        cand = _check_reviewer(actor, candidate)
        if cand.status == LinkCandidate.Status.REJECTED:
            raise Conflict(_("Cặp ghép đã bị bác bỏ."))
        fields = [f for f in take_fields if f]
        if fields:
            changes = _population_values(cand, fields)
            member_update(actor=actor, member=cand.member, changes=changes)
            cand.taken_fields = sorted(set(cand.taken_fields) | set(fields))
        return _decide(
            actor, cand, LinkCandidate.Status.ACCEPTED, note, "linkage.candidate_accept", {"taken": fields}
        )


def candidate_reject(*, actor: Any, candidate: LinkCandidate, note: str = "") -> LinkCandidate:
    with transaction.atomic():
        cand = _check_reviewer(actor, candidate)
        if cand.taken_fields:
            raise Conflict(_("Đã lấy thông tin từ dữ liệu dân cư cho cặp này: không bác bỏ được."))
        return _decide(actor, cand, LinkCandidate.Status.REJECTED, note, "linkage.candidate_reject")


def candidate_field_check(*, actor: Any, candidate: LinkCandidate, note: str = "") -> LinkCandidate:
    with transaction.atomic():
        cand = _check_reviewer(actor, candidate)
        if cand.status != LinkCandidate.Status.PENDING:
            raise Conflict(_("Chỉ chuyển kiểm tra thực địa cặp đang chờ quyết định."))
        return _decide(actor, cand, LinkCandidate.Status.FIELD_CHECK, note, "linkage.candidate_field_check")


def candidates_bulk_accept(*, actor: Any, run: LinkageRun, min_probability: float) -> int:
    """Accept every pending candidate of the run (in the actor's area) at or above ``min_probability``."""
    if not user_can_review_links(actor):
        raise PermissionDenied(_("Bạn không có quyền quyết định ghép dữ liệu."))
    if not 0.5 <= min_probability <= 1:
        raise ValidationError(_("Ngưỡng phải từ 0,5 đến 1."))
    with transaction.atomic():
        qs = (
            candidates_for(actor)
            .select_for_update()
            .filter(run=run, status=LinkCandidate.Status.PENDING, match_probability__gte=min_probability)
        )
        ids = list(qs.values_list("pk", flat=True))
        LinkCandidate.objects.filter(pk__in=ids).update(
            status=LinkCandidate.Status.ACCEPTED, decided_by=actor, decided_at=timezone.now(), note="bulk"
        )
        audit_write(
            actor=actor,
            action="linkage.candidates_bulk_accept",
            obj=run,
            after={"count": len(ids), "min_probability": min_probability, "ids": ids[:500]},
            area_code=run.area.code,
        )
    return len(ids)


# --------------------------------------------------------------------------------------------
# incremental matching (callable by any code that registers a person)
# --------------------------------------------------------------------------------------------


def latest_model(extract: PopulationExtract) -> dict[str, Any] | None:
    run = (
        LinkageRun.objects.filter(extract__province=extract.province, state=LinkageRun.State.DONE)
        .exclude(model={})
        .order_by("-finished_at")
        .first()
    )
    return run.model if run is not None else None


def model_for(extract: PopulationExtract) -> dict[str, Any]:
    """The latest trained model of the province, else the project's default model with the prior
    of this extract's size (a province that has not run the batch yet still gets candidates)."""
    return latest_model(extract) or with_prior(default_model(), max(extract.rows, 2))


def _blocking_q(keys: dict[str, Any]) -> Q:
    """The batch's blocking rules as one condition on the extract's indexed columns."""
    q = Q()
    if keys["pid"]:
        q |= Q(personal_id=keys["pid"])
    if keys["pid_tail"]:
        q |= Q(pid_tail=keys["pid_tail"])
        if keys["dob_m"] and keys["commune"]:
            q |= Q(
                pid_head=keys["pid_head"],
                dob_m=keys["dob_m"],
                dob_d=keys["dob_d"],
                commune_code=keys["commune"],
            )
    if keys["name_sorted"] and keys["dob_y"]:
        q |= Q(name_sorted=keys["name_sorted"], dob_y=keys["dob_y"])
    if keys["name_fg"] and keys["dob_y"] and keys["commune"]:
        q |= Q(name_fg=keys["name_fg"], dob_y=keys["dob_y"], commune_code=keys["commune"])
    if keys["name_sorted"] and keys["commune"]:
        q |= Q(name_sorted=keys["name_sorted"], commune_code=keys["commune"])
    if keys["commune"] and keys["dob_m"]:
        q |= Q(commune_code=keys["commune"], dob_y=keys["dob_y"], dob_m=keys["dob_m"], dob_d=keys["dob_d"])
    if keys["name_fg"] and keys["dob_m"]:
        q |= Q(name_fg=keys["name_fg"], dob_m=keys["dob_m"], dob_d=keys["dob_d"])
    return q


def match_person(
    *,
    province: Area,
    record: dict[str, Any],
    limit: int = 5,
    extract: PopulationExtract | None = None,
    model: dict[str, Any] | None = None,
) -> list[tuple[Candidate, PopulationPerson]]:
    """Candidates in the province's current extract for one new person (``personal_id``,
    ``full_name``, ``dob``, ``sex``, ``commune_code``), best first, scored with the latest trained
    model. Reads only indexed rows: well under a second on a province's extract."""
    extract = extract or current_extract(province)
    if extract is None:
        return []
    model = model or model_for(extract)
    try:
        keys = record_keys(record)
    except ValueError as exc:
        raise ValidationError(str(exc))
    q = _blocking_q(keys)
    if not q:
        return []
    persons = {str(p.pk): p for p in PopulationPerson.objects.filter(extract=extract).filter(q)[:500]}
    if not persons:
        return []
    frame = population_frame(extract, PopulationPerson.objects.filter(pk__in=[int(k) for k in persons]))
    prepared = prepare_population(frame).frame
    scored = score_candidates(keys, prepared, ModelParams.from_model(model))
    return [(c, persons[c.person_id]) for c in scored[:limit]]


# --------------------------------------------------------------------------------------------
# incremental matching of newly registered people (officer form, portal, field app)
# --------------------------------------------------------------------------------------------

_DIFF_FIELDS = {
    "personal_id": "personal_id",
    "full_name": "full_name",
    "dob": "dob",
    "sex": "sex",
    "commune": "commune_code",
}


def member_record(member: Member) -> dict[str, Any]:
    """A registry member as a record for :func:`match_person`."""
    commune = member.household.commune
    return {
        "unique_id": str(member.pk),
        "personal_id": member.personal_id or "",
        "full_name": member.full_name,
        "dob": member.date_of_birth.isoformat() if member.date_of_birth else "",
        "sex": member.sex or "",
        "commune_code": commune.code if commune is not None else "",
    }


def members_match(*, member_ids: Iterable[int], source: str, actor: Any = None) -> list[MatchCheck]:
    """Check newly registered people against their province's current extract at once (đối chiếu
    ngay khi đăng ký) and keep the best candidate, if any, as a :class:`LinkCandidate` without a run
    that officers accept or reject like the batch's (``auto`` ones are accepted, as in the batch).
    Each person is checked once per extract; a person already checked is skipped. Never changes the
    registry. Audited per person (outcome and probability, no personal data)."""
    checks: list[MatchCheck] = []
    provinces: dict[int, tuple[Area | None, PopulationExtract | None, dict[str, Any] | None]] = {}
    members = (
        Member.objects.filter(pk__in=list(member_ids), is_active=True)
        .select_related("household__commune")
        .order_by("pk")
    )
    for member in members:
        household = member.household
        commune = household.commune
        if commune.pk not in provinces:
            try:
                province: Area | None = province_of(commune)
            except ValidationError:
                province = None
            extract = current_extract(province) if province is not None else None
            provinces[commune.pk] = (province, extract, model_for(extract) if extract else None)
        province, extract, model = provinces[commune.pk]
        if province is None or extract is None:
            continue
        if MatchCheck.objects.filter(member=member, extract=extract).exists():
            continue
        started = time.perf_counter()
        try:
            found = match_person(
                province=province, record=member_record(member), limit=2, extract=extract, model=model
            )
        except ValidationError:
            found, outcome = [], MatchCheck.Outcome.UNREADABLE
        else:
            outcome = (
                MatchCheck.Outcome.CANDIDATE if found and found[0][0].decision else MatchCheck.Outcome.NONE
            )
        elapsed = int((time.perf_counter() - started) * 1000)
        try:
            with transaction.atomic():
                cand = None
                if outcome == MatchCheck.Outcome.CANDIDATE:
                    best, person = found[0]
                    auto = best.decision == LinkCandidate.Decision.AUTO
                    cand = LinkCandidate.objects.create(
                        run=None,
                        member=member,
                        household=household,
                        area_path=household.area_path,
                        person=person,
                        match_probability=best.match_probability,
                        match_weight=best.match_weight,
                        method="incremental",
                        decision=best.decision or LinkCandidate.Decision.REVIEW,
                        weights={
                            name: {
                                "label": label,
                                "weight": None if label == "null" else round(best.weights[name], 2),
                            }
                            for name, label in best.levels.items()
                        },
                        differences=[
                            _DIFF_FIELDS[name]
                            for name, label in best.levels.items()
                            if label not in ("exact", "null") and name in _DIFF_FIELDS
                        ],
                        status=LinkCandidate.Status.ACCEPTED if auto else LinkCandidate.Status.PENDING,
                        decided_at=timezone.now() if auto else None,
                    )
                check = MatchCheck.objects.create(
                    member=member,
                    extract=extract,
                    source=source[:16],
                    outcome=outcome,
                    candidate=cand,
                    elapsed_ms=elapsed,
                )
                audit_write(
                    actor=actor,
                    action="linkage.member_match",
                    obj=check,
                    after={
                        "source": source,
                        "outcome": outcome,
                        "probability": round(cand.match_probability, 4) if cand else None,
                        "decision": cand.decision if cand else None,
                    },
                    household_code=household.code,
                    area_code=commune.code,
                )
        except IntegrityError:  # checked at the same moment by another request or the job
            continue
        checks.append(check)
    return checks


def members_match_enqueue(*, actor: Any, member_ids: Iterable[int], source: str) -> Any:
    """Queue :func:`members_match` for people registered by a citizen or a surveyor, so their
    request does not wait for it (one small job; the officer's pages also check at once)."""
    ids = sorted({int(i) for i in member_ids})
    if not ids:
        return None
    return job_enqueue(
        actor=actor,
        kind=JOB_MATCH,
        title=f"Đối chiếu {len(ids)} người mới đăng ký với dữ liệu dân cư",
        params={"member_ids": ids[:500], "source": source},
    )


def members_match_safely(*, member_ids: Iterable[int], source: str, actor: Any = None) -> list[MatchCheck]:
    """:func:`members_match` for a caller that must not fail because of it (a page, a form that has
    already saved): an unexpected error is logged and nothing is shown."""
    ids = list(member_ids)
    try:
        return members_match(member_ids=ids, source=source, actor=actor)
    except Exception:  # the registration itself has succeeded
        logger.exception("incremental matching failed for members %s", ids[:20])
        return []
