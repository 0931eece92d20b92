// Resumable upload with tus-js-client (vendor/tus-js-client, the tus 1.0 protocol the
// server speaks). Without JavaScript the form posts the whole file instead. Chunks of
// any size; after a dropped connection the client asks the server how far it got and
// carries on; choosing the same file again (even after closing the page) resumes it.
(() => {
  const form = document.querySelector("form.upload-form");
  if (!form || !window.tus || !window.tus.isSupported) return;
  const bar = form.querySelector(".upload-progress");
  const status = form.querySelector(".upload-status");
  const button = form.querySelector("button[type='submit']");
  const input = form.querySelector("input[type='file']");
  const token = form.querySelector("input[name='csrf_token']").value;
  const say = (text) => { status.textContent = text; };
  const megabytes = (bytes) => (bytes / 1048576).toFixed(1);
  let sending = false;

  window.addEventListener("beforeunload", (event) => {
    if (!sending) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need this to ask before leaving
  });

  function uploadOf(file) {
    const upload = new window.tus.Upload(file, {
      endpoint: form.dataset.start,
      chunkSize: Number(form.dataset.chunk),
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      headers: { "X-CSRFToken": token },
      metadata: {
        filename: file.name,
        filetype: file.type,
        unit: form.dataset.unit,
        consent: form.consent.value,
      },
      // The week and the consent belong to an upload: resume only the same ones.
      fingerprint: async (chosen) =>
        ["pfr-video", form.dataset.unit, form.consent.value, chosen.name, chosen.size,
          chosen.lastModified].join(":"),
      removeFingerprintOnSuccess: true,
      onShouldRetry: (error) => {
        const answer = error.originalResponse ? error.originalResponse.getStatus() : 0;
        return answer === 0 || answer === 409 || answer === 423 || (answer >= 500 && answer !== 507);
      },
      onProgress: (sent, total) => {
        bar.value = Math.floor((100 * sent) / total);
        say(`Sending: ${megabytes(sent)} of ${megabytes(total)} MB (${bar.value}%). Keep this page open.`);
      },
      onSuccess: () => {
        sending = false;
        say("Sent. Checking the video…");
        window.location.href = upload.url;
      },
      onError: (error) => {
        sending = false;
        button.disabled = false;
        const answer = error.originalResponse;
        say(answer && answer.getStatus() >= 400 && answer.getBody()
          ? answer.getBody()
          : "The connection keeps dropping. Choose the same file again later: the upload carries on where it stopped.");
      },
    });
    return upload;
  }

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    const earlier = await uploadOf(file).findPreviousUploads();
    say(earlier.length
      ? "You started sending this file before: Upload carries on where it stopped."
      : "");
  });

  form.addEventListener("submit", async (event) => {
    const file = input.files[0];
    if (!file) return; // the server's answer says to choose one
    event.preventDefault();
    const upload = uploadOf(file);
    button.disabled = true;
    sending = true;
    bar.hidden = false;
    bar.value = 0;
    say("Starting the upload…");
    const earlier = await upload.findPreviousUploads();
    if (earlier.length) {
      upload.resumeFromPreviousUpload(earlier[0]);
      say("Carrying on where the last try stopped…");
    }
    upload.start();
  });
})();
