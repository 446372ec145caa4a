/* "Copy" beside a patient's WeChat or Telegram ID on the enquiry page: each
   <button data-copy="ID of the element with the text"> is shown and copies that text. Without
   this script (or a clipboard) the button stays hidden and the ID is text to select. */
"use strict";

(() => {
  function attach() {
    if (!navigator.clipboard) {
      return;
    }
    for (const button of document.querySelectorAll("button[data-copy]")) {
      const source = document.getElementById(button.dataset.copy);
      if (!source) {
        continue;
      }
      const status = button.parentElement.querySelector(".bo-copy-status");
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(source.textContent.trim());
          if (status) status.textContent = button.dataset.copied;
        } catch {
          if (status) status.textContent = button.dataset.failed;
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attach);
  } else {
    attach();
  }
})();
