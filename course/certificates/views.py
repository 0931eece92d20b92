"""A certificate's printable page and PDF, for its holder, its issuer and site admins."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from course.certificates import pdf, services
from course.permissions import Action, can

bp = Blueprint("certificates", __name__, template_folder="templates")


def _certificate(code: str):
    certificate = services.by_code(code)
    if certificate is None or not can(current_user, Action.CERTIFICATE_VIEW, certificate):
        abort(404)
    return certificate


@bp.get("/certificates/<code>")
@login_required
def show(code):
    certificate = _certificate(code)
    text = services.text_of(certificate)
    return render_template(
        "course/certificates/show.html",
        certificate=certificate,
        text=text,
        qr=pdf.qr_svg(text.verify_url),
    )


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code):
    certificate = _certificate(code)
    if certificate.revoked_at is not None:
        abort(404)  # a revoked certificate is not handed out again
    response = Response(pdf.render(services.text_of(certificate)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="pfr-certificate-{certificate.code}.pdf"'
    )
    return response
