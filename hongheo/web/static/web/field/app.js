// The surveyors' offline app (/thuc-dia/): sign in once, download the assigned households and the
// questionnaire, fill Phiếu A / Phiếu B without network, sync when the network returns.
import * as db from "./db.js";
import { el, renderForm, validate, incomePerPerson, vnd } from "./form.js";
import { api, syncNow, waiting } from "./sync.js";
import { t } from "./i18n.js";

const app = document.getElementById("app");
const statusNode = document.getElementById("net");
const countNode = document.getElementById("outbox-count");
const flash = (text, kind = "info") => {
  const node = document.getElementById("flash");
  node.textContent = text;
  node.className = `flash ${kind}`;
  node.hidden = !text;
};

const uuid = () =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
        (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16),
      );

// --- service worker and updates ----------------------------------------------------------------

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(document.body.dataset.sw, { scope: document.body.dataset.scope }).then((reg) => {
    const offer = (worker) => {
      const banner = document.getElementById("update");
      banner.hidden = false;
      banner.querySelector("button").onclick = () => {
        worker.postMessage("skipWaiting");
        banner.hidden = true;
      };
    };
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      });
    });
    setInterval(() => reg.update().catch(() => {}), 60 * 60 * 1000);
  });
  let reloading = false;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // only an accepted update reloads, and never in the middle of a form
    if (!hadController || reloading || location.hash.includes("/phieu-") || location.hash === "#/ho-moi") return;
    reloading = true;
    location.reload();
  });
}

// --- status -----------------------------------------------------------------------------------

async function refreshStatus() {
  const w = await waiting();
  const n = w.submissions.length + w.photos.length;
  countNode.textContent = n ? t("{n} phiếu, {m} ảnh đang chờ gửi", { n: w.submissions.length, m: w.photos.length }) : t("Không có gì chờ gửi");
  countNode.dataset.waiting = String(w.submissions.length);
  countNode.dataset.photos = String(w.photos.length);
  statusNode.textContent = navigator.onLine ? t("Có mạng") : t("Ngoại tuyến");
  statusNode.className = navigator.onLine ? "online" : "offline";
}

async function sync() {
  const w = await waiting();
  const pending = w.all.some((s) => s.status === "sent" && s.pending); // stored, not yet recorded
  if (!w.submissions.length && !w.photos.length && !pending) {
    await refreshStatus();
    return;
  }
  const result = await syncNow((text) => flash(text));
  flash(result.message, result.ok ? "success" : "error");
  if (result.status === 401) await db.kvSet("token", null);
  await refreshStatus();
  if (!location.hash || location.hash === "#/") await home();
}

window.addEventListener("online", () => {
  refreshStatus();
  sync();
});
window.addEventListener("offline", refreshStatus);
setInterval(async () => {
  const w = await waiting();
  if (navigator.onLine && (w.submissions.length || w.photos.length)) sync();
}, 30_000);

// --- screens ----------------------------------------------------------------------------------

async function login() {
  app.replaceChildren();
  const form = el(
    "form",
    { class: "card", "data-testid": "field-login" },
    el("h2", { text: t("Đăng nhập một lần") }),
    el("p", { class: "hint", text: t("Điện thoại giữ một mã thiết bị (không lưu mật khẩu); cán bộ có thể thu hồi mã khi mất máy.") }),
    el("label", { for: "u", text: t("Tên đăng nhập") }),
    el("input", { id: "u", name: "username", autocomplete: "username", required: true }),
    el("label", { for: "p", text: t("Mật khẩu") }),
    el("input", { id: "p", name: "password", type: "password", autocomplete: "current-password", required: true }),
    el("button", { type: "submit", text: t("Đăng nhập") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch("/api/v1/field/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: form.username.value, password: form.password.value, label: navigator.userAgent.slice(0, 90) }),
      });
      const body = await response.json();
      if (!response.ok) return flash(body.message || t("Không đăng nhập được."), "error");
      await db.kvSet("token", body.token);
      await db.kvSet("user", body);
      if (!(await db.kvGet("device_id"))) await db.kvSet("device_id", uuid());
      await download();
      location.hash = "#/";
      await route();
    } catch (e) {
      flash(t("Cần có mạng để đăng nhập lần đầu."), "error");
    }
  });
  app.append(form);
}

