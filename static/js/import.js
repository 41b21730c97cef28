// Import pages: name the chosen file in the drop zone, and keep a commit from being sent twice.
document.addEventListener("DOMContentLoaded", () => {
  for (const zone of document.querySelectorAll("[data-dropzone]")) {
    const input = zone.querySelector("input[type=file]");
    const label = zone.querySelector("[data-dropzone-file]");
    const size = (bytes) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
    const show = () => {
      const file = input.files && input.files[0];
      zone.classList.toggle("has-file", Boolean(file));
      label.textContent = file ? `${file.name} · ${size(file.size)}` : "";
    };
    input.addEventListener("change", () => {
      // A new file makes the previous file's error moot.
      zone.classList.remove("dropzone-invalid");
      for (const old of zone.parentElement.querySelectorAll(".import-file-errors")) old.hidden = true;
      show();
    });
    for (const type of ["dragenter", "dragover"]) input.addEventListener(type, () => zone.classList.add("is-dragover"));
    for (const type of ["dragleave", "drop"]) input.addEventListener(type, () => zone.classList.remove("is-dragover"));
    show();
  }
  for (const button of document.querySelectorAll("button[data-busy-label]")) {
    button.form.addEventListener("submit", () => {
      // Disabled after the submit event has been dispatched, so the form is still sent.
      setTimeout(() => { button.disabled = true; button.textContent = button.dataset.busyLabel; }, 0);
    });
  }
});
