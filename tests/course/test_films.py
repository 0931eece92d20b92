"""The film catalogue: who may watch a film (by role and level), a site admin's upload
with captions in more than one language, refused uploads that keep nothing, what a
film week shows when its film is missing, and the practice films from content/."""

import io
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from course.accounts.models import Role
from course.audit.models import AuditEvent
from course.curriculum.media import make_stand_in_clip
from course.curriculum.services import get_curriculum
from course.extensions import db
from course.films import services
from course.films.models import Film, FilmShowing
from course.media.services import storage
from tests.factories import make_site_admin

CAPTIONS = (
    "WEBVTT\n\n00:00.000 --> 00:01.500\n<v Mother>There you are.\n\n"
    "00:01.500 --> 00:03.000\n[the baby coos]\n"
)
SPANISH = "WEBVTT\n\n00:00.000 --> 00:03.000\n<v Madre>Aquí estás.\n"
WEEK_ONE = "l2-week-01-watching-with-fresh-eyes"


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("films") / "film.mp4"
    make_stand_in_clip(path, seconds=3)
    return path


def add_film(clip, levels=("level-2",), weeks=(WEEK_ONE,), title="Feeding at the kitchen table"):
    details = services.FilmDetails(title, "A mother feeds her baby.", "", list(levels), list(weeks))
    return services.add_film(details, clip, "en", CAPTIONS, make_site_admin())


def film_urls(film):
    return (
        f"/films/{film.public_id}/file",
        f"/films/{film.public_id}/captions/en.vtt",
    )


def level_two_trainee(make):
    trainee = make.make_level_one_graduate()
    make.make_group(trainees=[trainee])
    return trainee


# -- who may watch -------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, may_watch",
    [
        ("site_admin", True),
        ("master_trainer", True),
        ("agency_trainer", True),
        ("agency_admin", False),
        ("level_one_trainee", False),
        ("level_two_trainee", True),
    ],
)
def test_a_level_two_film_plays_only_for_staff_and_level_two_trainees(
    app, client, auth, make, clip, who, may_watch
):
    film = add_film(clip)
    agency = make.make_agency()
    people = {
        "site_admin": lambda: make.make_site_admin(),
        "master_trainer": lambda: make.make_user(Role.MASTER_TRAINER),
        "agency_trainer": lambda: make.make_user(Role.AGENCY_TRAINER, agency=agency),
        # the admin of the agency whose trainee is at Level 2 still may not watch
        "agency_admin": lambda: make.make_user(Role.AGENCY_ADMIN, agency=agency),
        "level_one_trainee": lambda: make.make_trainee(agency=agency),
        "level_two_trainee": lambda: level_two_trainee(make),
    }
    level_two_trainee(make)  # someone at Level 2 exists whatever the case
    auth.login_as(people[who]())
    for url in film_urls(film):
        with client.get(url) as response:
            assert response.status_code == (200 if may_watch else 404), (who, url)
    if may_watch:
        assert client.get(film_urls(film)[1]).data.decode() == CAPTIONS
        with client.get(film_urls(film)[0], headers={"Range": "bytes=0-99"}) as ranged:
            assert ranged.status_code == 206 and len(ranged.data) == 100


def test_a_level_one_film_plays_for_a_new_trainee_and_a_refusal_is_audited(
    app, client, auth, make, clip
):
    level_one = add_film(clip, levels=("level-1",), weeks=())
    level_three = add_film(clip, levels=("level-3",), weeks=(), title="A reunion at pickup")
    trainee = auth.login_as(make.make_trainee())
    with client.get(film_urls(level_one)[0]) as response:
        assert response.status_code == 200
    assert client.get(film_urls(level_three)[0]).status_code == 404
    denied = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.actor_id == trainee.id, AuditEvent.action == "access.denied"
        )
    ).all()
    assert [event.object_id for event in denied] == [str(level_three.id)]


def test_signed_out_visitors_are_sent_to_sign_in(app, client, clip):
    film = add_film(clip)
    for url in film_urls(film):
        assert client.get(url).status_code == 302