async function download() {
  flash(t("Đang tải danh sách hộ và phiếu…"));
  // one request at a time: gentle on a poor connection (and on an embedded SQLite server)
  const a = await api("/assignments");
  const q = await api("/questionnaire");
  if (!a.ok || !q.ok) throw new Error("download");
  const data = await a.json();
  await db.kvSet("questionnaire", await q.json());
  await db.kvSet("rounds", data.rounds);
  await db.kvSet("villages", data.villages || []);
  const previous = new Map((await db.all("households")).map((h) => [h.id, h]));
  await db.replaceAll(
    "households",
    data.households.map((h) => ({ ...h, local_state: previous.get(h.id)?.local_state || "" })),
  );
  await db.kvSet("downloaded_at", new Date().toISOString());
  await db.persist();
  flash(t("Đã tải {n} hộ. Có thể làm việc không cần mạng.", { n: data.households.length }), "success");
}

const STATE_LABEL = { waiting: t("Chờ gửi"), sent: t("Đã gửi"), pending: t("Đã gửi – máy chủ đang ghi"), conflict: t("Xung đột – chờ xã xử lý"), error: t("Lỗi – cần sửa") };

async function home() {
  const user = await db.kvGet("user");
  const households = await db.all("households");
  const outbox = await db.all("outbox");
  const latest = new Map();
  for (const s of outbox.sort((a, b) => (a.ended_at < b.ended_at ? -1 : 1))) latest.set(s.household_id, s);
  const search = el("input", { type: "search", placeholder: t("Tìm theo mã hộ, tên chủ hộ…"), "data-testid": "field-search" });
  const list = el("ul", { class: "households", "data-testid": "field-households" });
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    list.replaceChildren();
    for (const h of households) {
      if (needle && !`${h.code} ${h.head_name} ${h.village_name}`.toLowerCase().includes(needle)) continue;
      const sub = latest.get(h.id);
      const state = sub ? STATE_LABEL[sub.status === "sent" && sub.pending ? "pending" : sub.status] : h.entry_state === "surveyed" ? t("Đã có Phiếu B") : "";
      list.append(
        el(
          "li",
          { "data-household": h.code },
          el("div", {}, el("strong", { text: h.code }), el("span", { text: ` ${h.head_name}` }), el("small", { text: ` · ${h.village_name || h.commune_name}` })),
          state ? el("span", { class: `badge ${sub ? sub.status : ""}`, text: state, "data-testid": "household-state" }) : null,
          sub && sub.status === "error" ? el("p", { class: "error", text: sub.error }) : null,
          el(
            "div",
            { class: "actions" },
            h.entry_id ? el("a", { class: "button", href: `#/ho/${h.id}/phieu-b`, text: "Phiếu B" }) : el("small", { text: t("Không có trong đợt rà soát đang mở") }),
            h.entry_id ? el("a", { class: "button secondary", href: `#/ho/${h.id}/phieu-a`, text: "Phiếu A" }) : null,
          ),
        ),
      );
    }
  };
  search.addEventListener("input", draw);
  draw();
  app.replaceChildren(
    el("p", { class: "who", text: user ? `${user.full_name || user.username}` : "" }),
    el(
      "div",
      { class: "toolbar" },
      el("button", { type: "button", "data-action": "sync", text: t("Đồng bộ ngay"), onclick: () => sync() }),
      el("a", { class: "button secondary", href: "#/ho-moi", "data-action": "new-household", text: t("+ Hộ mới phát hiện") }),
      el("button", {
        type: "button",
        class: "secondary",
        "data-action": "download",
        text: t("Tải lại danh sách"),
        onclick: async () => {
          try {
            await download();
            await home();
          } catch (e) {
            flash(t("Cần có mạng để tải danh sách."), "error");
          }
        },
      }),
    ),
    search,
    list,
  );
  await refreshStatus();
}

