// Progressive enhancement for "mark the moments" items: the typed list of times works
// without this file. Adds the Mark button and the M key (marks the player's current
// time), a list of marks with Remove buttons, and keeps the player inside the clip.
(() => {
  const NEAR = 0.3; // seconds: a double press marks one moment, not two
  const MAX = 50; // the server keeps no more (MAX_MARKS in moments.py)
  const TIME = /^(?:(\d{1,3}):([0-5]?\d(?:\.\d+)?)|(\d{1,5}(?:\.\d+)?))$/; // as moments.py

  // "1:35.5" (m:ss.s, no ".0"), counted in whole tenths so 59.96 never shows as 0:60.
  function clock(seconds) {
    const tenths = Math.round(seconds * 10);
    const minutes = Math.floor(tenths / 600);
    const rest = tenths - minutes * 600;
    const whole = String(Math.floor(rest / 10)).padStart(2, "0");
    return `${minutes}:${whole}${rest % 10 ? `.${rest % 10}` : ""}`;
  }

  function parse(text) {
    const match = TIME.exec(text.trim());
    if (!match) return null;
    return match[3] !== undefined ? Number(match[3]) : Number(match[1]) * 60 + Number(match[2]);
  }

  function setUp(root) {
    const start = Number(root.dataset.start);
    const end = Number(root.dataset.end);
    const video = root.querySelector("[data-moments-video]");
    const input = root.querySelector("[data-moments-input]");
    const list = root.querySelector("[data-moments-list]");
    const empty = root.querySelector("[data-moments-empty]");
    const controls = root.querySelector("[data-moments-controls]");
    const button = root.querySelector("[data-moments-mark]");
    const clamp = (t) => Math.round(Math.min(Math.max(t, start), end) * 10) / 10;

    if (video) keepInClip(video, start, end);
    for (const seek of root.querySelectorAll("[data-moments-seek]")) {
      seek.hidden = false;
      seek.addEventListener("click", () => {
        video.currentTime = Number(seek.dataset.momentsSeek);
        video.play();
      });
    }
    if (!input) return; // the result page: nothing to mark

    let marks = [];
    const read = () => {
      const times = input.value.split(/[\s,;]+/).map(parse).filter((t) => t !== null);
      marks = [...new Set(times.map(clamp))].sort((a, b) => a - b);
    };

    function item(mark) {
      const li = document.createElement("li");
      li.dataset.at = mark;
      li.append(`${clock(mark)} `);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove the mark at ${clock(mark)}`);
      remove.addEventListener("click", () => {
        marks = marks.filter((m) => m !== mark);
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        changed();
        // Keep keyboard users in the list rather than dropping focus to the page.
        (next ? next.querySelector("button") : button || input).focus();
      });
      li.append(remove);
      return li;
    }

    function render() {
      list.replaceChildren(...marks.map(item));
      if (empty) empty.hidden = marks.length > 0;
    }

    function changed() {
      input.value = marks.map(clock).join(", ");
      if (empty) empty.hidden = marks.length > 0;
      // quiz.js saves a moment after any input event that reaches the form.
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function mark() {
      const at = clamp(video.currentTime);
      if (marks.length >= MAX || marks.some((m) => Math.abs(m - at) < NEAR)) return;
      marks = [...marks, at].sort((a, b) => a - b);
      const li = item(at);
      const after = [...list.children].find((el) => Number(el.dataset.at) > at);
      list.insertBefore(li, after || null); // one new item, so the live region reads only it
      changed();
    }

    // Typed times (or answers quiz.js restores before the page is ready) rebuild the
    // list, only when they differ, so the live region does not read it all again.
    function sync() {
      const before = marks.join();
      read();
      if (marks.join() !== before) render();
    }
    read();
    render(); // the server's list has no Remove buttons
    input.addEventListener("change", sync);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sync);

    if (!video || !button) return;
    controls.hidden = false;
    button.addEventListener("click", mark);
    for (const el of [video, button]) {
      el.addEventListener("keydown", (event) => {
        if ((event.key === "m" || event.key === "M") && !event.ctrlKey && !event.metaKey && !event.altKey) {
          event.preventDefault();
          mark();
        }
      });
    }
  }

  // The #t=start,end fragment does most of this, but browsers differ: start at the
  // clip when played from before it or from its end, and pause when it ends.
  function keepInClip(video, start, end) {
    video.addEventListener("loadedmetadata", () => {
      if (video.currentTime < start) video.currentTime = start;
    });
    video.addEventListener("play", () => {
      if (video.currentTime < start - 0.25 || video.currentTime >= end - 0.05) video.currentTime = start;
    });
    video.addEventListener("timeupdate", () => {
      if (video.currentTime >= end && !video.paused) video.pause();
    });
  }

  for (const root of document.querySelectorAll("[data-moments]")) setUp(root);
})();
