// The review form: a disagreement needs a comment. The box is marked required (and the browser
// says so before the form is sent) exactly while "I disagree" is chosen. No inline script (CSP).
(() => {
  const sync = (form) => {
    const disagree = form.querySelector("input[type=radio][value=disagree]");
    const box = form.querySelector("[data-required-when-disagree]");
    if (!disagree || !box) return;
    box.required = disagree.checked;
    box.setAttribute("aria-required", disagree.checked ? "true" : "false");
  };
  const syncAll = (root) => root.querySelectorAll?.("[data-review-form]").forEach(sync);
  document.addEventListener("change", (event) => {
    const form = event.target.closest?.("[data-review-form]");
    if (form && event.target.type === "radio") sync(form);
  });
  document.addEventListener("DOMContentLoaded", () => syncAll(document));
  document.addEventListener("htmx:load", (event) => syncAll(event.detail.elt.parentElement || document));
})();
