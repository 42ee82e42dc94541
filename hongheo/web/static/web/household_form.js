// Hộ Nghèo: check household and member forms as the user types (no inline scripts, CSP-friendly).
// A form with data-check-url is posted (without saving) to that endpoint, which runs the same
// checks as the save; the messages appear under the fields the user has touched.
(function () {
  "use strict";

  function setError(form, name, message) {
    var box = form.querySelector('[data-field-error="' + name + '"]');
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
    var wrapper = form.querySelector('[data-field="' + name + '"]');
    if (wrapper) {
      wrapper.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (message) el.setAttribute("aria-invalid", "true");
        else el.removeAttribute("aria-invalid");
      });
    }
  }

  function attach(form) {
    var url = form.getAttribute("data-check-url");
    var touched = {};
    var timer = null;
    var seq = 0;

    function check() {
      var mine = ++seq;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "fetch" }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body || mine !== seq) return; // a newer check is on its way
          var errors = body.errors || {};
          form.querySelectorAll("[data-field-error]").forEach(function (box) {
            var name = box.getAttribute("data-field-error");
            if (touched[name] || errors[name] === undefined) setError(form, name, touched[name] ? errors[name] : "");
          });
          form.setAttribute("data-checked", String(mine));
        })
        .catch(function () { /* offline: the server checks again on save */ });
    }

    function onEdit(ev) {
      var wrapper = ev.target.closest("[data-field]");
      if (wrapper) touched[wrapper.getAttribute("data-field")] = true;
      // a personal ID is checked against date of birth and sex: re-check it when they change
      if (wrapper && ["date_of_birth", "sex"].indexOf(wrapper.getAttribute("data-field")) >= 0) {
        var pid = form.querySelector('[name="personal_id"]');
        if (pid && pid.value) touched.personal_id = true;
      }
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    }

    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
  }

  document.querySelectorAll("form[data-check-url]").forEach(attach);
})();
