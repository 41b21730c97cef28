// Reports pages (issue 5). No inline script: wired on load by data attributes.
// A comparison needs two different reports: the button stays disabled until it has them.
(function () {
  "use strict";

  function picked(form, name) {
    var field = form.elements[name];
    if (!field) return "";
    if (typeof field.value === "string") return field.value;
    return "";
  }

  function wire(form) {
    var button = form.querySelector("[data-compare-submit]");
    if (!button) return;
    var hint = document.createElement("span");
    hint.className = "compare-hint";
    hint.setAttribute("aria-live", "polite");
    button.insertAdjacentElement("beforebegin", hint);
    function update() {
      var a = picked(form, "a");
      var b = picked(form, "b");
      var ready = a !== "" && b !== "" && a !== b;
      button.disabled = !ready;
      hint.textContent = a !== "" && a === b ? "Choose two different reports." : "";
    }
    form.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-compare-form]").forEach(wire);
  });
})();
