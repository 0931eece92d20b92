"""The form fields a browser sends for a question's response: one place for the tests,
the browser journey's data and bench/answer_kinds.py."""

from __future__ import annotations


def fields(question, response: dict) -> list[tuple[str, str]]:
    """(name, value) pairs for ``response``, as the question's own form would send it."""
    name, kind = question.field_name, question.type_name
    if kind == "observation":
        data = [(name("part", n), text) for n, text in enumerate(response.get("parts", []))]
        data += [(name("covered"), key) for key in response.get("covered", [])]
        return data + ([(name("checked"), "yes")] if response.get("checked") else [])
    if kind == "domain_sort":
        return [(name("item", n), d) for n, ds in enumerate(response["items"]) for d in ds]
    if kind == "describe_interpret":
        return [(name("stmt", n), value) for n, value in enumerate(response["statements"])]
    if kind == "choice":
        return [(name("option"), str(index)) for index in response["selected"]]
    if kind == "moments":
        return [(name("marks"), ", ".join(str(mark) for mark in response["marks"]))]
    return [(name("text"), response["text"])]


def first_option(question) -> dict:
    """A guesser's response: the first option, the first domain, "description", one mark
    at the clip's start, and "x" in a text box."""
    kind = question.type_name
    if kind == "choice":
        return {"selected": [0]}
    if kind == "domain_sort":
        return {"items": [["perceptual-motor-physical"] for _ in question.items]}
    if kind == "describe_interpret":
        return {"statements": ["description" for _ in question.statements]}
    if kind == "moments":
        return {"marks": [question.video.start]}
    return {"text": "x"}


def closed_fields(quiz, response_of) -> list[tuple[str, str]]:
    """Fields for every question but the open ones, each answered by ``response_of``."""
    return [
        pair
        for question in quiz.questions
        if not question.is_open
        for pair in fields(question, response_of(question))
    ]