# -- managing the catalogue ------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MASTER_TRAINER, Role.AGENCY_ADMIN, Role.TRAINEE])
def test_only_a_site_admin_manages_the_catalogue(app, client, auth, make, clip, role):
    film = add_film(clip)
    auth.login_as(role)
    for url in (
        "/films",
        "/films/new",
        f"/films/{film.public_id}",
        f"/films/{film.public_id}/delete",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/films/{film.public_id}/delete").status_code == 403
    assert client.post(f"/films/{film.public_id}/captions").status_code == 403
    assert db.session.get(Film, film.id) is not None


def upload_form(clip, **overrides):
    data = {
        "title": "Bath time with a new sister",
        "description": "A father bathes his toddler while the baby watches.",
        "levels": ["level-2"],
        "weeks": [WEEK_ONE],
        "caption_language": "en",
        "file": (io.BytesIO(clip.read_bytes()), "bath.mp4"),
        "captions": (io.BytesIO(CAPTIONS.encode()), "bath.vtt"),
    }
    data.update(overrides)
    return data


def stored_files(app) -> list[Path]:
    """Every file in the media store (which tests/ keeps per test)."""
    root = storage().root
    assert str(root).startswith(app.config["COURSE_UPLOAD_DIR"])
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_site_admin_uploads_a_film_with_captions_in_two_languages(app, client, auth, make, clip):
    auth.login_as(Role.SITE_ADMIN)
    response = client.post("/films/new", data=upload_form(clip), content_type="multipart/form-data")
    assert response.status_code == 302
    film = db.session.scalar(select(Film))
    assert (film.title, film.levels, film.unit_slugs) == (
        "Bath time with a new sister",
        ["level-2"],
        [WEEK_ONE],
    )
    assert film.duration_seconds == 3 and not film.practice  # read from the file
    assert storage().exists(film.storage_key) and film.caption("en").body == CAPTIONS
    response = client.post(
        f"/films/{film.public_id}/captions",
        data={"language": "es", "captions": (io.BytesIO(SPANISH.encode()), "bano.vtt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(film)
    assert [caption.language for caption in film.captions] == ["en", "es"]

    # A Level 2 trainee's week page plays it, with both caption tracks.
    client.post("/logout")
    auth.login_as(level_two_trainee(make))
    page = client.get(f"/units/{WEEK_ONE}").get_data(as_text=True)
    assert f'src="/films/{film.public_id}/file"' in page
    assert 'srclang="en" label="English" default' in page
    assert 'srclang="es" label="Español"' in page


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"captions": (io.BytesIO(b"00:00.000 --> 00:01.000\nHi\n"), "a.vtt")}, "not WebVTT"),
        (
            {"captions": (io.BytesIO(b"WEBVTT\n\n00:05.000 --> 00:02.000\nHi\n"), "a.vtt")},
            "ends before it starts",
        ),
        (
            {"captions": (io.BytesIO(b"WEBVTT\n\n00:00.000 --> 01:00.000\nHi\n"), "a.vtt")},
            "past the film",
        ),
        ({"file": (io.BytesIO(b"not a film at all" * 100), "film.mp4")}, "not a video"),
        ({"captions": (io.BytesIO(b"WEBVTT\n"), "a.srt")}, "File does not have an approved"),
        ({"levels": [], "weeks": []}, "at least one level"),
    ],
)
def test_a_refused_upload_keeps_nothing_and_what_was_typed(
    app, client, auth, clip, overrides, field_message
):
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        "/films/new", data=upload_form(clip, **overrides), content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message in page
    assert 'value="Bath time with a new sister"' in page  # the title stays as typed
    assert db.session.scalar(select(Film)) is None
    assert stored_files(app) == []


