// Small behaviours shared by every page: CSRF for htmx and fetch, menus, confirmations.
(function () {
  "use strict";
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  window.cxalign = Object.assign(window.cxalign || {}, { csrfToken: csrfToken });
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) document.body.classList.toggle("nav-open");
    // Close open menus when clicking elsewhere.
    document.querySelectorAll("details.switcher[open], details.usermenu[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("submit", function (event) {
    const message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
// Behaviours that used to be inline handlers (the CSP forbids those):
//   <select data-autosubmit> submits its form on change (data-clear="name" empties that field
//   of the form first); <button data-print> prints;
//   <a data-back> goes back in history (its href is the fallback).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (!select || !select.form) return;
    var clear = select.getAttribute("data-clear");
    if (clear && select.form.elements[clear]) select.form.elements[clear].value = "";
    select.form.submit();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
    var back = event.target.closest("[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
// Selecting rows for a bulk action:
//   <input type="checkbox" data-check-all="ids"> ticks or clears every box named "ids";
//   <span data-selected-count="ids"> says how many of them are ticked.
(function () {
  "use strict";
  function boxes(name) {
    return document.querySelectorAll('input[type="checkbox"][name="' + CSS.escape(name) + '"]');
  }
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    var name = all ? all.getAttribute("data-check-all") : event.target.name;
    if (!name) return;
    if (all) boxes(name).forEach(function (box) { box.checked = all.checked; });
    var ticked = Array.prototype.filter.call(boxes(name), function (box) { return box.checked; });
    document.querySelectorAll('[data-selected-count="' + CSS.escape(name) + '"]').forEach(function (el) {
      el.textContent = ticked.length + " selected";
    });
  });
})();

// <button data-busy="Checking…"> in a form: once the form is sent the button is disabled and
// says what is going on, so a slow request shows it is working and is not sent twice.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    var buttons = event.target.querySelectorAll("button[data-busy]");
    // After the submit event, so the browser has already taken the form's data.
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.dataset.idleLabel = button.textContent;
        button.textContent = button.getAttribute("data-busy");
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    }, 0);
  });
  // Back to a page kept in the browser's memory: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[data-busy][aria-busy]").forEach(function (button) {
      button.textContent = button.dataset.idleLabel;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
