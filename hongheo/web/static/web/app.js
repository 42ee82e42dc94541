// Hộ Nghèo: small progressive enhancements (no inline scripts, CSP-friendly).
(function () {
  "use strict";
  // One-time key per shown form: a double click or a resent request creates one record, not two
  // (hongheo.core.submissions).
  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
    if (form.querySelector("input[name=_submission]")) return;
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "_submission"; input.value = uuid4();
    form.appendChild(input);
  });
  document.documentElement.classList.add("js");
  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var bar = button.closest(".topbar");
      var open = bar.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  function poll(el) {
    var url = el.getAttribute("data-job-status");
    if (!url) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (el.tagName === "PROGRESS") {
          el.value = s.percent;
        } else {
          el.querySelectorAll("[data-field]").forEach(function (f) {
            var k = f.getAttribute("data-field");
            if (k === "progress") f.value = s.percent;
            else if (k === "error") { f.hidden = !s.error; if (s.error) f.textContent = "Lý do thất bại: " + s.error; }
            else if (k in s) f.textContent = s[k];
          });
        }
        if (s.finished) {
          if (el.id === "job") window.location.reload();
        } else {
          setTimeout(function () { poll(el); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  document.querySelectorAll("[data-job-status]").forEach(function (el) {
    if (el.getAttribute("data-finished") === "1") return;
    poll(el);
  });
})();
