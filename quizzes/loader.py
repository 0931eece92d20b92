"""Read and validate the quiz files in content/quizzes/ at start-up.

A problem names the file, the line, and the question, so an author can find it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from quizzes.moments import MomentsQuestion
from quizzes.question_types import QUESTION_TYPES, ChoiceQuestion, ParseProblem, Question

TYPES = {**QUESTION_TYPES, MomentsQuestion.type_name: MomentsQuestion}

# libyaml's C parser when installed (it is, with PyYAML wheels): ~10x faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUIZ_FIELDS = {"slug", "title", "pass_mark", "intro", "questions", "attempts"}
POLICY_FIELDS = {"allowed", "hours_between", "show_answers"}
SHOW_ANSWERS = ("after_each", "after_last")


@dataclass(frozen=True)
class AttemptPolicy:
    """How often a quiz may be taken, and when the right answers show. The defaults
    are what a trainer would choose: three tries, an hour apart to reread the module,
    and the right options only after the last try (or a pass)."""

    allowed: int = 3
    hours_between: float = 1
    show_answers: str = "after_last"


@dataclass(frozen=True)
class Quiz:
    slug: str
    title: str
    pass_mark: int
    questions: tuple[Question, ...]
    intro: str = ""
    policy: AttemptPolicy = AttemptPolicy()

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def number_of(self, question_id: str) -> int | None:
        """The question's 1-based number, as the attempt page shows it."""
        ids = [q.id for q in self.questions]
        return ids.index(question_id) + 1 if question_id in ids else None

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.scored)


