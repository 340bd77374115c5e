// "Copy" buttons: each copies the text of the field it names (data-copy, an
// id) and says so in its status region (data-copy-status). Without
// JavaScript the buttons stay hidden and the field is selected by hand.
"use strict";

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  if (field) {
    button.hidden = false;
    field.addEventListener("focus", () => field.select());
    button.addEventListener("click", async () => {
      field.select();
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        // No clipboard API outside HTTPS: the older command still works there.
        copied = document.execCommand("copy");
      }
      if (status) {
        status.textContent = copied ? button.dataset.copied : button.dataset.failed;
      }
    });
  }
}
