"""Coaching on a trainee's own words: the real content/coaching.yaml, small broken files
written to ``tmp_path / "content"``, and the browser script run in Node when installed.
"""

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from quizzes.coaching import (
    Coaching,
    CoachingContentError,
    Highlight,
    load_coaching,
    load_coaching_cached,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT = REPO_ROOT / "content" / "coaching.yaml"
SCRIPT = REPO_ROOT / "quizzes" / "static" / "coaching.js"
COACHING = load_coaching(CONTENT)
NODE = shutil.which("node")

CAREFUL_EN = (
    "Luz yawns, her gaze drifts to the hallway, and she twists away and whimpers. "
    "Teresa stops, lowers her voice and pours water slowly down her back."
)
CAREFUL_ES = (
    "Luz bosteza, su mirada se va hacia el pasillo, y ella se voltea y gime. "
    "Teresa se detiene, baja la voz y le echa agua despacio por la espalda."
)


def declared_examples():
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    for pattern in data["patterns"]:
        for expected in ("flagged", "clean"):
            for lang in ("en", "es"):
                for n, text in enumerate(pattern["examples"][expected][lang], 1):
                    name = f"{pattern['id']}-{expected}-{lang}-{n}"
                    yield pytest.param(pattern["id"], expected, lang, text, id=name)


EXAMPLES = list(declared_examples())


def only(pattern_id: str, lang: str) -> Coaching:
    """The one pattern, with just one language's list, and the real skip rules."""
    pattern = next(p for p in COACHING.patterns if p.id == pattern_id)
    match = {key: regexes if key == lang else () for key, regexes in pattern.match.items()}
    return Coaching([dataclasses.replace(pattern, match=match)], COACHING.skip_after)


# -- the real content ------------------------------------------------------------------


def test_content_has_every_kind_in_both_languages():
    assert {p.kind for p in COACHING.patterns} == {"judgement", "mind-reading", "advice"}
    assert len(EXAMPLES) > 100
    for pattern in COACHING.patterns:
        assert set(pattern.question) == {"en", "es"}
        assert all(pattern.match[lang] for lang in ("en", "es"))


@pytest.mark.parametrize(("pattern_id", "expected", "lang", "text"), EXAMPLES)
def test_each_example_behaves_as_declared(pattern_id, expected, lang, text):
    found = COACHING.highlights(text)
    if expected == "clean":
        assert found == []
        return
    assert found, "not flagged at all"
    alone = only(pattern_id, lang).highlights(text)
    assert alone, f"not flagged by the {lang} list of {pattern_id}"
    question = next(p for p in COACHING.patterns if p.id == pattern_id).question[lang]
    assert alone[0].question == question


def test_sources_use_nothing_only_python_understands():
    sources = [
        source
        for rule in COACHING.to_json()["patterns"] + COACHING.to_json()["skip_after"]
        for lang in ("en", "es")
        for source in rule["match"][lang]
    ]
    assert len(sources) > 100
    for source in sources:
        for construct in ("(?P", "(?i", r"\A", r"\Z", "(?#", r"\b", r"\w"):
            assert construct not in source, (construct, source)


def test_to_json_has_what_the_browser_needs():
    data = json.loads(json.dumps(COACHING.to_json()))
    assert [p["id"] for p in data["patterns"]] == [p.id for p in COACHING.patterns]
    first = data["patterns"][0]
    assert set(first) == {"id", "kind", "question", "match"}
    assert set(first["question"]) == set(first["match"]) == {"en", "es"}
    assert {rule["id"] for rule in data["skip_after"]} == {"reported-speech", "wondering"}


# -- sentences and offsets --------------------------------------------------------------


def test_offsets_point_at_the_flagged_sentences():
    text = "He reached for the cup.  She is lazy!\nThen he smiled… He is spoiled?\nShe waves"
    found = COACHING.highlights(text)
    assert [h.sentence for h in found] == ["She is lazy!", "He is spoiled?"]
    for highlight in found:
        assert text[highlight.start : highlight.end] == highlight.sentence
    assert found[0].start == text.index("She is lazy!")


def test_a_line_break_ends_a_sentence():
    text = "He reached for the cup\nshe is lazy\n\n- He is spoiled"
    found = COACHING.highlights(text)
    assert [h.sentence for h in found] == ["she is lazy", "- He is spoiled"]


def test_highlight_has_kind_pattern_question_and_matched_words():
    text = "Elijah cries. The mother is neglectful and the baby is sad because of her"
    assert COACHING.highlights(text) == [
        Highlight(
            start=14,
            end=len(text),
            sentence="The mother is neglectful and the baby is sad because of her",
            kind="judgement",
            pattern_id="caregiver-label",
            question=next(p for p in COACHING.patterns if p.id == "caregiver-label").question["en"],
            match="neglectful",
        )
    ]


def test_a_sentence_with_several_problems_gets_one_highlight():
    found = COACHING.highlights("She is lazy, he feels sad and she should stop.")
    assert len(found) == 1
    assert found[0].kind == "judgement"


def test_curly_apostrophes_match_and_keep_their_offsets():
    text = "He smiled. Dad doesn’t care."
    (found,) = COACHING.highlights(text)
    assert found.match == "doesn’t care"
    assert text[found.start : found.end] == "Dad doesn’t care."


# -- quotations, reported speech and wondering -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'Her words were "you feel sad", and he looked up.',
        "Her words were “you feel sad”, and he looked up.",
        "Her words were 'you feel sad', and he looked up.",
        "Her words were ‘you feel sad’, and he looked up.",
        "Sus palabras fueron «te sientes triste», y él levantó la vista.",
        'Her words were "She wants her bottle. You should wait." He looked up.',
        "Then: 'I don't know why he's so clingy.' He looked up.",
    ],
)
def test_quoted_speech_is_not_flagged(text):
    assert COACHING.highlights(text) == []


