// Hộ Nghèo: small progressive enhancements (no inline scripts, CSP-friendly).
(function () {
  "use strict";
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
