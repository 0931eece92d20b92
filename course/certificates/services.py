"""Certificates as people use them: the wording, the printable page and the PDF."""

from __future__ import annotations

from sqlalchemy import select

from course.certificates.pdf import CertificateText
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.links import site_url_for
from course.local_time import site_time
from course.mentoring.models import Certificate


def by_code(code: str) -> Certificate | None:
    """The certificate with this code, standing or revoked (the verify page says which)."""
    if len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code.strip().upper()))


def issuer_line(certificate: Certificate) -> str:
    if certificate.issuer_role == "agency_trainer" and certificate.issuer_agency is not None:
        return f"Agency trainer, {certificate.issuer_agency.name}"
    return "PFR Master Trainer"


def text_of(certificate: Certificate) -> CertificateText:
    return CertificateText(
        name=certificate.trainee.name,
        level=get_curriculum().level(certificate.level).title,
        date=site_time(certificate.issued_at, "%B %-d, %Y"),
        signed_by=certificate.issued_by.name,
        issuer=issuer_line(certificate),
        code=certificate.code,
        verify_url=site_url_for("course.mentoring.verify", code=certificate.code),
    )
