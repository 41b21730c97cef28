// The partnership web: trace a function's links on hover or focus, a table row's link too,
// and apply the function filter as soon as it changes. The page works without it.
(() => {
  const svg = document.querySelector("[data-web]");

  const clear = () => {
    if (!svg) return;
    svg.classList.remove("is-tracing");
    svg.querySelectorAll(".is-hot, .is-near").forEach((el) => el.classList.remove("is-hot", "is-near"));
    document.querySelectorAll("tr.is-hot").forEach((row) => row.classList.remove("is-hot"));
  };

  const traceNode = (id) => {
    clear();
    svg.classList.add("is-tracing");
    svg.querySelector(`.web-node[data-id="${id}"]`)?.classList.add("is-hot");
    svg.querySelectorAll(".web-edge").forEach((edge) => {
      const other = edge.dataset.a === id ? edge.dataset.b : edge.dataset.b === id ? edge.dataset.a : null;
      if (other === null) return;
      edge.classList.add("is-hot");
      svg.querySelector(`.web-node[data-id="${other}"]`)?.classList.add("is-near");
      svg.querySelector(`.web-due[data-link="${edge.dataset.link}"]`)?.classList.add("is-hot");
    });
  };

  const traceLink = (link) => {
    clear();
    const edge = svg.querySelector(`.web-edge[data-link="${link}"]`);
    if (!edge) return;
    svg.classList.add("is-tracing");
    edge.classList.add("is-hot");
    svg.querySelector(`.web-due[data-link="${link}"]`)?.classList.add("is-hot");
    for (const id of [edge.dataset.a, edge.dataset.b]) {
      svg.querySelector(`.web-node[data-id="${id}"]`)?.classList.add("is-near");
    }
  };

  if (svg) {
    svg.querySelectorAll(".web-node").forEach((node) => {
      const start = () => traceNode(node.dataset.id);
      node.addEventListener("mouseenter", start);
      node.addEventListener("focus", start);
      node.addEventListener("mouseleave", clear);
      node.addEventListener("blur", clear);
    });
    document.querySelectorAll("tr[data-link]").forEach((row) => {
      row.addEventListener("mouseenter", () => {
        traceLink(row.dataset.link);
        row.classList.add("is-hot");
      });
      row.addEventListener("mouseleave", clear);
    });
  }

  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.form?.querySelector("[data-autosubmit-button]")?.setAttribute("hidden", "");
    select.addEventListener("change", () => select.form.submit());
  });
})();
