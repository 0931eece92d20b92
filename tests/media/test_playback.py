"""Who may watch, Range streaming, time-stamped comments, retention and the audit trail."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from course.accounts.models import Role
from course.audit.models import AuditEvent
from course.extensions import db
from course.media import services
from course.media.models import VideoComment, VideoStatus


@pytest.fixture
def video(practice, clip, upload):
    return upload(clip)


def viewers(make, practice):
    agency = practice.trainee.agency
    other = make.make_agency("Elsewhere")
    return {
        "the trainee": (practice.trainee, 200),
        "their mentor": (practice.mentor, 200),
        "site admin": (make.make_site_admin(), 200),
        "pair partner (consent does not cover)": (practice.partner, 404),
        "another master trainer": (make.make_user(Role.MASTER_TRAINER), 404),
        "agency trainer of their agency": (make.make_user(Role.AGENCY_TRAINER, agency=agency), 404),
        "agency admin of their agency": (make.make_user(Role.AGENCY_ADMIN, agency=agency), 404),
        "agency admin elsewhere": (make.make_user(Role.AGENCY_ADMIN, agency=other), 404),
        "another trainee": (make.make_trainee(agency=agency), 404),
    }


@pytest.mark.parametrize("part", ["", "/stream", "/poster.jpg", "/status"])
def test_every_role_sees_the_video_only_when_allowed(client, auth, make, practice, video, part):
    for label, (viewer, expected) in viewers(make, practice).items():
        auth.login_as(viewer)
        response = client.get(f"/media/videos/{video.public_id}{part}")
        response.close()
        assert response.status_code == expected, label
        auth.logout()
    assert client.get(f"/media/videos/{video.public_id}{part}").status_code == 302  # anonymous


def test_pair_partner_sees_it_when_the_consent_covers_them(client, auth, practice, video):
    auth.login_as(practice.partner)
    assert client.get(f"/media/videos/{video.public_id}").status_code == 404
    practice.consent.covers_partner = True
    db.session.commit()
    assert client.get(f"/media/videos/{video.public_id}").status_code == 200
    # The partner watches; only the trainee and the mentor comment or download.
    assert client.get(f"/media/videos/{video.public_id}/download").status_code == 404
    response = client.post(
        f"/media/videos/{video.public_id}/comments", data={"at": "0:01", "body": "Nice"}
    )
    assert response.status_code == 404


def test_stream_answers_range_requests_privately(client, auth, practice, video):
    auth.login_as(practice.mentor)
    size = services.storage().path(video.playable_key).stat().st_size
    response = client.get(
        f"/media/videos/{video.public_id}/stream", headers={"Range": "bytes=0-99"}
    )
    response.close()
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 0-99/{size}"
    assert len(response.data) == 100
    assert response.headers["Cache-Control"] == "private, no-store"
    tail = client.get(
        f"/media/videos/{video.public_id}/stream", headers={"Range": f"bytes={size - 10}-"}
    )
    tail.close()
    assert tail.status_code == 206 and len(tail.data) == 10
    bad = client.get(
        f"/media/videos/{video.public_id}/stream", headers={"Range": f"bytes={size + 5}-"}
    )
    bad.close()
    assert bad.status_code == 416


def test_no_identifying_name_in_urls_or_downloads(client, auth, practice, clip, upload):
    video = upload(clip, name="Rosa Jimenez with baby.mp4")
    auth.login_as(practice.trainee)
    page = client.get(f"/media/videos/{video.public_id}").get_data(as_text=True)
    assert "Rosa Jimenez" not in page
    download = client.get(f"/media/videos/{video.public_id}/download")
    download.close()
    assert "Rosa" not in download.headers["Content-Disposition"]
    assert video.public_id in download.headers["Content-Disposition"]


@pytest.mark.parametrize(("typed", "seconds"), [("0:02", 2), ("2", 2), ("0:00", 0), ("1.5", 1.5)])
def test_parse_timestamp_reads_minutes_and_seconds(typed, seconds):
    assert services.parse_timestamp(typed) == seconds


@pytest.mark.parametrize("typed", ["1:75", "abc", "-3", ""])
def test_parse_timestamp_refuses_nonsense(typed):
    with pytest.raises(services.MediaError):
        services.parse_timestamp(typed)


def test_mentor_comments_at_a_time_inside_the_video(client, auth, practice, video):
    auth.login_as(practice.mentor)
    response = client.post(
        f"/media/videos/{video.public_id}/comments",
        data={"at": "0:02", "body": "See how she waits here.", "criterion": "cues-and-needs"},
    )
    assert response.status_code == 302
    comment = db.session.scalar(select(VideoComment))
    assert (comment.seconds, comment.criterion_slug) == (2, "cues-and-needs")
    page = client.get(f"/media/videos/{video.public_id}").get_data(as_text=True)
    assert ">00:02</a>" in page and 'data-seek="2.0"' in page
    assert "Reading cues and underlying needs" in page


def test_comment_outside_the_video_is_refused_and_the_text_kept(client, auth, practice, video):
    auth.login_as(practice.mentor)
    response = client.post(
        f"/media/videos/{video.public_id}/comments",
        data={"at": "9:00", "body": "A long way in."},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Choose a time inside the video" in page
    assert "A long way in." in page
    assert db.session.scalar(select(VideoComment.id)) is None


def test_trainee_replies_and_agency_admin_cannot_comment(client, auth, make, practice, video):
    auth.login_as(practice.trainee)
    client.post(f"/media/videos/{video.public_id}/comments", data={"at": "1", "body": "Yes!"})
    auth.logout()
    auth.login_as(make.make_user(Role.AGENCY_ADMIN, agency=practice.trainee.agency))
    response = client.post(
        f"/media/videos/{video.public_id}/comments", data={"at": "1", "body": "Hi"}
    )
    assert response.status_code == 404
    assert [c.body for c in db.session.scalars(select(VideoComment))] == ["Yes!"]


def test_each_access_writes_an_audit_event(client, auth, practice, video):
    auth.login_as(practice.mentor)
    client.get(f"/media/videos/{video.public_id}")
    client.get(f"/media/videos/{video.public_id}/stream").close()
    client.get(f"/media/videos/{video.public_id}/stream", headers={"Range": "bytes=500-"}).close()
    client.get(f"/media/videos/{video.public_id}/download").close()
    client.post(f"/media/videos/{video.public_id}/comments", data={"at": "1", "body": "Good"})
    mine = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == practice.mentor.id, AuditEvent.object_type == "video"
        )
    ).all()
    actions = sorted(e.action for e in mine)
    # A seek (a Range not starting at 0) is part of the same viewing, not a new one.
    assert actions == ["video.comment", "video.download", "video.stream", "video.view"]
    assert all(e.object_id == video.public_id and e.address == "127.0.0.1" for e in mine)


def test_the_player_opening_is_audited_once_and_its_range_requests_write_nothing(
    client, auth, practice, video, count_queries
):
    auth.login_as(practice.trainee)
    url = f"/media/videos/{video.public_id}/stream"
    client.get(url, headers={"Range": "bytes=0-"}).close()  # the player opens the video
    with count_queries() as statements:
        for span in ("bytes=0-65535", "bytes=65536-131071", "bytes=500-"):
            client.get(url, headers={"Range": span}).close()
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert writes == []
    streams = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "video.stream"))
    assert len(streams.all()) == 1


def test_a_whole_file_fetched_by_an_odd_range_is_audited_and_so_is_the_poster(
    client, auth, practice, video
):
    """A script asking "bytes=1-" (nearly the whole file) without ever opening at 0 is
    a viewing too; the poster is a frame of the family."""
    viewer = auth.login_as(practice.mentor)
    client.get(f"/media/videos/{video.public_id}/stream", headers={"Range": "bytes=1-"}).close()
    client.get(f"/media/videos/{video.public_id}/poster.jpg").close()
    client.get(f"/media/videos/{video.public_id}/poster.jpg").close()  # the same viewing
    rows = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == viewer.id, AuditEvent.object_type == "video"
        )
    ).all()
    assert sorted(e.action for e in rows) == ["video.poster", "video.stream"]
    stream = next(e for e in rows if e.action == "video.stream")
    stream.created_at -= timedelta(minutes=11)  # a later viewing is a new row
    db.session.commit()
    client.get(f"/media/videos/{video.public_id}/stream", headers={"Range": "bytes=9-"}).close()
    streams = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "video.stream", AuditEvent.actor_id == viewer.id
        )
    )
    assert len(streams.all()) == 2


def test_refused_attempts_on_a_video_and_a_reflection_are_audited(
    client, auth, practice, video, make
):
    """Someone else's video or reflection answers 404, and the attempt is kept."""
    from course.reflections import services as reflections

    outsider = make.make_level_two_trainee()
    answers = ["An answer."] * len(practice.unit.reflection_prompts)
    draft = reflections.save_draft(
        practice.group, practice.trainee, practice.unit, "My notes.", answers
    )
    auth.login_as(outsider)
    assert client.get(f"/media/videos/{video.public_id}/stream").status_code == 404
    assert client.get(f"/media/videos/{video.public_id}/poster.jpg").status_code == 404
    assert client.get(f"/reflections/{draft.public_id}").status_code == 404
    denied = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.object_type, e.object_id) for e in denied] == [
        (outsider.id, "video", video.public_id),
        (outsider.id, "video", video.public_id),
        (outsider.id, "course_reflection", str(draft.id)),
    ]
    assert client.get("/media/videos/nobody/stream").status_code == 404  # no object: no row
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "access.denied")) == 3


