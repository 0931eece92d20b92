"""The Level 1 quiz most quiz tests take, and its first open question."""

import pytest

from quizzes import services

SLUG = "elements-of-a-healthy-relationship"


@pytest.fixture
def quiz(app):
    return services.get_quiz(SLUG)


@pytest.fixture
def observation(quiz):
    return next(q for q in quiz.questions if q.type_name == "observation")
