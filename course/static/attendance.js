// Attendance on the workshop page: each cell saves by itself when its choice changes
// (no page reload); without JS, each cell's Save button posts the form as usual.
document.querySelectorAll("form.attendance").forEach((form) => {
  const status = form.querySelector(".saved");
  async function save(event) {
    if (event) event.preventDefault();
    if (!form.presence.value) return;
    status.textContent = "Saving…";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const result = await response.json();
      status.textContent = result.ok ? `Saved: ${result.label}` : result.error;
      status.classList.toggle("error", !result.ok);
    } catch (error) {
      status.textContent = "Not saved: check your connection and try again.";
      status.classList.add("error");
    }
  }
  form.addEventListener("submit", save);
  form.presence.addEventListener("change", () => {
    // Partial and make-up need their minutes or note first: those save with the button.
    if (["present", "absent"].includes(form.presence.value)) save();
  });
});