def test_purge_deletes_due_videos_and_keeps_tombstones(app, practice, video):
    auth_files = [services.storage().path(k) for k in (video.storage_key, video.poster_key)]
    services.add_comment(video, practice.mentor, 1, "A moment to keep.")
    video.delete_after = date.today() - timedelta(days=1)
    db.session.commit()
    assert services.purge() == {"retention": 1, "abandoned": 0}
    assert video.status == VideoStatus.DELETED and video.deleted_reason == "retention"
    assert video.storage_key is None and video.original_name == ""
    assert not any(path.exists() for path in auth_files)
    assert db.session.scalar(select(VideoComment.id)) is None
    assert services.purge() == {"retention": 0, "abandoned": 0}  # safe to run again


def test_purge_deletes_videos_whose_consent_expired(app, practice, video):
    practice.consent.expires_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert services.purge()["retention"] == 1


def test_withdrawing_consent_deletes_the_dyads_videos_at_once(client, auth, practice, video):
    path = services.storage().path(video.storage_key)
    auth.login_as(practice.trainee)
    response = client.post(f"/consents/{practice.consent.public_id}/withdraw")
    assert response.status_code == 302
    assert video.status == VideoStatus.DELETED and video.deleted_reason == "consent-withdrawn"
    assert not path.exists()
    assert client.get(f"/media/videos/{video.public_id}").status_code == 404


