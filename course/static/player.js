// Progressive enhancement for dyad videos: clicking a comment's time (in the list or
// its marker on the timeline under the player) seeks the player; pausing fills the
// comment's time; a video being prepared reloads when it is ready.
(() => {
  const player = document.getElementById("dyad-player");
  const at = document.querySelector(".comment-form input[name='at']");
  const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  if (player) {
    const timeline = document.querySelector(".comment-timeline");
    if (timeline) {
      for (const marker of timeline.querySelectorAll(".comment-marker")) {
        marker.style.left = `${Math.min(100, 100 * Number(marker.dataset.fraction))}%`;
      }
      timeline.hidden = false;
    }
    for (const link of document.querySelectorAll("a[data-seek]")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        player.currentTime = Number(link.dataset.seek);
        player.play();
      });
    }
    if (at) {
      const fill = () => { at.value = clock(player.currentTime); };
      player.addEventListener("pause", fill);
      player.addEventListener("seeked", fill);
    }
  }
  const waiting = document.querySelector("[data-status-url]");
  if (waiting) {
    const poll = async () => {
      const response = await fetch(waiting.dataset.statusUrl, { credentials: "same-origin" });
      if (response.ok && (await response.json()).status !== "processing") location.reload();
      else setTimeout(poll, 3000);
    };
    setTimeout(poll, 3000);
  }
})();
