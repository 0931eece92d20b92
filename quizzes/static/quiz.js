// Progressive enhancement for quiz attempts: the form works without this file.
// Saves answers to the server a moment after each change, and keeps a copy in this
// browser so nothing typed is lost if the session expires or the network drops.
(() => {
  for (const done of document.querySelectorAll("[data-clear-attempt]")) {
    localStorage.removeItem(`pfr-quiz-attempt-${done.dataset.clearAttempt}`);
  }
  const form = document.querySelector("form.quiz-form[data-autosave]");
  if (!form) return;
  const key = `pfr-quiz-attempt-${form.dataset.attempt}`;
  const status = form.querySelector(".autosave-status");
  let timer = null;

  const fields = () => Array.from(form.elements).filter((el) => el.name && el.name.startsWith("q-"));

  function snapshot() {
    const data = {};
    for (const el of fields()) {
      if (el.type === "checkbox" || el.type === "radio") {
        data[`${el.name}=${el.value}`] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    }
    return data;
  }

  function restore(data) {
    for (const el of fields()) {
      if (el.type === "checkbox" || el.type === "radio") {
        const k = `${el.name}=${el.value}`;
        if (k in data) el.checked = data[k];
      } else if (el.name in data) {
        el.value = data[el.name];
      }
    }
  }

  const stored = JSON.parse(localStorage.getItem(key) || "null");
  if (stored && stored.at > Date.parse(form.dataset.savedAt)) {
    restore(stored.data);
    if (status) status.textContent = "Restored answers you typed earlier in this browser.";
  }

  async function save() {
    localStorage.setItem(key, JSON.stringify({ at: Date.now(), data: snapshot() }));
    try {
      const body = new FormData(form);
      body.delete("action");
      const response = await fetch(form.dataset.autosave, { method: "POST", body, credentials: "same-origin" });
      const saved = response.ok && !response.redirected;  // an expired session redirects to sign-in
      if (status) status.textContent = saved ? "Saved." : "Not saved to the site (kept in this browser). Sign in again if asked.";
    } catch {
      if (status) status.textContent = "Offline: your answers are kept in this browser.";
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
})();
