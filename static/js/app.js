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

// A box that scrolls sideways (a wide table on a phone) must be reachable by keyboard:
// it takes the focus while it overflows, and says what it is.
(() => {
  const SCROLLERS = ".table-wrap, .layer-coverage, pre";
  const update = (root) => {
    root.querySelectorAll(SCROLLERS).forEach((box) => {
      const overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        const caption = box.querySelector("caption, h2, h3")?.textContent?.trim();
        box.setAttribute("aria-label", caption ? `${caption} (scrolls sideways)` : "Scrolls sideways");
        box.dataset.scrollFocus = "";
      } else if (!overflows && box.dataset.scrollFocus !== undefined) {
        ["tabindex", "role", "aria-label", "data-scroll-focus"].forEach((name) => box.removeAttribute(name));
      }
    });
  };
  let timer;
  document.addEventListener("DOMContentLoaded", () => update(document));
  document.addEventListener("htmx:load", () => update(document));
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(() => update(document), 150);
  });
})();
