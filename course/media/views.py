from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from course.accounts.models import Role
from course.audit.services import record, record_denied, record_once
from course.curriculum.services import get_curriculum, get_unit_or_404
from course.extensions import db
from course.flashing import attempt
from course.media import services, tus
from course.media.delivery import deliver
from course.media.forms import CommentForm, ConsentForm
from course.media.models import Consent, DyadVideo, VideoStatus
from course.permissions import Action, can, role_required
from course.timeutil import today as utc_today

bp = Blueprint("media", __name__, template_folder="templates")
PRIVATE = {"Cache-Control": "private, no-store"}
# The page sends a file in requests of this size: a few seconds each on a phone, so a
# dropped connection loses little, and under any proxy's body limit.
BROWSER_CHUNK_BYTES = 16 * services.MB


def _private(response):
    """No shared or browser cache may keep a family's video (send_file asks for caching)."""
    response.cache_control.public = False
    response.cache_control.max_age = None
    response.cache_control.no_cache = None
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _video(public_id: str, action: Action = Action.VIDEO_VIEW) -> DyadVideo:
    """Load a video the current person may see; anyone else gets 404 (ids reveal nothing)."""
    video = services.get_video(public_id)
    if video is None:
        abort(404)
    if not can(current_user, action, video):
        record_denied(current_user, "video", video.public_id, action.value)
        abort(404)
    return video


def _own_upload(public_id: str) -> DyadVideo:
    video = services.get_video(public_id)
    if video is None:
        abort(404)
    if video.trainee_id != current_user.id:
        record_denied(current_user, "video", video.public_id, "upload")
        abort(404)
    return video


@bp.route("/units/<slug>/videos/new", methods=["GET", "POST"])
@role_required(Role.TRAINEE)
def new(slug):
    """Record a consent (first time for a dyad) and upload this week's video."""
    unit = get_unit_or_404(slug)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            services.record_consent(
                current_user,
                unit.level,
                form.dyad_pseudonym.data,
                form.signed_on.data,
                form.expires_on.data,
                form.covers_partner.data,
                form.covers_training.data,
                form.attested.data,
            )
        except services.MediaError as exc:
            form.attested.errors.append(str(exc))
        else:
            flash("The consent is recorded. Now choose the video.", "success")
            return redirect(url_for("course.media.new", slug=slug))
    consents = [
        c for c in services.consents_of(current_user, unit.level) if c.is_valid_on(utc_today())
    ]
    return render_template(
        "course/media/new.html",
        unit=unit,
        form=form,
        consents=consents,
        max_mb=current_app.config["COURSE_MAX_UPLOAD_MB"],
        chunk_bytes=BROWSER_CHUNK_BYTES,
        videos=services.videos_for_week(current_user.id, unit.slug),
        pending=services.pending_uploads(current_user),
        unit_titles={u.slug: u.title for u in get_curriculum().level(unit.level).units},
    ), 200 if request.method == "GET" else 422


@bp.route("/media/uploads", methods=["OPTIONS"], provide_automatic_options=False)
@tus.speaks_tus
def upload_options():
    """What this server speaks (tus discovery; no person's data, so no sign-in)."""
    return (
        "",
        204,
        {
            "Tus-Version": tus.VERSION,
            "Tus-Extension": tus.EXTENSIONS,
            "Tus-Max-Size": str(services.max_upload_bytes()),
        },
    )


@bp.route("/media/uploads", methods=["POST"], provide_automatic_options=False)
@role_required(Role.TRAINEE)
@tus.speaks_tus
def start_upload():
    """tus creation: Upload-Length, and Upload-Metadata with unit, consent and filename."""
    try:
        size = tus.whole_number("Upload-Length")
        about = tus.metadata()
    except tus.ProtocolError as exc:
        return str(exc), exc.status
    unit = get_unit_or_404(about.get("unit", ""))
    consent = db.session.scalar(
        select(Consent).where(Consent.public_id == about.get("consent", ""))
    )
    if consent is None:
        return "Record the caregiver's consent before uploading.", 422
    try:
        video = services.start_upload(current_user, unit, consent, size, about.get("filename", ""))
    except services.MediaError as exc:
        return str(exc), exc.status
    return "", 201, {"Location": url_for("course.media.upload", public_id=video.public_id)}


