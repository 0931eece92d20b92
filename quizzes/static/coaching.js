// Progressive enhancement for "What do you observe?" answers: the form works without this file.
// A moment after the trainee stops typing, lists each sentence that labels, reads a mind or
// advises, with a coaching question. A hint only: nothing is blocked. The patterns come from
// content/coaching.yaml; the sentence and quotation rules mirror quizzes/coaching.py.
(() => {
  const data = document.getElementById("coaching-patterns");
  const areas = document.querySelectorAll("textarea[data-coach]");
  if (!data || !areas.length) return;
  const LANGUAGES = ["en", "es"];
  const WORD = "0-9A-Z_a-zÀ-ÖØ-öø-ÿ";
  const SENTENCE_END = /[.!?…]+['"”’»)\]]*(?=\s|$)|\n/gu;
  let QUOTED, patterns, skipAfter;
  try {
    // Quotations are what someone said; an apostrophe (baby's) is not a quotation mark.
    QUOTED = new RegExp(`"[^"\\n]*"|“[^”\\n]*”|«[^»\\n]*»|(?<![${WORD}])['‘][^\\n]*?['’](?![${WORD}])`, "gu");
    const compile = (rule) => ({
      ...rule,
      regexes: LANGUAGES.map((lang) => [lang, rule.match[lang].map((source) => new RegExp(source, "giu"))]),
    });
    const config = JSON.parse(data.textContent);
    patterns = config.patterns.map(compile);
    skipAfter = config.skip_after.map(compile);
  } catch {
    return;  // a browser without lookbehind: no hints, the form still works
  }

  const spans = (regex, text) => Array.from(text.matchAll(regex), (m) => [m.index, m.index + m[0].length]);
  const quoted = (position, quotes) => quotes.some(([a, b]) => a <= position && position < b);

  function sentenceSpans(text, quotes) {
    const cuts = spans(SENTENCE_END, text).map(([, end]) => end)
      .filter((cut) => !quotes.some(([a, b]) => a < cut && cut < b));  // a full stop inside a quotation
    const found = [];
    let start = 0;
    for (const cut of [...cuts, text.length]) {
      const segment = text.slice(start, cut);
      if (segment.trim()) {
        const left = start + segment.length - segment.trimStart().length;
        found.push([left, left + segment.trim().length]);
      }
      start = cut;
    }
    return found;
  }

  // Each regex's first match outside quotations, English list first.
  function* matches(rule, sentence, offset, quotes) {
    for (const [lang, regexes] of rule.regexes) {
      for (const regex of regexes) {
        for (const m of sentence.matchAll(regex)) {
          if (!quoted(offset + m.index, quotes)) {
            yield { lang, m };
            break;
          }
        }
      }
    }
  }

  function hitIn(sentence, offset, quotes) {
    const skipFrom = {};
    for (const rule of skipAfter) {
      for (const { m } of matches(rule, sentence, offset, quotes)) {
        for (const kind of rule.kinds) skipFrom[kind] = Math.min(skipFrom[kind] ?? Infinity, m.index);
      }
    }
    for (const pattern of patterns) {
      for (const { lang, m } of matches(pattern, sentence, offset, quotes)) {
        if (m.index < (skipFrom[pattern.kind] ?? Infinity)) {
          return { pattern, lang };
        }
      }
    }
    return null;
  }

  function highlights(text) {
    const quotes = spans(QUOTED, text);
    const plain = text.replace(/’/g, "'");  // authors write one apostrophe for both
    const found = [];
    for (const [start, end] of sentenceSpans(text, quotes)) {
      const hit = hitIn(plain.slice(start, end), start, quotes);
      if (hit) found.push({ ...hit, sentence: text.slice(start, end) });
    }
    return found;
  }

  // The same markup as the page's own hints (quizzes/questions/observation.html).
  function render(box, found) {
    box.replaceChildren(...found.map((hit) => {
      const note = document.createElement("p");
      note.className = "coach-note";
      const sentence = document.createElement("mark");
      sentence.textContent = hit.sentence;
      const question = document.createElement("span");
      question.className = "coach-question";
      question.lang = hit.lang;
      question.textContent = hit.pattern.question[hit.lang];
      note.append(sentence, " ", question);
      return note;
    }));
  }

  const describe = (found) => JSON.stringify(found.map((hit) => [hit.sentence, hit.pattern.id]));

  for (const area of areas) {
    const box = document.getElementById(area.dataset.coach);
    if (!box) continue;
    let timer = null;
    // Hints the page already shows are left alone, so a screen reader does not repeat them.
    let shown = box.children.length ? describe(highlights(area.value)) : "";
    const update = () => {
      const found = highlights(area.value);
      const now = describe(found);
      if (now === shown) return;
      shown = now;
      render(box, found);
    };
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(update, 600);
    });
    update();
  }
})();
