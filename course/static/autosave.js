// Progressive enhancement for long forms marked data-autosave: the form works without it.
// Saves to the server a moment after each change and keeps a copy in this browser, so
// nothing typed is lost if the session expires or the network drops.
(() => {
  for (const form of document.querySelectorAll("form[data-autosave]")) {
    const key = `pfr-${form.dataset.autosaveKey}`;
    const status = form.querySelector(".autosave-status");
    const fields = () => Array.from(form.elements).filter((el) => el.tagName === "TEXTAREA");
    const say = (text) => { if (status) status.textContent = text; };
    let timer = null;

    const stored = JSON.parse(localStorage.getItem(key) || "null");
    const savedAt = Date.parse(form.dataset.savedAt || "") || 0;
    if (stored && stored.at > savedAt) {
      for (const el of fields()) if (el.name in stored.data) el.value = stored.data[el.name];
      say("Restored text you typed earlier in this browser.");
    }

    async function save() {
      const data = Object.fromEntries(fields().map((el) => [el.name, el.value]));
      localStorage.setItem(key, JSON.stringify({ at: Date.now(), data }));
      try {
        const body = new FormData(form);
        body.delete("action");
        const response = await fetch(form.dataset.autosave, { method: "POST", body, credentials: "same-origin" });
        const saved = response.ok && !response.redirected;  // an expired session redirects to sign-in
        say(saved ? "Draft saved." : "Not saved to the site (kept in this browser). Sign in again if asked.");
        if (saved) localStorage.removeItem(key);
      } catch {
        say("Offline: your text is kept in this browser.");
      }
    }

    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
  }
})();