def test_sign_off_sets_the_keeping_date(app, practice, video):
    from course.mentoring.signoffs import standing_sign_offs  # noqa: F401

    services.set_retention_after_sign_off(practice.trainee.id, practice.unit.slug, date.today())
    assert video.delete_after == date.today() + timedelta(days=90)


def test_purge_command_reports_counts(runner, practice, video):
    video.delete_after = date.today()
    db.session.commit()
    result = runner.invoke(args=["course", "purge"])
    assert "Deleted 1 video(s) past their date and 0 abandoned upload(s)" in result.output


def test_site_admin_filters_and_exports_the_audit_log(client, auth, make, practice, video):
    auth.login_as(practice.mentor)
    client.get(f"/media/videos/{video.public_id}")
    auth.logout()
    auth.login_as(Role.SITE_ADMIN)
    page = client.get("/admin/audit?action=video.view").get_data(as_text=True)
    assert video.public_id in page
    assert "<td>video.view</td>" in page and "<td>video.upload-start</td>" not in page
    export = client.get(f"/admin/audit?object={video.public_id}&format=csv")
    assert export.mimetype == "text/csv"
    lines = export.get_data(as_text=True).splitlines()
    assert lines[0].startswith("when (UTC),actor id,actor email,action")
    assert any("video.view" in line and practice.mentor.email in line for line in lines)


