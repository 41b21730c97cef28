// The map editor's small behaviours (no inline scripts: CSP-friendly).
(() => {
  // A refused change (400: a second lead, bad input; 409: someone else changed the cell first)
  // comes back as the cell or panel as it is now, with the reason: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    const target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.closest("#map-body, .map-table, .map-cell")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Put the cursor in the contribution box the moment it opens, and the reader on the history.
  document.addEventListener("htmx:afterSwap", (event) => {
    const path = event.detail.requestConfig?.path ?? "";
    if (path.endsWith("/contribution/")) {
      const box = document.querySelector(".is-editing [data-autofocus]");
      if (box) {
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      }
    } else if (event.detail.target.id === "map-history") {
      document.getElementById("map-history-title")?.focus();
    }
  });

  const closeHistory = () => {
    const panel = document.getElementById("map-history");
    if (panel) panel.replaceChildren();
  };
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-map-history-close]")) closeHistory();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const editing = event.target.closest?.(".is-editing");
    if (editing) {
      editing.querySelector("[hx-get]")?.click(); // Escape cancels the contribution edit
    } else {
      closeHistory();
    }
  });
})();

// Cell menus and the undo note.
(() => {
  const openMenus = () => document.querySelectorAll("[data-cell-menu][open]");
  // One menu at a time; a click elsewhere closes it.
  document.addEventListener("toggle", (event) => {
    const menu = event.target;
    if (!menu.matches?.("[data-cell-menu]") || !menu.open) return;
    openMenus().forEach((other) => { if (other !== menu) other.open = false; });
    menu.querySelector(".cell-menu-item:not([disabled])")?.focus();
    // The map scrolls in its own box, which would cut off a menu opened near its bottom edge.
    menu.querySelector(".cell-menu-panel")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, true);
  document.addEventListener("click", (event) => {
    openMenus().forEach((menu) => { if (!menu.contains(event.target)) menu.open = false; });
    if (event.target.closest("[data-map-toast-close]")) document.getElementById("map-toast")?.replaceChildren();
  });
  // Escape closes the open menu and gives the focus back to its cell.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest?.("[data-cell-menu]");
    if (menu && menu.open) {
      menu.open = false;
      menu.querySelector("summary")?.focus();
      event.stopPropagation();
    }
  }, true);
  // After a change the cell is drawn anew: keep the keyboard where it was.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target?.classList?.contains("map-cell")) {
      document.getElementById(target.id)?.querySelector("summary")?.focus();
    }
  });
})();