// --- photos and GPS ---------------------------------------------------------------------------

async function resize(file, longEdge = 1600, quality = 0.8) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

async function survey(householdId, key) {
  const definitions = await db.kvGet("questionnaire");
  const def = definitions.forms[key === "phieu-a" ? "phieu_a" : "phieu_b"];
  const isNew = householdId === null;
  const household = isNew
    ? { id: null, code: t("Hộ mới"), head_name: "", facts: {}, members: [], version: "", area: "rural" }
    : await db.get("households", householdId);
  if (!household) return home();
  let place = null;
  if (isNew) {
    const villages = (await db.kvGet("villages")) || [];
    const select = el("select", { id: "new-village", name: "new_village", "data-testid": "new-village" });
    for (const v of villages) select.append(el("option", { value: v.code, text: v.name }));
    const address = el("input", { id: "new-address", name: "new_address", maxlength: 300 });
    place = el("div", { class: "field" }, el("label", { for: "new-village", text: t("Thôn/tổ dân phố *") }), select, el("label", { for: "new-address", text: t("Địa chỉ") }), address);
    place.read = () => ({ village_code: select.value, address: address.value });
  }
  const rounds = (await db.kvGet("rounds")) || [];
  const startedAt = new Date().toISOString();
  const photos = {};
  let gps = null;
  const initial = { ...household.facts };
  for (const [k, v] of Object.entries(initial)) if (typeof v === "boolean") initial[k] = v ? "1" : "0";
  initial.member = household.members.map((m) => {
    const row = { ...m, presence: "present" };
    for (const [k, v] of Object.entries(row)) if (typeof v === "boolean") row[k] = v ? "1" : "0";
    return row;
  });
  const preview = el("p", { class: "preview", "data-testid": "field-preview" });
  let form = null;
  const hooks = {
    special(q, slot) {
      if (q.type === "geopoint") {
        const out = el("span", { class: "gps", "data-testid": "gps-value", text: t("Chưa có toạ độ") });
        const button = el("button", {
          type: "button",
          class: "secondary",
          "data-action": "gps",
          text: t("Lấy vị trí GPS"),
          onclick: () => {
            out.textContent = t("Đang lấy vị trí…");
            navigator.geolocation.getCurrentPosition(
              (pos) => {
                gps = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: Math.round(pos.coords.accuracy), at: new Date(pos.timestamp).toISOString() };
                out.textContent = `${gps.lat.toFixed(5)}, ${gps.lon.toFixed(5)} (±${gps.accuracy} m)`;
              },
              (err) => (out.textContent = t("Không lấy được vị trí: {error}", { error: err.message })),
              { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
            );
          },
        });
        slot.append(button, out);
      } else if (q.type === "image") {
        const thumb = el("img", { class: "thumb", alt: "", hidden: true });
        const pick = el("input", { type: "file", accept: "image/*", capture: "environment", "data-photo": q.name });
        pick.addEventListener("change", async () => {
          const file = pick.files[0];
          if (!file) return;
          try {
            const blob = await resize(file);
            photos[q.name] = { id: uuid(), blob, taken_at: new Date().toISOString(), question: q.name };
            thumb.src = URL.createObjectURL(blob);
            thumb.hidden = false;
          } catch (e) {
            flash(t("Tệp không phải ảnh."), "error");
          }
        });
        slot.append(pick, thumb);
      }
    },
    readSpecial(raw) {
      if (def.questions.some((q) => q.type === "geopoint")) raw.gps = gps;
      for (const [name, p] of Object.entries(photos)) raw[name] = p.id;
    },
    onChange() {
      if (key !== "phieu-b" || !form) return;
      const { answers } = validate(def, form.read());
      const income = incomePerPerson(def, answers);
      form.showCalc("income_per_capita", vnd(income));
      const round = rounds.find((r) => r.commune === household.commune_id) || rounds[0];
      const line = round && round.poor_line ? round.poor_line[household.area || "rural"] : null;
      preview.textContent =
        income == null || !line
          ? ""
          : t(
              income <= line
                ? "Kết quả tạm tính (chỉ tham khảo): thu nhập {income}/người/tháng không vượt chuẩn nghèo {line} ({area}). Kết quả chính thức do xã xét theo đủ chỉ tiêu."
                : "Kết quả tạm tính (chỉ tham khảo): thu nhập {income}/người/tháng cao hơn chuẩn nghèo {line} ({area}). Kết quả chính thức do xã xét theo đủ chỉ tiêu.",
              { income: vnd(income), line: vnd(line), area: household.area === "urban" ? t("thành thị") : t("nông thôn") },
            );
    },
  };
  form = renderForm(def, initial, hooks);
  // the questionnaire is the official Vietnamese form, whatever the app's language
  form.node.setAttribute("lang", "vi");
  form.node.setAttribute("translate", "no");
  const save = el("button", { type: "submit", "data-action": "save", text: t("Lưu phiếu vào máy") });
  const wrapper = el(
    "form",
    { class: "card", novalidate: true, "data-testid": "field-form" },
    el("h2", { text: `${def.title}: ${household.code} · ${household.head_name}`, lang: "vi", translate: "no" }),
    el("p", { class: "hint", text: t("Phiếu được lưu trên máy và gửi khi có mạng.") }),
    place,
    form.node,
    preview,
    el("div", { class: "actions" }, save, el("a", { class: "button secondary", href: "#/", text: t("Quay lại") })),
  );
  wrapper.addEventListener("submit", async (event) => {
    event.preventDefault();
    const raw = form.read();
    const { answers, errors } = validate(def, raw);
    form.showErrors(errors);
    const count = Object.keys(errors).length;
    if (count) {
      flash(t("Phiếu còn {n} lỗi: {first}", { n: count, first: Object.values(errors)[0] }), "error");
      wrapper.querySelector("[aria-invalid=true], .error:not([hidden])")?.scrollIntoView({ block: "center" });
      return;
    }
    const id = uuid();
    const photoList = Object.values(photos);
    for (const p of photoList) await db.put("photos", { ...p, submission_id: id, status: "waiting" });
    await db.put("outbox", {
      id,
      form_id: def.form_id,
      form_version: def.version,
      household_id: household.id,
      household_code: household.code,
      new_household: place ? place.read() : undefined,
      answers,
      base_version: household.version,
      started_at: startedAt,
      ended_at: new Date().toISOString(),
      device_id: await db.kvGet("device_id"),
      photos: photoList.map((p) => p.id),
      status: "waiting",
    });
    await db.persist();
    flash(t("Đã lưu phiếu của hộ {code} trên máy.", { code: household.code }), "success");
    location.hash = "#/";
    if (navigator.onLine) sync();
  });
  app.replaceChildren(wrapper);
  hooks.onChange();
}

async function route() {
  const token = await db.kvGet("token");
  if (!token) return login();
  const match = location.hash.match(/^#\/ho\/(\d+)\/(phieu-a|phieu-b)$/);
  if (match) return survey(Number(match[1]), match[2]);
  if (location.hash === "#/ho-moi") return survey(null, "phieu-b");
  if (!(await db.kvGet("questionnaire"))) {
    try {
      await download();
    } catch (e) {
      flash(t("Chưa tải được danh sách hộ: cần có mạng lần đầu."), "error");
    }
  }
  return home();
}

window.addEventListener("hashchange", route);
route().then(() => {
  document.body.dataset.ready = "1";
  if (navigator.onLine) sync();
});
