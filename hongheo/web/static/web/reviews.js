// Hộ Nghèo — review pages: check the Phiếu B form as the user types, and show the computed end
// of a public posting. The messages come from the server (data-msg-* attributes built from the
// same field list the server checks with), so browser and server say the same thing.
(function () {
  "use strict";

  function message(el) {
    var value = (el.value || "").trim();
    if (value === "") return el.getAttribute("data-msg-required") || "";
    var kind = el.getAttribute("data-kind");
    if (kind === "int" || kind === "float") {
      var pattern = kind === "int" ? /^-?\d+$/ : /^-?\d+([.,]\d+)?$/;
      if (!pattern.test(value)) return el.getAttribute("data-msg-number") || "";
      var n = parseFloat(value.replace(",", "."));
      var min = parseFloat(el.getAttribute("data-min"));
      var max = parseFloat(el.getAttribute("data-max"));
      if ((!isNaN(min) && n < min) || (!isNaN(max) && n > max)) return el.getAttribute("data-msg-range") || "";
    }
    return "";
  }

  function show(el, text) {
    var slot = el.form.querySelector('[data-error-for="' + el.name + '"]');
    if (slot) slot.textContent = text;
    el.setAttribute("aria-invalid", text ? "true" : "false");
  }

  document.querySelectorAll("form[data-validate]").forEach(function (form) {
    var fields = form.querySelectorAll("[data-msg-required]");
    fields.forEach(function (el) {
      var check = function () { show(el, message(el)); };
      el.addEventListener("input", check);
      el.addEventListener("change", check);
      el.addEventListener("blur", check);
    });
    form.addEventListener("submit", function (event) {
      var first = null;
      fields.forEach(function (el) {
        var text = message(el);
        show(el, text);
        if (text && !first) first = el;
      });
      if (first) {
        event.preventDefault();
        first.focus();
      }
    });
  });

  var end = document.querySelector("[data-posting-end]");
  if (end) {
    var input = end.closest("form").querySelector('input[name="posted_from"]');
    var update = function () {
      if (!input.value) { end.textContent = "—"; return; }
      fetch(end.getAttribute("data-url") + "?tu=" + encodeURIComponent(input.value), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      })
        .then(function (r) { return r.json(); })
        .then(function (d) { end.textContent = d.to_vi || d.error || "—"; })
        .catch(function () { end.textContent = "—"; });
    };
    input.addEventListener("change", update);
    input.addEventListener("input", update);
    update();
  }
})();