def test_a_full_stop_inside_a_quotation_does_not_split_the_sentence():
    text = 'Her words were "You feel sad. It is okay." He is spoiled.'
    (found,) = COACHING.highlights(text)
    assert found.sentence == "He is spoiled."


def test_words_outside_the_quotation_are_still_flagged():
    (found,) = COACHING.highlights('After "shh, shh" she is lazy.')
    assert found.match == "lazy"


def test_apostrophes_do_not_open_a_quotation():
    (found,) = COACHING.highlights("The baby's mom doesn't care, and she's on her phone.")
    assert found.match == "doesn't care"


@pytest.mark.parametrize(
    "text",
    [
        "Mom says he is spoiled.",
        "Jolene says he is crying to punish her.",
        "La mamá dice que es un niño mimado.",
        "Maybe he is tired.",
        "I wonder if she feels lonely.",
        "Tal vez está cansada.",
    ],
)
def test_reported_speech_and_wondering_are_not_flagged(text):
    assert COACHING.highlights(text) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mom is lazy, she says.", "judgement"),  # the verdict comes before the words
        ("Maybe she should stop.", "advice"),  # wondering softens only mind-reading
        ("Maybe she is lazy.", "judgement"),
    ],
)
def test_what_reported_speech_and_wondering_do_not_excuse(text, kind):
    assert [h.kind for h in COACHING.highlights(text)] == [kind]


# -- realistic answers -----------------------------------------------------------------


@pytest.mark.parametrize("text", [CAREFUL_EN, CAREFUL_ES])
def test_a_careful_description_gets_no_highlight(text):
    assert COACHING.highlights(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "lang"),
    [
        ("The mother is neglectful and the baby is sad because of her", "judgement", "en"),
        ("He can't trust his mother", "mind-reading", "en"),
        ("She should stop the game", "advice", "en"),
        ("La mamá es negligente y la bebé está triste por su culpa.", "judgement", "es"),
        ("No confía en su mamá.", "mind-reading", "es"),
        ("Debería parar el juego.", "advice", "es"),
    ],
)
def test_interpreting_sentences_are_flagged_with_a_question_in_their_language(text, kind, lang):
    (found,) = COACHING.highlights(text)
    pattern = next(p for p in COACHING.patterns if p.id == found.pattern_id)
    assert (found.kind, found.question) == (kind, pattern.question[lang])


def test_a_longer_answer_flags_only_its_interpreting_sentences():
    text = (
        "Elijah cries as soon as he is put down and pulls himself up on the rail. "
        "Jolene stays by the door with her arms folded.\n"
        "She doesn’t care about him. She should pick him up! "
        "When she strokes his hair, his crying slows."
    )
    found = COACHING.highlights(text)
    assert [(h.sentence, h.kind) for h in found] == [
        ("She doesn’t care about him.", "judgement"),
        ("She should pick him up!", "advice"),
    ]