def test_captions_that_fail_are_refused_and_the_last_language_stays(app, client, auth, clip):
    film = add_film(clip)
    auth.login_as(Role.SITE_ADMIN)
    client.post(
        f"/films/{film.public_id}/captions",
        data={"language": "es", "captions": (io.BytesIO(b"hola"), "x.vtt")},
        content_type="multipart/form-data",
    )
    client.post(f"/films/{film.public_id}/captions/en/delete")
    db.session.refresh(film)
    assert [caption.language for caption in film.captions] == ["en"]
    page = client.get(f"/films/{film.public_id}").get_data(as_text=True)
    assert "does not start with WEBVTT" in page or "keeps at least one" in page


def test_removing_a_film_asks_first_then_deletes_its_file(app, client, auth, clip):
    film = add_film(clip)
    key = film.storage_key
    auth.login_as(Role.SITE_ADMIN)
    confirm = client.get(f"/films/{film.public_id}/delete").get_data(as_text=True)
    assert "Remove Feeding at the kitchen table from the catalogue?" in confirm
    assert "1 week that show it" in confirm
    assert storage().exists(key)
    assert client.post(f"/films/{film.public_id}/delete").status_code == 302
    assert db.session.get(Film, film.id) is None and not storage().exists(key)
    assert db.session.scalars(select(FilmShowing)).all() == []