class QuizContentError(Exception):
    """Quiz files are broken; ``problems`` lists each as 'path:line: message'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("content/quizzes has problems:\n" + "\n".join(f"  {p}" for p in problems))


def quiz_dir(content_dir: str | Path) -> Path:
    return Path(content_dir) / "quizzes"


def quiz_slugs(content_dir: str | Path) -> frozenset[str]:
    """Return the slugs of the quiz files (their names), without parsing them."""
    return frozenset(path.stem for path in quiz_dir(content_dir).glob("*.yaml"))


_cache: dict[tuple, dict[str, Quiz]] = {}


def load_quizzes_cached(content_dir: str | Path, video_slugs: frozenset[str]) -> dict[str, Quiz]:
    """Load the quizzes once per process while their files are unchanged."""
    files = sorted(quiz_dir(content_dir).glob("*.yaml"))
    key = (str(content_dir), video_slugs, tuple((p, p.stat().st_mtime_ns) for p in files))
    if key not in _cache:
        _cache.clear()
        _cache[key] = load_quizzes(content_dir, video_slugs)
    return _cache[key]


def load_quizzes(
    content_dir: str | Path, video_slugs: frozenset[str] | None = frozenset()
) -> dict[str, Quiz]:
    """Load every quiz file; raise QuizContentError listing every problem.

    ``video_slugs`` are the catalogue's videos; None skips checking video references.
    """
    problems: list[str] = []
    quizzes = {}
    for path in sorted(quiz_dir(content_dir).glob("*.yaml")):
        rel = f"{Path(content_dir).name}/quizzes/{path.name}"
        quiz = _load_file(path, rel, video_slugs, problems)
        if quiz is not None:
            quizzes[quiz.slug] = quiz
    if problems:
        raise QuizContentError(problems)
    return quizzes


def _load_file(path: Path, rel: str, video_slugs, problems: list[str]) -> Quiz | None:
    before = len(problems)
    try:
        text = path.read_text(encoding="utf-8")
        node, data = yaml.compose(text, Loader=YAML_LOADER), yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)  # nosec B506
    except UnicodeDecodeError:
        problems.append(f"{rel}: not UTF-8 text")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{rel}:{mark.line + 1}" if mark else rel
        problems.append(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{rel}:1: a quiz file must be a mapping with slug, title, questions")
        return None
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    for key in sorted(map(str, data)):
        if key not in QUIZ_FIELDS:
            problems.append(f"{rel}:{lines.get(key, 1)}: unknown field '{key}'")
    if data.get("slug") != path.stem:
        problems.append(
            f"{rel}:{lines.get('slug', 1)}: slug must be '{path.stem}', the file's name"
        )
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        problems.append(f"{rel}:{lines.get('title', 1)}: missing field 'title'")
    pass_mark = data.get("pass_mark")
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 0 < pass_mark <= 100:
        problems.append(
            f"{rel}:{lines.get('pass_mark', 1)}: 'pass_mark' must be a whole number from 1 to 100"
        )
    policy = _policy(data.get("attempts"), f"{rel}:{lines.get('attempts', 1)}", problems)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(
            f"{rel}:{lines.get('questions', 1)}: 'questions' must list at least one question"
        )
        return None
    question_nodes = next(v for k, v in node.value if k.value == "questions").value
    seen_ids: set[str] = set()
    questions = [
        _parse_question(raw, qnode.start_mark.line + 1, rel, video_slugs, problems, seen_ids)
        for raw, qnode in zip(raw_questions, question_nodes, strict=False)
    ]
    if len(problems) > before:
        return None
    _check_answer_positions(questions, f"{rel}:{lines['questions']}", problems)
    return Quiz(
        path.stem,
        data["title"].strip(),
        pass_mark,
        tuple(questions),
        data.get("intro", ""),
        policy or AttemptPolicy(),
    )


BIAS_SHARE = 0.4
BIAS_MIN_ITEMS = 3


def _check_answer_positions(questions, where: str, problems: list[str]) -> None:
    """Options are shuffled per attempt, but printed quizzes and authors' habits are
    not: with the right answer mostly in one place, "always pick A" would pass."""
    singles = [q for q in questions if isinstance(q, ChoiceQuestion) and not q.multiple]
    if len(singles) < BIAS_MIN_ITEMS:
        return
    positions = Counter(next(n for n, o in enumerate(q.options) if o.correct) for q in singles)
    position, count = positions.most_common(1)[0]
    if count > BIAS_SHARE * len(singles):
        problems.append(
            f"{where}: option {position + 1} is the right answer in {count} of "
            f"{len(singles)} single-choice questions; move some (at most "
            f"{int(BIAS_SHARE * 100)}% in one position)"
        )


def _policy(data, where: str, problems: list[str]) -> AttemptPolicy | None:
    if data is None:
        return AttemptPolicy()
    if not isinstance(data, dict) or set(data) - POLICY_FIELDS:
        problems.append(f"{where}: 'attempts' takes {', '.join(sorted(POLICY_FIELDS))}")
        return None
    policy = AttemptPolicy(**data)
    allowed, hours = policy.allowed, policy.hours_between
    if not isinstance(allowed, int) or isinstance(allowed, bool) or not 1 <= allowed <= 20:
        problems.append(f"{where}: attempts 'allowed' must be a whole number from 1 to 20")
    elif not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 <= hours <= 720:
        problems.append(f"{where}: attempts 'hours_between' must be 0 to 720 hours")
    elif policy.show_answers not in SHOW_ANSWERS:
        problems.append(
            f"{where}: attempts 'show_answers' must be one of {', '.join(SHOW_ANSWERS)}"
        )
    else:
        return policy
    return None


def _parse_question(raw, line, rel, video_slugs, problems, seen_ids) -> Question | None:
    if not isinstance(raw, dict):
        problems.append(f"{rel}:{line}: each question must be a mapping")
        return None
    qid = raw.get("id")
    label = f"question '{qid}'" if isinstance(qid, str) else "question"
    if not isinstance(qid, str) or not SLUG_RE.match(qid):
        problems.append(f"{rel}:{line}: {label} needs an 'id' in lowercase-with-dashes")
        return None
    if qid in seen_ids:
        problems.append(f"{rel}:{line}: {label}: duplicate id")
        return None
    seen_ids.add(qid)
    kind_name = raw.get("type")
    kind = TYPES.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        known = ", ".join(TYPES)
        problems.append(f"{rel}:{line}: {label}: unknown type '{kind_name}' (one of: {known})")
        return None
    unknown = sorted(set(raw) - kind.fields)
    if unknown:
        problems.append(f"{rel}:{line}: {label}: unknown field '{unknown[0]}'")
        return None
    try:
        return kind.parse(raw, video_slugs)
    except ParseProblem as exc:
        problems.append(f"{rel}:{line}: {label}: {exc}")
        return None
