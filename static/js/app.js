// Small behaviours shared by every page. No inline scripts anywhere (CSP-friendly).
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});

// The menu button (a <details>, which opens without JavaScript): Escape or a click
// elsewhere closes it, and following one of its links closes it too.
(() => {
  const close = (menu, focus) => {
    if (!menu.open) return;
    menu.open = false;
    if (focus) menu.querySelector("summary")?.focus();
  };
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    document.querySelectorAll("[data-nav-menu][open]").forEach((menu) => close(menu, menu.contains(event.target)));
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("[data-nav-menu][open]").forEach((menu) => {
      if (!menu.contains(event.target) || event.target.closest("a")) close(menu, false);
    });
  });
})();