def test_editing_a_film_moves_it_between_weeks(app, client, auth, clip):
    film = add_film(clip)
    week_two = get_curriculum().level("level-2").units[1].slug
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        f"/films/{film.public_id}",
        data={"title": "Renamed", "levels": ["level-2", "level-3"], "weeks": [week_two]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(film)
    assert (film.title, film.levels, film.unit_slugs) == (
        "Renamed",
        ["level-2", "level-3"],
        [week_two],
    )
    assert services.films_for_unit(WEEK_ONE) == [] and services.films_for_unit(week_two) == [film]


# -- a week whose film is missing ------------------------------------------------------


def test_a_week_without_a_film_tells_each_person_what_they_need_to_know(app, client, auth, make):
    week = get_curriculum().unit(WEEK_ONE)
    trainee = level_two_trainee(make)
    mentor = make.make_user(Role.MASTER_TRAINER)
    pages = []
    for person in (trainee, mentor, make.make_site_admin()):
        auth.login_as(person)
        pages.append(client.get(f"/units/{WEEK_ONE}").get_data(as_text=True))
        client.post("/logout")
    trainee_page, mentor_page, admin_page = pages
    assert "<video" not in trainee_page
    assert "This week's films are not ready yet" in trainee_page
    assert escape(week.film_brief) not in trainee_page  # for the people who fix it
    assert "Ask the site admin" in mentor_page and escape(week.film_brief) in mentor_page
    assert 'href="/films"' in admin_page
    auth.login_as(make.make_site_admin())
    catalogue = client.get("/films").get_data(as_text=True)
    assert "Weeks without a film" in catalogue and week.title in catalogue


def test_mentor_notes_show_to_mentors_and_never_to_trainees(app, client, auth, make):
    week = get_curriculum().unit(WEEK_ONE)
    note = week.observe_prompts[0].answers_may_include[0]
    auth.login_as(level_two_trainee(make))
    trainee_page = client.get(f"/units/{WEEK_ONE}").get_data(as_text=True)
    assert escape(week.observe_prompts[0].text) in trainee_page
    assert escape(note) not in trainee_page
    client.post("/logout")
    auth.login_as(Role.MASTER_TRAINER)
    assert escape(note) in client.get(f"/units/{WEEK_ONE}").get_data(as_text=True)


# -- practice films --------------------------------------------------------------------


def test_practice_films_are_imported_once_labelled_and_visible_to_their_levels(
    app, client, auth, make, runner
):
    curriculum = get_curriculum()
    assert services.import_practice_films(make_files=False) == len(curriculum.videos)
    assert services.import_practice_films(make_files=False) == 0
    films = services.all_films()
    assert all(film.practice for film in films)
    by_slug = {film.slug: film for film in films}
    # A film a Level 1 quiz plays is open to Level 1 as well as the week's level.
    assert "level-1" in by_slug["l2-grandmother-backyard-explorer"].levels
    for video in curriculum.videos.values():
        assert by_slug[video.slug].unit_slugs == sorted(video.units)
        assert set(by_slug[video.slug].levels) >= {curriculum.unit(u).level for u in video.units}

    result = runner.invoke(args=["course", "practice-films"])
    assert result.exit_code == 0 and "Added 0 practice film(s)" in result.output
    film = by_slug[next(v.slug for v in curriculum.videos.values() if WEEK_ONE in v.units)]
    db.session.refresh(film)
    assert storage().exists(film.storage_key)  # the command made the missing files
    auth.login_as(level_two_trainee(make))
    page = client.get(f"/units/{WEEK_ONE}").get_data(as_text=True)
    assert "Practice film made for this site" in page
    assert "Where to look in this film" in page


def test_replacing_a_films_file_keeps_its_captions_and_deletes_the_old_file(
    app, client, auth, clip
):
    film = add_film(clip)
    old_key = film.storage_key
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        f"/films/{film.public_id}",
        data={
            "title": film.title,
            "levels": ["level-2"],
            "weeks": [WEEK_ONE],
            "file": (io.BytesIO(clip.read_bytes()), "better-cut.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(film)
    assert film.storage_key != old_key and storage().exists(film.storage_key)
    assert not storage().exists(old_key)
    assert film.caption("en").body == CAPTIONS
    assert stored_files(app) == [storage().path(film.storage_key)]


def test_a_week_always_opens_its_film_to_that_weeks_level(app, client, auth, make, clip):
    film = add_film(clip, levels=("level-3",), weeks=(WEEK_ONE,))
    assert film.levels == ["level-2", "level-3"]
    auth.login_as(level_two_trainee(make))
    with client.get(film_urls(film)[0]) as response:
        assert response.status_code == 200


def test_a_film_whose_file_is_gone_answers_not_found_and_import_forgets_it(app, client, auth, clip):
    film = add_film(clip)
    storage().delete(film.storage_key)
    auth.login_as(Role.SITE_ADMIN)
    assert client.get(film_urls(film)[0]).status_code == 404
    services.import_practice_films(make_files=False)
    practice = services.film_by_slug(next(iter(get_curriculum().videos)))
    practice.storage_key = "gone.mp4"
    db.session.commit()
    services.import_practice_films(make_files=False)
    assert practice.storage_key is None  # no player is shown for a missing file


@pytest.mark.parametrize(
    "body, message",
    [
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\x00\n", "not text"),
        (b"WEBVTT\n\n" + b"x" * 2000, "over 1 MB"),  # with the limit at 1,000 bytes
        (b"\xff\xfeW\x00", "UTF-8"),
    ],
)
def test_caption_files_that_are_not_small_text_are_refused(
    app, client, auth, clip, body, message, monkeypatch
):
    monkeypatch.setattr(services, "CAPTIONS_MAX_BYTES", 1000)
    film = add_film(clip)
    auth.login_as(Role.SITE_ADMIN)
    client.post(
        f"/films/{film.public_id}/captions",
        data={"language": "es", "captions": (io.BytesIO(body), "x.vtt")},
        content_type="multipart/form-data",
    )
    assert message in client.get(f"/films/{film.public_id}").get_data(as_text=True)
    db.session.refresh(film)
    assert [caption.language for caption in film.captions] == ["en"]


def test_shortening_a_film_below_its_captions_is_refused(app, client, auth, clip):
    long_captions = "WEBVTT\n\n00:00.000 --> 01:00.000\nA long scene.\n"
    details = services.FilmDetails("A long film", "", "", ["level-2"], [], duration_seconds=90)
    film = services.add_film(details, clip, "en", long_captions, make_site_admin())
    auth.login_as(Role.SITE_ADMIN)
    response = client.post(
        f"/films/{film.public_id}",
        data={"title": film.title, "levels": ["level-2"], "duration_seconds": "10"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "past the film" in response.get_data(as_text=True)
    db.session.refresh(film)
    assert film.duration_seconds == 90
