"""Background jobs of the review: the batch of certificates (Mẫu 03) of a decision, which for a
commune of several hundred households takes longer than a page request may."""

from __future__ import annotations

from typing import Any

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job


@job_handler("reviews.certificates_batch")
def certificates_batch(job: Job, progress: Progress) -> dict[str, Any]:
    """Render every certificate of a decision the user may read into one PDF (pages numbered per
    certificate), with progress per certificate; each print is logged in the audit trail."""
    from django.core.files.base import ContentFile

    from hongheo.core.audit import audit_read
    from hongheo.users.models import User

    from . import documents, selectors

    user = User.objects.get(pk=job.params["user_id"])
    certificates = list(
        selectors.certificate_qs_for_user(user)
        .filter(decision_id=job.params["decision_id"])
        .select_related("household__commune__parent", "household__village", "decision__signed_by")
        .order_by("number")
    )
    progress.total(len(certificates))
    base = str(job.params.get("verify_base", "")).rstrip("/")

    def verify_url(c: Any) -> str:
        return f"{base}/xac-minh/{c.token}/"

    def advance(done: int) -> None:
        progress.advance(done, f"Đã in {done}/{len(certificates)} giấy chứng nhận")

    content = documents.certificates_pdf(certificates, verify_url, progress=advance)
    for c in certificates:
        audit_read(
            actor=user,
            action="reviews.certificate_print",
            fields=["personal_id", "ethnicity", "members"],
            object_type="reviews.certificate",
            object_id=str(c.pk),
            household_code=c.household.code,
            area_code=c.commune.code,
        )
    job.result_file.save(
        f"giay-chung-nhan-qd-{job.params['decision_id']}.pdf", ContentFile(content), save=False
    )
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    return {"certificates": len(certificates)}
