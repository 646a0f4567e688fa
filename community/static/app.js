// Behaviour that pages declare with data attributes. The Content-Security-Policy runs no inline
// event handlers (onclick="..."), so they live here; base.html loads this file on every page.
//   <form data-confirm="Question?">, <button data-confirm="Question?">: ask before submitting
//   <button data-copy="#field" data-copied="Copied">: copy the field's value, then say so
//   <input data-select-on-focus>: select the whole value when focused (a long link to copy)
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    field.select();
    var done = function () { button.textContent = button.dataset.copied || button.textContent; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy") && done(); });
    } else if (document.execCommand("copy")) {
      done();
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });

  // A canned reply chosen in the list is put into the message box it names (tickets).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches("select[data-canned-target]") || !select.value) {
      return;
    }
    var box = document.getElementById(select.getAttribute("data-canned-target"));
    if (box) {
      box.value = box.value ? box.value + "\n" + select.value : select.value;
      box.focus();
    }
  });
})();
