from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_login import login_required

from course.curriculum.services import get_curriculum, get_handout_or_404

bp = Blueprint("curriculum", __name__, template_folder="templates")


@bp.get("/handouts/<slug>")
@login_required
def handout(slug):
    return render_template("course/curriculum/handout.html", handout=get_handout_or_404(slug))


def _video_or_404(slug):
    video = get_curriculum().videos.get(slug)
    if video is None:
        abort(404)
    return video


@bp.get("/videos/<slug>/file")
@login_required
def video_file(slug):
    """Stream a catalogue film from the media store; Range requests let the player seek."""
    video = _video_or_404(slug)
    if video.file is None:
        abort(404)
    root = Path(current_app.config["COURSE_UPLOAD_DIR"]).resolve()
    path = (root / video.file).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, mimetype="video/mp4", conditional=True, max_age=3600)


@bp.get("/videos/<slug>/captions.vtt")
@login_required
def captions(slug):
    video = _video_or_404(slug)
    path = Path(current_app.config["COURSE_CONTENT_DIR"]) / video.captions
    return send_file(path, mimetype="text/vtt", conditional=True, max_age=3600)