# -- broken files ----------------------------------------------------------------------

VALID = (
    "patterns:\n"  # 1
    "  - id: lazy\n"  # 2
    "    kind: judgement\n"  # 3
    "    question:\n"  # 4
    "      en: What did you see?\n"  # 5
    "      es: ¿Qué viste?\n"  # 6
    "    match:\n"  # 7
    "      en:\n"  # 8
    "        - \\blazy\\b\n"  # 9
    "      es:\n"  # 10
    "        - \\bfloj[oa]\\b\n"  # 11
    "    examples:\n"  # 12
    "      flagged:\n"  # 13
    "        en: [She is lazy.]\n"  # 14
    "        es: [Es floja.]\n"  # 15
    "      clean:\n"  # 16
    "        en: [She lay down.]\n"  # 17
    "        es: [Se acostó.]\n"  # 18
)
SKIP = (
    "skip_after:\n"  # 19
    "  - id: reported-speech\n"  # 20
    "    kinds: [judgement]\n"  # 21
    "    match:\n"  # 22
    "      en: ['\\bsays\\b']\n"  # 23
    "      es: ['\\bdice\\b']\n"  # 24
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "content" / "coaching.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_valid_file_loads(tmp_path):
    coaching = load_coaching(write(tmp_path, VALID + SKIP))
    assert [p.id for p in coaching.patterns] == ["lazy"]
    assert coaching.highlights("He says she is lazy. Es floja.")[0].question == "¿Qué viste?"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("\\blazy\\b", "\\blazy(", 9, "match.en: '\\blazy(': missing )"),
        ("\\blazy\\b", "(?i)lazy", 9, "'(?i' is not understood by browsers"),
        ("\\blazy\\b", "(?P<word>lazy)", 9, "'(?P' is not understood by browsers"),
        ("\\blazy\\b", "\\bla++zy\\b", 9, "possessive quantifiers"),
        ("\\blazy\\b", "\\Alazy", 9, "'\\A' is not understood the same way"),
        ("\\blazy\\b", "lazy\\'", 9, "is not understood the same way"),
        ("en: [She is lazy.]", "en: [She is tired.]", 14, "'She is tired.' is not flagged"),
        ("es: [Es floja.]", "es: [Es lazy.]", 15, "'Es lazy.' is not flagged by this pattern"),
        ("en: [She lay down.]", "en: [She is lazy.]", 17, "should be clean, but 'lazy' flags"),
        ("kind: judgement", "kind: verdict", 3, "unknown kind 'verdict'"),
        ("      es: ¿Qué viste?\n", "", 5, "question: missing field 'es'"),
        ("    examples:", "    exemples:", 12, "unknown field 'exemples'"),
        ("    kind: judgement", "    kind: judgement: yes", 3, "invalid YAML"),
        ("kinds: [judgement]", "kinds: [judgment]", 21, "unknown kind 'judgment'"),
    ],
)
def test_a_broken_file_names_the_file_and_the_line(tmp_path, old, new, line, message):
    text = VALID + SKIP
    assert old in text
    with pytest.raises(CoachingContentError) as caught:
        load_coaching(write(tmp_path, text.replace(old, new, 1)))
    problems = "\n".join(caught.value.problems)
    assert f"content/coaching.yaml:{line}: " in str(caught.value), problems
    assert message in problems


def test_a_duplicate_id_is_named_at_its_line(tmp_path):
    second = VALID.removeprefix("patterns:\n")
    with pytest.raises(CoachingContentError, match=r"coaching.yaml:19: pattern 'lazy': duplicate"):
        load_coaching(write(tmp_path, VALID + second))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "coaching.yaml:1: the file is empty"), (b"\xff\xfe", "coaching.yaml:1: not UTF-8")],
)
def test_an_empty_or_unreadable_file_is_named(tmp_path, content, message):
    path = write(tmp_path, "")
    path.write_bytes(content)
    with pytest.raises(CoachingContentError, match=message):
        load_coaching(path)


