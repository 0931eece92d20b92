"""Demo open answers: Amara's "What do you observe?" answers in the three states a
trainer sees (replied to, sent back with "revisit", waiting), in her own words.

Her Level 1 cohort's trainer is the demo master trainer, who reads them. Other demo
trainees' Level 1 answers were read long ago: they are marked replied, quietly.
"""

from __future__ import annotations

from sqlalchemy import select, update

from course.accounts.models import User
from course.accounts.services import get_user_by_email
from course.agencies.models import Cohort
from course.extensions import db
from course.learning.models import Enrolment
from quizzes.models import QuizAnswer, ReviewState
from quizzes.open_answers import coach, reply
from quizzes.services import best_attempt

TRAINER = "mentor@pfr-center.example.org"
TRAINEE = "amara@riverbend.example.org"

# quiz slug -> (question id, her answer to each part, the trainer's reply, revisit?)
AMARA = {
    "elements-of-a-healthy-relationship": (
        "bath-time-splash",
        [
            "Each time Luz smacked the water Teresa laughed and said Splash, and Luz "
            "squealed and smacked again. Later Luz yawned, looked toward the hallway and "
            "twisted away with a whimper. Teresa went quiet and poured water slowly down "
            "her back, and Luz leaned on the side of the tub and reached for the cup.",
            "Greta waited in the doorway until the moment was over, then told Teresa "
            "exactly what she had seen: the yawn, the twist, and Luz easing when Teresa "
            "slowed down.",
            "Greta could film a bath next week and watch it with Teresa, stopping at the "
            "yawn to ask Teresa what she sees.",
            "Luz finds out again and again that when she turns away, her mother slows "
            "down, so she can count on being read and on things coming right after a miss.",
        ],
        "You caught the turning point exactly: the yawn, the gaze to the hallway and the "
        "twist, in that order. Next time, watch Luz's hands at the end too: who is "
        "holding the cup says a lot about who is leading.",
        False,
    ),
    "attachment-and-secure-relationships": (
        "child-care-drop-off",
        [
            "Theo is clingy and spoiled by his dad. He held Sam's trouser leg and cried "
            "when he was set down. After Sam left he cried harder and faced the door. "
            "Bernadette sat near him and opened her arms, and he went to her.",
            "Bernadette kept close but let Theo come to her, and she named that he missed "
            "his daddy. She took him to the window to watch the car leave.",
            "Sam could keep the same short goodbye every morning and tell Theo when he "
            "will be back, and Bernadette can say it again during the day.",
            "Theo learns that his father says goodbye and comes back, and that Bernadette "
            "is there in between, so missing him is bearable.",
        ],
        "Your second and third sentences are lovely observation. The first one, "
        "'clingy and spoiled', is a verdict, and it would stop a father from telling "
        "you more. What did you actually see Theo do? Try that sentence again in "
        "plain words.",
        True,
    ),
    "reflective-capacity": (
        "bedtime-crying",
        [
            "Elijah cried as soon as he was laid down and pulled himself up on the rail, "
            "looking at his mother. Jolene stayed by the door with her arms folded. "
            "After Pilar asked how it felt, Jolene went to the crib and stroked his hair, "
            "and his crying slowed to hiccups.",
            "Pilar described Elijah's crying as calling for his mother, asked Jolene how "
            "it felt to hear it, and waited when Jolene talked about her own mother.",
            "Pilar could ask at the next visit what Jolene noticed when she stroked his "
            "hair, and plan bedtime with her around staying close for a few minutes.",
            "Elijah learns that when he calls, his mother comes, even when it is hard for "
            "her, and that settling happens with her.",
        ],
        None,
        False,
    ),
}


def seed_open_answers() -> None:
    """Give the demo trainer Amara's Level 1 cohort and her answers their states."""
    trainer, amara = get_user_by_email(TRAINER), get_user_by_email(TRAINEE)
    if trainer is None or amara is None:
        return
    _lead_her_cohort(trainer, amara)
    hers = {slug: _answer(amara, slug, question_id) for slug, (question_id, *_) in AMARA.items()}
    _mark_others_read(trainer, {answer.id for answer in hers.values() if answer})
    for slug, (_, parts, text, revisit) in AMARA.items():
        answer = hers[slug]
        if answer is None or answer.reply is not None or answer.response.get("demo"):
            continue  # already seeded
        answer.response = {
            **answer.response,
            "parts": parts,
            "highlights": coach(parts),
            "covered": ["0-0", "0-1"],
            "demo": True,
        }
        db.session.commit()
        if text:
            reply(answer, trainer.id, text, revisit)


def _lead_her_cohort(trainer: User, amara: User) -> None:
    cohort_id = db.session.scalar(
        select(Enrolment.cohort_id).where(
            Enrolment.user_id == amara.id, Enrolment.level == "level-1"
        )
    )
    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    if cohort is not None and cohort.mentor_id is None:
        cohort.mentor_id = trainer.id
        db.session.commit()


def _mark_others_read(trainer: User, keep: set[int]) -> None:
    db.session.execute(
        update(QuizAnswer)
        .where(QuizAnswer.id.not_in(keep), QuizAnswer.review_state == ReviewState.WAITING)
        .values(
            review_state=ReviewState.REPLIED,
            reply="Read together at the Level 1 workshop.",
            replied_by=trainer.id,
        )
    )
    db.session.commit()


def _answer(user: User, quiz_slug: str, question_id: str) -> QuizAnswer | None:
    best = best_attempt(user.id, quiz_slug)
    return best.answer_for(question_id) if best else None