@bp.route(
    "/media/uploads/<public_id>",
    methods=["HEAD", "PATCH", "DELETE"],
    provide_automatic_options=False,
)
@role_required(Role.TRAINEE)
@tus.speaks_tus
def upload(public_id):
    """HEAD: the offset to resume from. PATCH: a chunk at Upload-Offset. DELETE: cancel."""
    video = _own_upload(public_id)
    if video.status in (VideoStatus.FAILED, VideoStatus.DELETED):
        return "This upload was not accepted or was cancelled; start again.", 410
    if request.method == "DELETE":
        services.cancel_upload(video, current_user)
        return "", 204
    if request.method == "HEAD":
        return "", 200, _offsets(video)
    try:
        tus.check_chunk_type()
        offset = tus.whole_number("Upload-Offset")
        services.append_chunk(video, offset, request.stream, request.content_length)
    except tus.ProtocolError as exc:
        return str(exc), exc.status
    except services.MediaError as exc:
        return str(exc), exc.status, _offsets(video)
    return "", 204, _offsets(video)


def _offsets(video: DyadVideo) -> dict[str, str]:
    """Where the upload stands (a finished one has received every byte)."""
    return {"Upload-Offset": str(video.received), "Upload-Length": str(video.expected_size)}


@bp.get("/media/uploads/<public_id>")
@role_required(Role.TRAINEE)
def uploaded(public_id):
    """Where the page goes when the last byte is sent: the video, or why it is not there."""
    video = _own_upload(public_id)
    if video.status == VideoStatus.UPLOADING and video.received == video.expected_size:
        try:  # the final request was cut off while the upload was being finished
            services.finish_upload(video)
        except services.MediaError as exc:
            flash(str(exc), "error")
    if video.status in (VideoStatus.PROCESSING, VideoStatus.READY):
        flash("The video is uploaded. It is being prepared for playback.", "success")
        return redirect(url_for("course.media.show", public_id=video.public_id))
    if video.status == VideoStatus.UPLOADING:
        flash("The upload has not finished: choose the same file again to resume it.", "error")
    return redirect(url_for("course.media.new", slug=video.unit_slug))


@bp.post("/media/uploads/<public_id>/cancel")
@role_required(Role.TRAINEE)
def cancel_upload(public_id):
    """Cancel an unfinished upload from the page (the tus DELETE, for a form)."""
    video = _own_upload(public_id)
    done = "The upload is cancelled and what was sent is deleted."
    attempt(services.cancel_upload, video, current_user, refused=services.MediaError, success=done)
    return redirect(url_for("course.media.new", slug=video.unit_slug))


@bp.post("/units/<slug>/videos")
@role_required(Role.TRAINEE)
def upload_form(slug):
    """Upload without JavaScript: the whole file in one form post, streamed to disk."""
    unit = get_unit_or_404(slug)
    file = request.files.get("video")
    consent = db.session.scalar(
        select(Consent).where(Consent.public_id == request.form.get("consent", ""))
    )
    if file is None or not file.filename or consent is None:
        flash("Choose a consent and a video file.", "error")
        return redirect(url_for("course.media.new", slug=slug))
    file.stream.seek(0, 2)
    size = file.stream.tell()
    file.stream.seek(0)
    try:
        video = services.start_upload(current_user, unit, consent, size, file.filename)
        services.append_chunk(video, 0, file.stream, size)
    except services.MediaError as exc:
        flash(str(exc), "error")
        return redirect(url_for("course.media.new", slug=slug))
    flash("The video is uploaded. It is being prepared for playback.", "success")
    return redirect(url_for("course.media.show", public_id=video.public_id))


@bp.get("/media/videos/<public_id>")
@login_required
def show(public_id):
    video = _video(public_id)
    record(current_user, "video.view", "video", video.public_id)
    db.session.commit()
    return _show_page(video, _comment_form())


def _comment_form() -> CommentForm:
    form = CommentForm()
    form.criterion.choices = [SelectChoice("", "None")] + [
        SelectChoice(c.slug, c.title) for c in get_curriculum().rubric
    ]
    return form


