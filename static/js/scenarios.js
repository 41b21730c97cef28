// The scenario editor (issue 18): after htmx swaps the editor's body in, the focus goes where the
// reader's attention should: the first field with an error, else the refusal, else the steps.
(() => {
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail?.target?.id !== "scenario-editor") return;
    const editor = document.getElementById("scenario-editor");
    if (!editor) return;
    const target =
      editor.querySelector(".field-invalid input:not([type=hidden]), .field-invalid select, .field-invalid textarea") ||
      editor.querySelector(".form-error") ||
      editor.querySelector("#steps-title");
    if (!target) return;
    if (!target.matches("input, select, textarea")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: false });
  });
})();
