"""What a trainee sees for each kind of answer to a Level 1 quiz, and whether it passes.

    .venv/bin/python -m bench.answer_kinds

Figures, not a test (tests/quizzes/test_open_answers.py holds the assertions): every
kind is sent through the pages of a fresh in-memory site, as a browser would, for each
of the seven Level 1 quizzes, and the table counts what happened.
"""

from __future__ import annotations

import re
from collections import Counter

from werkzeug.datastructures import MultiDict

from app import create_app
from config import TestConfig
from course.accounts.models import Role
from course.extensions import db
from quizzes import services
from tests.conftest import create_tables
from tests.factories import PASSWORD, make_user
from tests.quizzes.forms import closed_fields, first_option

STRONG = (
    "The mother kneels beside her son and waits while he tries; when it goes wrong she "
    "names what happened in a calm voice, and he looks at her face and tries again."
)
KINDS = {
    "strong paraphrase": lambda q, n: STRONG,
    "lazy ('x')": lambda q, n: "x",
    "judgemental": lambda q, n: (
        "The mother is neglectful and the baby is sad because of her. " + STRONG
    ),
    "keyword list": lambda q, n: "laugh splash yawn stop settle calm relax lean quiet slow soft",
    "copied model answers": lambda q, n: " ".join(q.parts[n].model_answers),
}


def closed(quiz, strategy: str) -> list[tuple[str, str]]:
    """Form fields for the scored questions: right, or "first option everywhere"."""
    if strategy == "right":
        return closed_fields(quiz, lambda question: question.model_response(True))
    return closed_fields(quiz, first_option)


def run_kind(client, quiz, kind: str, strategy: str) -> tuple[str, bool]:
    started = client.post(f"/quizzes/{quiz.slug}/start")
    if "/quizzes/attempts/" not in started.headers["Location"]:
        page = client.get(started.headers["Location"]).get_data(as_text=True)
        raise SystemExit(re.findall(r'class="flash[^>]*>([^<]*)', page))
    attempt_id = started.headers["Location"].rsplit("/")[-1]
    seen = Counter()
    for question in quiz.questions:
        if question.type_name != "observation":
            continue
        texts = [
            (question.field_name("part", n), KINDS[kind](question, n))
            for n in range(len(question.parts))
        ]
        for key in ("lock", "lock_anyway"):
            page = client.post(
                f"/quizzes/attempts/{attempt_id}", data=MultiDict([*texts, (key, question.id)])
            )
            if page.status_code == 302:
                seen["locked" if key == "lock" else "highlighted, kept"] += 1
                break
            body = page.get_data(as_text=True)
            message = re.search(r'class="error" id="[^"]+">([^<]+)<', body)
            if message:
                seen[f"refused: {message.group(1).split('.')[0]}"] += 1
                break
    checks = []
    for question in quiz.questions:
        if question.type_name == "observation":
            checks += [
                (question.field_name("covered"), "0-0"),
                (question.field_name("checked"), "yes"),
            ]
    client.post(
        f"/quizzes/attempts/{attempt_id}",
        data=MultiDict([*closed(quiz, strategy), *checks, ("action", "submit")]),
    )
    attempt = services.get_attempt(attempt_id)
    return "; ".join(sorted(seen)), bool(attempt.passed)


def main() -> None:
    app = create_app(TestConfig)
    with app.app_context():
        create_tables()
    quizzes = app.extensions["quizzes"].quizzes
    rows = [(kind, "right") for kind in KINDS] + [("strong paraphrase", "first option")]
    print(
        f"| answer kind | scored questions | what the trainee sees | passed (of {len(quizzes)}) |"
    )
    print("|---|---|---|---:|")
    for kind, strategy in rows:
        seen, passed = Counter(), 0
        for quiz in quizzes.values():
            with app.app_context():  # a context per person: requests get their own
                email = make_user(Role.TRAINEE).email
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            with app.app_context():
                what, ok = run_kind(client, quiz, kind, strategy)
            seen[what] += 1
            passed += ok
        shown = ", ".join(f"{what} ({n})" if len(seen) > 1 else what for what, n in seen.items())
        print(f"| {kind} | {strategy} | {shown} | {passed} |")
    with app.app_context():
        db.session.remove()


if __name__ == "__main__":
    main()