def _show_page(video: DyadVideo, form: CommentForm, status: int = 200):
    rubric = get_curriculum().rubric
    return (
        render_template(
            "course/media/show.html",
            video=video,
            form=form,
            unit=get_curriculum().unit(video.unit_slug),
            rubric={c.slug: c.title for c in rubric},
            may_comment=can(current_user, Action.VIDEO_COMMENT, video),
            is_mentor=current_user.id == video.group.mentor_id,
            start=request.args.get("t", type=float),
        ),
        status,
        PRIVATE,
    )


@bp.get("/media/videos/<public_id>/status")
@login_required
def status(public_id):
    video = _video(public_id)
    job = video.job_state
    return (
        jsonify(
            status=video.status.value,
            label=video.status.label,
            job=job.value if job else None,
            job_label=job.label if job else None,
            job_error=video.job_error,
        ),
        200,
        PRIVATE,
    )


@bp.get("/media/videos/<public_id>/stream")
@login_required
def stream(public_id):
    """The playable file with Range support; a 2 GB file is never read whole."""
    video = _video(public_id)
    if video.status != VideoStatus.READY:
        abort(404)
    # Whatever range is asked for (a player seeks; a script may ask "bytes=1-"): one
    # row per person and video every few minutes of watching.
    if record_once(current_user, "video.stream", "video", video.public_id):
        db.session.commit()
    return _private(deliver(services.storage(), video.playable_key, "video/mp4"))


@bp.get("/media/videos/<public_id>/poster.jpg")
@login_required
def poster(public_id):
    video = _video(public_id)
    if not video.poster_key:
        abort(404)
    if record_once(current_user, "video.poster", "video", video.public_id):  # a frame of the family
        db.session.commit()
    return _private(deliver(services.storage(), video.poster_key, "image/jpeg"))


@bp.get("/media/videos/<public_id>/download")
@login_required
def download(public_id):
    video = _video(public_id, Action.VIDEO_COMMENT)  # the trainee and the mentor only
    if video.status != VideoStatus.READY:
        abort(404)
    record(current_user, "video.download", "video", video.public_id)
    db.session.commit()
    # The download is named by its id: the original name may identify the family.
    # The stripped copy, never the original upload (it may carry the family's location).
    name = f"dyad-video-{video.public_id}.mp4"
    return _private(
        deliver(services.storage(), video.playable_key, "video/mp4", download_name=name)
    )


@bp.post("/media/videos/<public_id>/comments")
@login_required
def comment(public_id):
    video = _video(public_id, Action.VIDEO_COMMENT)
    form = _comment_form()
    if form.validate_on_submit():
        try:
            seconds = services.parse_timestamp(form.at.data)
            services.add_comment(video, current_user, seconds, form.body.data, form.criterion.data)
        except services.MediaError as exc:
            getattr(form, exc.field or "body").errors.append(str(exc))
        else:
            flash("Comment added.", "success")
            return redirect(url_for("course.media.show", public_id=video.public_id) + "#comments")
    # The page again, with what was typed and the message beside its field.
    return _show_page(video, form, 422)


@bp.post("/media/videos/<public_id>/reviewed")
@login_required
def reviewed(public_id):
    video = _video(public_id, Action.VIDEO_COMMENT)
    try:
        services.mark_reviewed(video, current_user)
    except services.MediaError as exc:
        flash(str(exc), "error")
    else:
        flash("The video is marked reviewed.", "success")
    return redirect(url_for("course.media.show", public_id=video.public_id))


@bp.post("/media/videos/<public_id>/delete")
@login_required
def delete(public_id):
    video = _video(public_id, Action.VIDEO_DELETE)
    unit_slug = video.unit_slug
    services.delete_video(video, current_user, "deleted-by-user")
    flash("The video is deleted.", "success")
    return redirect(url_for("course.learning.unit", slug=unit_slug))


@bp.post("/consents/<public_id>/withdraw")
@role_required(Role.TRAINEE)
def withdraw(public_id):
    consent = db.session.scalar(select(Consent).where(Consent.public_id == public_id))
    if consent is None or consent.trainee_id != current_user.id:
        abort(404)
    count = services.withdraw_consent(consent, current_user)
    flash(f"The consent is withdrawn and {count} video(s) deleted.", "success")
    return redirect(url_for("course.learning.training"))
