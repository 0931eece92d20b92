"""The trainee's pages run a fixed number of statements however long their history."""

from datetime import date, timedelta

from course.accounts.models import Role


def _count(client, count_queries, url: str) -> int:
    client.get(url)  # warm-up: a first visit writes the unit's progress
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_training_page_query_count_stays_fixed_as_the_history_grows(
    client, auth, make, count_queries
):
    from course.curriculum.services import get_curriculum
    from course.learning.services import record_visit

    first = get_curriculum().level("level-1").units[0]
    trainee = make.make_trainee(agency=make.make_agency("Growing"))
    auth.login_as(trainee)
    counts = [_count(client, count_queries, "/training")]  # nothing done yet
    record_visit(trainee, first)
    counts.append(_count(client, count_queries, "/training"))  # one module opened
    make.complete_level_one(trainee)  # every module done, the level completed
    counts.append(_count(client, count_queries, "/training"))
    make.make_group(
        make.make_user(Role.MASTER_TRAINER),
        [trainee],
        start_date=date.today() - timedelta(days=30),
    )  # now in Level 2 too
    counts.append(_count(client, count_queries, "/training"))
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 7, counts  # user, roles, enrolments with statuses, certificates, ...


def test_module_page_query_count_stays_fixed_and_a_repeat_visit_writes_nothing(
    client, auth, make, count_queries
):
    from course.curriculum.services import get_curriculum

    units = get_curriculum().level("level-1").units
    url = f"/units/{units[0].slug}"
    newcomer = make.make_trainee()
    auth.login_as(newcomer)
    fresh = _count(client, count_queries, url)
    auth.logout()
    veteran = make.complete_level_one(make.make_trainee())
    auth.login_as(veteran)
    for unit in units:
        client.get(f"/units/{unit.slug}")
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == fresh, queries
    assert not any(q.lstrip().upper().startswith(("INSERT", "UPDATE")) for q in queries)
    assert "You passed this module's quiz" in client.get(url).get_data(as_text=True)
