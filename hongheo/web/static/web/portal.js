// Citizen portal (Mẫu 01): short steps, a draft kept on the phone (localStorage) until it is sent,
// pickers searched without diacritics, the indicative self-assessment, and sending with the phone's
// own key so a replay never makes a second application. No build step, no third-party code.
const form = document.getElementById("portal");
const API = form.dataset.api;
const DRAFT = "hongheo-portal-draft";
const RECEIPT = "hongheo-portal-receipt";
const STEPS = 6;
let lists = {};
let areas = { province: [], commune: [], village: [] };
let step = 1;
let draft = load(DRAFT) || fresh();

function fresh() {
  return { client_key: uuid(), step: 1, values: {}, members: 1, incomes: 1, areas: {} };
}
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch { return null; } }
function save() {
  draft.step = step;
  draft.values = {};
  for (const el of form.querySelectorAll("[name]")) {
    if (el.name === "csrfmiddlewaretoken" || el.name.startsWith("bot.")) continue;
    if (el.type === "radio") { if (el.checked) draft.values[el.name] = el.value; continue; }
    draft.values[el.name] = el.value;
  }
  localStorage.setItem(DRAFT, JSON.stringify(draft));
}
const fold = (s) => (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
const vnd = (n) => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
const el = (tag, attrs = {}, text = "") => { const e = document.createElement(tag); Object.assign(e, attrs); if (text) e.textContent = text; return e; };

async function api(path, body) {
  const headers = { "Content-Type": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value };
  const res = await fetch(API + path, body === undefined ? {} : { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
  const data = await res.json().catch(() => ({}));
  return { ok: res.ok, status: res.status, data };
}

// --- options -------------------------------------------------------------------------------------
function options(select, items, blank = true) {
  select.replaceChildren();
  if (blank) select.append(el("option", { value: "" }, "—"));
  for (const [code, label] of items) select.append(el("option", { value: code }, label));
}
function fillLists(root = form) {
  for (const s of root.querySelectorAll("select[data-list]")) options(s, lists[s.dataset.list].items.map((i) => [i.code, i.label_vi]));
  for (const s of root.querySelectorAll("select[data-bool]")) options(s, [["1", "Có"], ["0", "Không"]]);
}

// --- areas ---------------------------------------------------------------------------------------
async function loadAreas(level, parent) {
  const sel = form.querySelector(`[data-area=${level}]`);
  const res = await api(`areas${parent ? `?parent=${encodeURIComponent(parent)}` : ""}`).catch(() => null);
  if (res && res.ok) { areas[level] = res.data; draft.areas[level] = res.data; }
  else areas[level] = (draft.areas || {})[level] || [];
  showAreas(level, "");
  const want = draft.values[level];
  if (want && areas[level].some((a) => a.code === want)) sel.value = want;
  if (sel.dataset.area !== "village" && sel.size < 2) sel.size = 4;
}
function showAreas(level, query) {
  const sel = form.querySelector(`[data-area=${level}]`);
  const q = fold(query);
  const keep = sel.value;
  const rows = areas[level].filter((a) => !q || a.search.includes(q));
  options(sel, rows.map((a) => [a.code, a.name]), level === "village");
  if (rows.some((a) => a.code === keep)) sel.value = keep;
  if (q && rows.length === 1 && level !== "village") { sel.value = rows[0].code; sel.dispatchEvent(new Event("change", { bubbles: true })); }
}
form.addEventListener("input", (e) => {
  if (e.target.dataset.filter) showAreas(e.target.dataset.filter, e.target.value);
});
form.addEventListener("change", async (e) => {
  const level = e.target.dataset.area;
  if (level === "province") { draft.values.province = e.target.value; draft.values.commune = ""; await loadAreas("commune", e.target.value); options(form.querySelector("[data-area=village]"), []); }
  if (level === "commune") { draft.values.commune = e.target.value; await loadAreas("village", e.target.value); }
});

// --- members and incomes -------------------------------------------------------------------------
function memberRow(n) {
  const d = el("div", { className: "row" });
  d.dataset.member = n;
  d.innerHTML = `<p><strong>Người thứ ${n + 1}</strong></p>
  <label>Họ và tên<input name="members.${n}.full_name" maxlength="150"></label><p class="error" data-error="members.${n}.full_name"></p>
  <div class="grid"><label>Quan hệ với chủ hộ<select name="members.${n}.relation_to_head" data-list="relation_to_head"></select></label>
  <label>Giới tính<select name="members.${n}.sex" data-list="sex"></select></label></div>
  <p class="error" data-error="members.${n}.relation_to_head"></p><p class="error" data-error="members.${n}.sex"></p>
  <label>Ngày sinh<input type="date" name="members.${n}.date_of_birth"></label><p class="error" data-error="members.${n}.date_of_birth"></p>
  <label>Số định danh (nếu có)<input name="members.${n}.personal_id" inputmode="numeric" maxlength="12"></label><p class="error" data-error="members.${n}.personal_id"></p>
  <div class="grid"><label>Đang đi học<select name="members.${n}.in_school" data-bool></select></label>
  <label>Có thẻ BHYT<select name="members.${n}.health_insurance" data-bool></select></label>
  <label>Khuyết tật<select name="members.${n}.disability" data-bool></select></label>
  <label>Có bằng cấp, chứng chỉ nghề<select name="members.${n}.has_qualification" data-bool></select></label></div>
  <label>Học vấn<select name="members.${n}.education_level" data-list="education_level"></select></label>
  <label>Việc làm<select name="members.${n}.employment" data-list="employment"></select></label>
  ${n ? `<button type="button" class="secondary" data-remove="member">Bỏ người này</button>` : ""}`;
  fillLists(d);
  return d;
}
function incomeRow(n) {
  const d = el("div", { className: "row" });
  d.innerHTML = `<div class="grid"><label>Nguồn<select name="incomes.${n}.source" data-list="income_source"></select></label>
  <label>Tính theo<select name="incomes.${n}.period"><option value="month">Tháng</option><option value="year">Năm</option></select></label></div>
  <label>Số tiền (đồng)<input name="incomes.${n}.amount" inputmode="numeric"></label>
  <p class="error" data-error="incomes.${n}.amount"></p><p class="error" data-error="incomes.${n}.source"></p>
  ${n ? `<button type="button" class="secondary" data-remove="income">Bỏ nguồn này</button>` : ""}`;
  fillLists(d);
  return d;
}
function renderRows() {
  const m = document.getElementById("members"); m.replaceChildren();
  for (let i = 0; i < draft.members; i++) m.append(memberRow(i));
  const inc = document.getElementById("incomes"); inc.replaceChildren();
  for (let i = 0; i < draft.incomes; i++) inc.append(incomeRow(i));
}
function restoreValues() {
  for (const [name, value] of Object.entries(draft.values || {})) {
    for (const f of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      if (f.type === "radio") f.checked = f.value === value; else if (f.tagName !== "SELECT" || [...f.options].some((o) => o.value === value)) f.value = value;
    }
  }
}
form.addEventListener("click", (e) => {
  const kind = e.target.dataset.remove;
  if (!kind) return;
  save();
  const row = e.target.closest(".row");
  const index = [...row.parentNode.children].indexOf(row);
  const prefix = kind === "member" ? "members." : "incomes.";
  const count = kind === "member" ? draft.members : draft.incomes;
  const values = {};
  for (const [k, v] of Object.entries(draft.values)) {
    if (!k.startsWith(prefix)) { values[k] = v; continue; }
    const [, i, f] = k.split(".");
    const n = Number(i);
    if (n < index) values[k] = v; else if (n > index) values[`${prefix}${n - 1}.${f}`] = v;
  }
  draft.values = values;
  if (kind === "member") draft.members = count - 1; else draft.incomes = count - 1;
  renderRows(); restoreValues(); save(); perPerson();
});
document.getElementById("add-member").onclick = () => { save(); draft.members += 1; renderRows(); restoreValues(); save(); };
document.getElementById("add-income").onclick = () => { save(); draft.incomes += 1; renderRows(); restoreValues(); save(); };

// --- payload -------------------------------------------------------------------------------------
const BOOLS = /\.(in_school|health_insurance|disability|has_qualification|internet)$/;
function payload() {
  const out = { client_key: draft.client_key, channel: form.dataset.assisted === "1" ? "assisted" : "portal", members: [], incomes: [], living: {}, declarant: {}, bot: {} };
  for (const f of form.querySelectorAll("[name]")) {
    if (f.name === "csrfmiddlewaretoken" || f.name === "province" || (f.type === "radio" && !f.checked)) continue;
    let value = f.value;
    if (BOOLS.test(f.name)) value = value === "" ? null : value === "1";
    const parts = f.name.split(".");
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = /^\d+$/.test(parts[i]) ? Number(parts[i]) : parts[i];
      if (node[key] === undefined) node[key] = {};
      node = node[key];
    }
    node[parts.at(-1)] = value;
  }
  if (out.living.floor_area_m2 === "") out.living.floor_area_m2 = null;
  if (out.living.information_devices === "") out.living.information_devices = null;
  out.bot.token = draft.bot_token || "";
  return out;
}
function perPerson() {
  let total = 0;
  for (let i = 0; i < draft.incomes; i++) {
    const a = Number((form.querySelector(`[name="incomes.${i}.amount"]`)?.value || "0").replace(/[.,\s]/g, "")) || 0;
    total += form.querySelector(`[name="incomes.${i}.period"]`)?.value === "year" ? a / 12 : a;
  }
  document.getElementById("per-person").textContent = vnd(total / Math.max(1, draft.members));
}

// --- the 12-digit ID checked as typed against date of birth and sex (the server's wording) ----
const ID_MESSAGES = JSON.parse(document.getElementById("id-messages").textContent);
function idProblem(id, dob, sex) {
  if (!id) return "";
  if (!/^\d*$/.test(id)) return ID_MESSAGES.non_digit;
  if (id.length !== 12) return ID_MESSAGES.length;
  const digit = Number(id[3]);
  const year = Number((dob || "").slice(0, 4));
  if (year) {
    if (Math.floor(digit / 2) !== Math.floor(year / 100) - 19) return ID_MESSAGES.century_mismatch;
    if (Number(id.slice(4, 6)) !== year % 100) return ID_MESSAGES.birth_year_mismatch;
  }
  if (sex && (digit % 2 === 1 ? "female" : "male") !== sex) return ID_MESSAGES.sex_mismatch;
  return "";
}
function checkIds() {
  const v = (n) => form.querySelector(`[name="${n}"]`)?.value || "";
  const sex = form.querySelector("[name='declarant.sex']:checked")?.value || "";
  const p = form.querySelector("[data-error='declarant.personal_id']");
  const problem = idProblem(v("declarant.personal_id"), v("declarant.date_of_birth"), sex);
  p.textContent = problem ? `Số định danh: ${problem}.` : "";
  for (let i = 0; i < draft.members; i++) {
    const id = v(`members.${i}.personal_id`);
    const e = form.querySelector(`[data-error='members.${i}.personal_id']`);
    if (!e) continue;
    const m = idProblem(id, v(`members.${i}.date_of_birth`), v(`members.${i}.sex`));
    e.textContent = m ? `Số định danh ${id}: ${m}.` : "";
  }
}

// --- errors --------------------------------------------------------------------------------------
function clearErrors() { for (const p of form.querySelectorAll("[data-error]")) p.textContent = ""; }
function showErrors(fields) {
  clearErrors();
  let first = null;
  for (const [name, msg] of Object.entries(fields || {})) {
    const p = form.querySelector(`[data-error="${CSS.escape(name)}"]`) || document.getElementById("send-error");
    p.textContent = msg || p.textContent;
    const s = p.closest("[data-step]");
    if (s && (first === null || Number(s.dataset.step) < first)) first = Number(s.dataset.step);
  }
  if (first !== null) go(first);
}

// --- steps ---------------------------------------------------------------------------------------
function go(n) {
  step = Math.max(1, Math.min(STEPS, n));
  for (const s of form.querySelectorAll("[data-step]")) s.hidden = Number(s.dataset.step) !== step;
  const bar = document.getElementById("steps"); bar.replaceChildren();
  for (let i = 1; i <= STEPS; i++) bar.append(el("li", { className: i <= step ? "on" : "" }));
  document.getElementById("prev").hidden = step === 1;
  document.getElementById("next").hidden = step === STEPS;
  if (step === 3) seedDeclarant();
  if (step === STEPS) { assess(); question(); }
  save();
  window.scrollTo(0, 0);
}
function seedDeclarant() {
  const v = (n) => form.querySelector(`[name="${n}"]`);
  const name = v("members.0.full_name");
  if (name.value) return;
  name.value = v("declarant.full_name").value;
  v("members.0.date_of_birth").value = v("declarant.date_of_birth").value;
  v("members.0.personal_id").value = v("declarant.personal_id").value;
  v("members.0.relation_to_head").value = "head";
  const sex = form.querySelector("[name='declarant.sex']:checked");
  if (sex) v("members.0.sex").value = sex.value;
}
document.getElementById("prev").onclick = () => go(step - 1);
document.getElementById("next").onclick = () => go(step + 1);

async function assess() {
  const box = document.getElementById("assessment");
  box.textContent = "Đang tính…";
  try {
    const res = await api("self-assessment", payload());
    if (!res.ok) { box.textContent = res.data.message || "Chưa tính được."; showErrors(res.data.fields); return; }
    const a = res.data;
    box.replaceChildren(el("p", { className: "small" }, "Kết quả tự đánh giá (chỉ để tham khảo)"), el("p", { className: "big" }, a.explanation));
    const ul = el("ul");
    for (const i of a.indicators) ul.append(el("li", { className: i.deprived ? "deprived" : "ok" }, `${i.deprived ? "Thiếu hụt" : "Không thiếu hụt"}: ${i.name_vi}`));
    box.append(ul, el("p", { className: "small" }, `${a.disclaimer} (${a.standard_title})`));
  } catch {
    box.textContent = "Không có kết nối: sẽ tính khi có mạng. Thông tin vẫn được giữ trên máy.";
  }
}
async function question() {
  if (draft.bot_token && draft.bot_question) { document.getElementById("question").textContent = draft.bot_question; return; }
  try {
    const res = await api("challenge");
    draft.bot_token = res.data.token; draft.bot_question = res.data.question; save();
    document.getElementById("question").textContent = res.data.question;
  } catch { document.getElementById("question").textContent = "Câu hỏi kiểm tra sẽ hiện khi có mạng."; }
}
async function send() {
  save();
  const err = document.getElementById("send-error");
  err.textContent = "";
  if (!draft.bot_token) await question();
  let res;
  try { res = await api("applications", payload()); }
  catch { err.textContent = "Chưa gửi được vì mất kết nối. Thông tin vẫn được giữ; bấm Gửi lại khi có mạng."; return; }
  if (!res.ok) {
    if (res.data.code === "bot") { draft.bot_token = ""; draft.bot_question = ""; question(); }
    err.textContent = res.data.message || "Chưa gửi được.";
    showErrors(res.data.fields); err.textContent = res.data.message || err.textContent;
    return;
  }
  localStorage.setItem(RECEIPT, JSON.stringify(res.data));
  localStorage.removeItem(DRAFT);
  showReceipt(res.data);
}
function showReceipt(r) {
  for (const s of form.querySelectorAll("[data-step], #nav, #steps")) s.hidden = true;
  document.getElementById("nav").hidden = true;
  document.getElementById("receipt").hidden = false;
  document.getElementById("r-code").textContent = r.tracking_code;
  document.getElementById("r-pin").textContent = r.pin;
}
document.getElementById("send").onclick = send;
document.getElementById("new").onclick = (e) => { e.preventDefault(); localStorage.removeItem(RECEIPT); draft = fresh(); location.reload(); };
form.addEventListener("input", (e) => { save(); perPerson(); if (/personal_id|date_of_birth/.test(e.target.name)) checkIds(); });
form.addEventListener("change", (e) => { save(); perPerson(); if (/personal_id|date_of_birth|sex/.test(e.target.name)) checkIds(); });
const net = document.getElementById("net");
addEventListener("offline", () => { net.hidden = false; });
addEventListener("online", () => { net.hidden = true; if (step === STEPS) assess(); });

// the page opens with no connection once visited (its own service worker, as the field app's)
if ("serviceWorker" in navigator && form.dataset.sw) {
  navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.scope }).catch(() => {});
}

async function start() {
  const receipt = load(RECEIPT);
  if (receipt && !load(DRAFT)) { showReceipt(receipt); return; }
  const res = await api("code-lists").catch(() => null);
  lists = res && res.ok ? res.data : draft.lists || {};
  draft.lists = lists;
  fillLists();
  renderRows();
  await loadAreas("province");
  if (draft.values.province) await loadAreas("commune", draft.values.province);
  if (draft.values.commune) await loadAreas("village", draft.values.commune);
  restoreValues();
  perPerson();
  go(draft.step || 1);
}
start();
