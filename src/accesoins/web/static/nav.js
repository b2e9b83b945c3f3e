// Phone navigation: on narrow screens the menu folds behind a « Menu » button (aria-expanded).
// Without this script the menu stays a single scrollable row (site.css), so nothing is lost.
(function () {
  var button = document.querySelector(".menu-toggle");
  var menu = document.getElementById("menu-principal");
  if (!button || !menu) { return; }
  var narrow = window.matchMedia("(max-width: 40rem)");
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }
  document.documentElement.classList.add("has-menu-toggle");
  button.hidden = false;
  set(false);
  button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
  // Escape closes the open menu and gives focus back to its button
  menu.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && narrow.matches) { set(false); button.focus(); }
  });
})();

// Wide tables scroll sideways on a phone (site.css): a keyboard must be able to reach and scroll
// them, so a table that overflows and is not focusable yet becomes focusable (named by its caption).
(function () {
  function reachable() {
    document.querySelectorAll("main table:not([tabindex])").forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1 && !t.querySelector("a, button, input, select, textarea")) {
        t.setAttribute("tabindex", "0");
      }
    });
  }
  reachable();
  window.addEventListener("resize", reachable);
})();