@pytest.fixture(scope="session")
def tagged_clip(clip, tmp_path_factory):
    """A phone-style MP4 carrying the place it was filmed (QuickTime location tags)."""
    import subprocess

    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("clips") / "tagged.mp4"
    subprocess.run(  # noqa: S603
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(clip),
            "-c", "copy", "-metadata", "location=+47.6062-122.3321/",
            "-metadata", "com.apple.quicktime.location.ISO6709=+47.6062-122.3321+012.000/",
            "-metadata", "com.apple.quicktime.make=PhoneMaker", "-movflags", "use_metadata_tags",
            str(path),
        ],
        check=True,
    )  # fmt: skip
    assert b"47.6062" in path.read_bytes()
    return path


def test_served_copies_carry_no_location_or_device(client, auth, practice, tagged_clip, upload):
    video = upload(tagged_clip)
    db.session.refresh(video)
    assert video.status == VideoStatus.READY
    assert video.playable_key != video.storage_key  # a new copy, even of a playable file
    auth.login_as(practice.trainee)
    for url in (
        f"/media/videos/{video.public_id}/stream",
        f"/media/videos/{video.public_id}/download",
    ):
        with client.get(url) as response:
            body = response.get_data()
        assert response.status_code in (200, 206) and len(body) > 1000
        assert b"47.6062" not in body and b"PhoneMaker" not in body, url


def test_the_mentor_hears_of_a_ready_video_and_the_trainee_of_comments(practice, video, make):
    from course.notifications import services as notifications

    def unread(person):
        return [n.subject for n in notifications.unread_for(person) if "video" in n.subject]

    trainee = practice.trainee.name
    assert unread(practice.mentor) == [f"{trainee} uploaded a video"]
    services.add_comment(video, practice.trainee, 1, "Here she reaches for me.")
    assert unread(practice.trainee) == []  # nobody is told of their own comment
    services.add_comment(video, practice.mentor, 1, "Yes: and you waited for her.")
    services.add_comment(video, practice.mentor, 2, "Her smile back at you here.")
    mentor = practice.mentor.name
    assert unread(practice.trainee) == [f"{mentor} commented on your video"]  # one, not two
    notifications.mark_all_read(practice.trainee)
    services.add_comment(video, practice.mentor, 2.5, "One more moment.")
    assert unread(practice.trainee) == [f"{mentor} commented on your video"]
    services.mark_reviewed(video, practice.mentor)
    assert unread(practice.mentor) == []  # reviewed: the news is done with


@pytest.mark.parametrize(
    ("at", "field_message"),
    [("1:75", "Seconds go from 00 to 59."), ("99:00", "Choose a time inside the video")],
)
def test_a_refused_comment_keeps_what_was_typed_beside_the_message(
    client, auth, practice, video, at, field_message
):
    auth.login_as(practice.mentor)
    typed = "She reaches for the cup and looks back at you: that glance is the moment."
    answer = client.post(
        f"/media/videos/{video.public_id}/comments", data={"at": at, "body": typed}
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert typed in html and field_message in html
    assert f'value="{at}"' in html
    assert db.session.scalar(select(func.count()).select_from(VideoComment)) == 0


def test_the_mentor_sees_videos_waiting_to_be_marked_reviewed(client, auth, practice, video, make):
    link = f'href="/media/videos/{video.public_id}"'
    auth.login_as(make.make_user(Role.MASTER_TRAINER))  # another mentor: not theirs
    assert link not in client.get("/mentor").get_data(as_text=True)
    auth.logout()
    auth.login_as(practice.mentor)
    for page in ("/mentor", "/mentor/queue"):
        html = client.get(page).get_data(as_text=True)
        assert "Videos to watch and mark reviewed" in html and link in html
    services.mark_reviewed(video, practice.mentor)
    assert link not in client.get("/mentor").get_data(as_text=True)
