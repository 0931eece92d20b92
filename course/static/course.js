// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A form that destroys something asks first (data-confirm holds the question).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // On a phone the header's links fold behind a Menu button (without this file they
  // stay in one row that scrolls sideways).
  const menu = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (menu && nav) {
    document.documentElement.classList.add("js-menu");
    menu.hidden = false;
    menu.addEventListener("click", () => {
      const open = menu.getAttribute("aria-expanded") !== "true";
      menu.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
  // Someone typing or clicking is at work: tell the site every few minutes, so a staff
  // session's idle limit counts from the last activity, not from the last page loaded.
  const alive = document.body.dataset.aliveUrl;
  if (alive) {
    let active = false;
    for (const kind of ["keydown", "pointerdown", "input"]) {
      document.addEventListener(kind, () => { active = true; }, { passive: true });
    }
    setInterval(() => {
      if (!active) return;
      active = false;
      fetch(alive, { credentials: "same-origin" }).catch(() => {});
    }, 5 * 60 * 1000);
  }
});
