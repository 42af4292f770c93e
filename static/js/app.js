// Behaviour that would otherwise need inline script (forbidden by our CSP).
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const select = event.target.closest(".js-language-switch select");
  if (select) select.form.requestSubmit();
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