def test_the_cache_reloads_only_a_changed_file(tmp_path):
    path = write(tmp_path, VALID)
    first = load_coaching_cached(path)
    assert load_coaching_cached(path) is first
    path.write_text(VALID + SKIP, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_coaching_cached(path) is not first


# -- the browser script ----------------------------------------------------------------

# Runs coaching.js against a minimal stand-in for the DOM; prints what each box shows.
HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
class FakeText { constructor(text) { this.textContent = text; } }
class FakeElement {
  constructor(tag) { this.tag = tag; this.children = []; this.dataset = {}; }
  append(...items) {
    for (const item of items) {
      this.children.push(typeof item === "string" ? new FakeText(item) : item);
    }
  }
  replaceChildren(...items) { this.children = []; this.append(...items); }
  set textContent(value) { this.children = [new FakeText(String(value))]; }
  get textContent() { return this.children.map((child) => child.textContent).join(""); }
}
const boxes = {};
const areas = input.texts.map((text, n) => {
  const box = boxes[`box-${n}`] = new FakeElement("div");
  if (input.prefilled) box.append(Object.assign(new FakeElement("p"), { server: true }));
  const listeners = {};
  return { value: text, dataset: { coach: `box-${n}` }, listeners,
           addEventListener: (type, fn) => { listeners[type] = fn; } };
});
globalThis.document = {
  getElementById: (id) => id === "coaching-patterns"
    ? { textContent: JSON.stringify(input.config) } : boxes[id],
  querySelectorAll: () => areas,
  createElement: (tag) => new FakeElement(tag),
};
vm.runInThisContext(fs.readFileSync(input.script, "utf8"));
const describe = (note) => note.server ? "from the server" : [
  note.className, note.children[0].textContent,
  note.children[2].className, note.children[2].textContent, note.children[2].lang];
const shown = () => areas.map((area) => boxes[area.dataset.coach].children.map(describe));
const first = shown();
for (const area of areas) { area.value = "He smiled."; area.listeners.input(); }
setTimeout(() => console.log(JSON.stringify({ first, after: shown() })), 700);
"""


def run_script(coaching: Coaching, texts: list[str], tmp_path: Path, prefilled=False) -> dict:
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    payload = {
        "config": coaching.to_json(),
        "texts": texts,
        "script": str(SCRIPT),
        "prefilled": prefilled,
    }
    result = subprocess.run(
        [NODE, str(harness)], input=json.dumps(payload), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def expected_hints(coaching: Coaching, text: str) -> list[list[str]]:
    """What the page's own hints show: the sentence, its question and the question's language."""
    languages = {p.id: {q: lang for lang, q in p.question.items()} for p in coaching.patterns}
    return [
        [
            "coach-note",
            h.sentence,
            "coach-question",
            h.question,
            languages[h.pattern_id][h.question],
        ]
        for h in coaching.highlights(text)
    ]


needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@needs_node
def test_the_browser_script_gives_the_same_hints_as_python(tmp_path):
    texts = [param.values[3] for param in EXAMPLES] + [
        CAREFUL_EN,
        CAREFUL_ES,
        "He reached for the cup.  She is lazy!\nThen he smiled… He is spoiled?",
        'Her words were "You feel sad. It is okay." He is spoiled.',
        "The baby's mom doesn’t care, and she's lazy. Maybe she should stop.",
        "Mom is lazy, she says. Mom says he is spoiled. «Está triste», y él es un mimado.",
    ]
    shown = run_script(COACHING, texts, tmp_path)
    assert shown["first"] == [expected_hints(COACHING, text) for text in texts]
    assert sum(map(len, shown["first"])) > 50
    assert shown["after"] == [[] for _ in texts]  # typing clears the list


@needs_node
def test_accented_letters_are_part_of_a_word_in_the_browser_too(tmp_path):
    # JavaScript's own \b would see no word edge before "é" and never match "él".
    text = (
        VALID.replace("\\bfloj[oa]\\b", "\\bél\\b")
        .replace("[Es floja.]", "[Lo hizo él.]")
        .replace("[Se acostó.]", "[Lo hizo élan.]")
    )
    coaching = load_coaching(write(tmp_path, text))
    texts = ["Lo hizo él.", "Lo hizo élan."]
    shown = run_script(coaching, texts, tmp_path)
    assert shown["first"] == [expected_hints(coaching, t) for t in texts]
    assert shown["first"][0] and not shown["first"][1]


@needs_node
def test_the_browser_script_leaves_hints_the_page_already_shows(tmp_path):
    shown = run_script(COACHING, ["She is lazy."], tmp_path, prefilled=True)
    assert shown["first"] == [["from the server"]]
    assert shown["after"] == [[]]
