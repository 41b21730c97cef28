// Person pickers (issue 13): an ARIA 1.2 combobox over the organization's people, fetched from
// the server as the user types. The hidden input holds the chosen person's id; without this
// script the text box still works (an email or an exact name picks the person).
(() => {
  const DELAY = 200;

  const setUp = (box) => {
    if (box.dataset.comboboxReady !== undefined) return;
    box.dataset.comboboxReady = "";
    const input = box.querySelector("[data-combobox-input]");
    const value = box.querySelector("[data-combobox-value]");
    const list = box.querySelector("[data-combobox-list]");
    const status = box.querySelector("[data-combobox-status]");
    let timer = null;
    let active = -1;
    let asked = "";

    const options = () => [...list.querySelectorAll("[role=option]")];
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const highlight = (index) => {
      const all = options();
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      }
    };
    const choose = (option) => {
      value.value = option.dataset.value;
      input.value = option.dataset.label;
      status.textContent = `${option.dataset.label} chosen`;
      close();
    };
    const fetchOptions = async (query) => {
      asked = query;
      const response = await fetch(`${box.dataset.source}?q=${encodeURIComponent(query)}`, {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      if (!response.ok || asked !== query) return;
      list.innerHTML = await response.text();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      const count = options().length;
      const [one, many] = [box.dataset.one || "person", box.dataset.many || "people"];
      status.textContent = count ? `${count} ${count === 1 ? one : many} found` : box.dataset.none || "Nobody found";
      active = -1;
    };

    input.addEventListener("input", () => {
      value.value = ""; // typed text replaces the choice until one is picked again
      clearTimeout(timer);
      const query = input.value.trim();
      if (!query) return close();
      timer = setTimeout(() => fetchOptions(query), DELAY);
    });
    input.addEventListener("keydown", (event) => {
      const all = options();
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        highlight(Math.min(active + 1, all.length - 1));
      } else if (event.key === "ArrowUp" && !list.hidden) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && !list.hidden && all[active]) {
        event.preventDefault();
        choose(all[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) choose(option);
    });
    input.addEventListener("blur", close);
  };

  document.querySelectorAll("[data-combobox]").forEach(setUp);
  // A form htmx swaps in (the scenario editor's) brings pickers of its own.
  document.addEventListener("htmx:load", (event) => event.target.querySelectorAll?.("[data-combobox]").forEach(setUp));
})();
