// A printable page's Print button (no inline script: CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-action='print']")) window.print();
});
