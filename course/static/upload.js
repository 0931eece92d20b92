// Chunked, resumable upload with a progress bar. Without JavaScript the form posts the
// whole file instead. Each chunk carries its byte offset; after a dropped connection
// the upload asks the server how far it got and carries on from there.
(() => {
  const form = document.querySelector("form.upload-form");
  if (!form || !window.fetch) return;
  const bar = form.querySelector(".upload-progress");
  const status = form.querySelector(".upload-status");
  const token = form.querySelector("input[name='csrf_token']").value;
  const headers = { "X-CSRFToken": token };
  const say = (text) => { status.textContent = text; };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function offsetOf(url) {
    const response = await fetch(url, { method: "HEAD", headers, credentials: "same-origin" });
    return Number(response.headers.get("Upload-Offset"));
  }

  form.addEventListener("submit", async (event) => {
    const file = form.querySelector("input[type='file']").files[0];
    if (!file) return;
    event.preventDefault();
    bar.hidden = false;
    const start = await fetch(form.dataset.start, {
      method: "POST", credentials: "same-origin",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ unit: form.dataset.unit, consent: form.consent.value, size: file.size, filename: file.name }),
    });
    const begun = await start.json();
    if (!start.ok) { say(begun.error); return; }
    const chunk = begun.chunk_size; // the server's part size: chunks end on part boundaries
    let offset = 0;
    let failures = 0;
    while (offset < file.size) {
      try {
        const response = await fetch(begun.url, {
          method: "PATCH", credentials: "same-origin",
          headers: { ...headers, "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
          body: file.slice(offset, offset + chunk),
        });
        const answer = await response.json();
        if (response.status === 409) { offset = answer.offset; continue; }
        if (!response.ok) { say(answer.error); return; }
        offset = answer.offset;
        failures = 0;
        bar.value = Math.round((100 * offset) / file.size);
        say(`Uploaded ${bar.value}%`);
        if (answer.video_url) { location.href = answer.video_url; return; }
      } catch {
        failures += 1;
        if (failures > 20) { say("The connection keeps dropping. Try again later: the upload resumes where it stopped."); return; }
        say("Connection lost; resuming…");
        await sleep(2000 * failures);
        offset = await offsetOf(begun.url).catch(() => offset);
      }
    }
  });
})();
