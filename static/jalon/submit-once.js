// Forms marked data-submit-once are sent once: their submit buttons are disabled as soon as the
// form leaves (a double click sends nothing more); the server's send-once token
// (jalon.api.idempotency) covers what a script cannot (the back button, a slow network).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
  if (form.dataset.sent === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "true";
  // after this turn of the event loop, so that the clicked button's name and value are sent
  setTimeout(() => {
    for (const button of form.querySelectorAll('button[type="submit"], input[type="submit"]')) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  }, 0);
});
