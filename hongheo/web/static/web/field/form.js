// Renders a form of the one questionnaire (downloaded as JSON) and checks answers as the user
// types, with the same rules and the same Vietnamese messages the server applies.
import { t } from "./i18n.js";

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
};
export { el };

const TRUE = new Set(["1", "true", "yes", "co", "có"]);
const FALSE = new Set(["0", "false", "no", "khong", "không"]);

function blank(v) {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && !v.length);
}

function toBool(v) {
  if (typeof v === "boolean") return v;
  const t = String(v).trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return null;
}

export function relevant(q, values) {
  if (!q.relevant) return true;
  const v = values[q.relevant.field];
  if (typeof q.relevant.equals === "boolean") return !blank(v) && toBool(v) === q.relevant.equals;
  return String(v ?? "") === String(q.relevant.equals);
}

// One answer: [cleaned value, message or null] — mirrors questionnaire.check_value on the server.
export function check(q, value) {
  const m = q.messages;
  if (blank(value)) return [null, q.required ? m.required : null];
  switch (q.type) {
    case "text": {
      const t = String(value).trim();
      return [t, q.max_length && t.length > q.max_length ? m.length : null];
    }
    case "integer":
    case "decimal": {
      const n = Number(String(value).trim().replace(",", "."));
      if (!Number.isFinite(n)) return [value, m.number];
      if (q.type === "integer" && !Number.isInteger(n)) return [value, m.number];
      if ((q.min != null && n < q.min) || (q.max != null && n > q.max)) return [n, m.range];
      return [n, null];
    }
    case "date": {
      const t = String(value).slice(0, 10);
      const ok = /^\d{4}-\d{2}-\d{2}$/.test(t) && !Number.isNaN(Date.parse(t));
      const today = new Date().toISOString().slice(0, 10);
      if (!ok || t < (q.min || "1900-01-01") || t > today) return [t, m.date];
      return [t, null];
    }
    case "boolean": {
      const b = toBool(value);
      return b === null ? [value, m.required] : [b, null];
    }
    case "select_one": {
      const ok = (q.choices || []).some((c) => c.value === String(value));
      return [String(value), ok ? null : m.choice];
    }
    case "geopoint":
      return [value, value && Number.isFinite(value.lat) && Number.isFinite(value.lon) ? null : m.geopoint];
    case "image":
      return [value, /^[A-Za-z0-9._-]{1,120}$/.test(value) ? null : m.image];
    case "hidden":
      return [/^\d+$/.test(String(value)) ? Number(value) : null, null];
    default:
      return [value, null];
  }
}

export function incomePerPerson(def, answers) {
  const sources = def.questions.filter((q) => q.income).map((q) => q.name);
  if (!sources.length || sources.some((s) => typeof answers[s] !== "number")) return null;
  const present = (answers.member || []).filter((m) => m.presence === "present").length;
  if (!present) return null;
  return Math.round(sources.reduce((a, s) => a + answers[s], 0) / present);
}

// Validate a whole submission: {answers (cleaned), errors {path: message}}
export function validate(def, raw) {
  const answers = {};
  const errors = {};
  for (const q of def.questions) {
    if (q.type === "calculate") continue;
    if (q.type === "repeat") {
      answers[q.name] = (raw[q.name] || []).map((row, i) => {
        const out = {};
        for (const sub of q.questions) {
          if (!relevant(sub, row)) continue;
          const [v, e] = check(sub, row[sub.name]);
          out[sub.name] = v;
          if (e) errors[`${q.name}[${i}].${sub.name}`] = e;
        }
        return out;
      });
      continue;
    }
    if (!relevant(q, raw)) continue;
    const [v, e] = check(q, raw[q.name]);
    answers[q.name] = v;
    if (e) errors[q.name] = e;
  }
  return { answers, errors };
}

export const vnd = (n) => (n == null ? "—" : `${Math.round(n).toLocaleString("vi-VN")} đ`);

// --- rendering -------------------------------------------------------------------------------

function input(q, value, onChange) {
  const id = `q-${q.path}`;
  let control;
  if (q.type === "select_one" || q.type === "boolean") {
    control = el("select", { id, name: q.path, "data-q": q.path });
    control.append(el("option", { value: "", text: t("— chọn —") }));
    for (const c of q.choices || []) {
      const current = q.type === "boolean" && typeof value === "boolean" ? (value ? "1" : "0") : value;
      control.append(el("option", { value: c.value, text: c.label, selected: String(current ?? "") === c.value }));
    }
  } else if (q.type === "text" && (q.max_length || 0) > 200) {
    control = el("textarea", { id, name: q.path, rows: 2, "data-q": q.path });
    control.value = value ?? "";
  } else {
    const type = { integer: "number", decimal: "number", date: "date" }[q.type] || "text";
    control = el("input", {
      id,
      name: q.path,
      type,
      "data-q": q.path,
      inputmode: q.type === "integer" ? "numeric" : q.type === "decimal" ? "decimal" : null,
      step: q.type === "decimal" ? "any" : null,
    });
    control.value = value ?? "";
  }
  const message = el("p", { class: "error", "data-error-for": q.path, hidden: true });
  const showCheck = () => {
    const [, err] = check(q, control.value);
    message.textContent = err || "";
    message.hidden = !err;
    control.setAttribute("aria-invalid", err ? "true" : "false");
  };
  control.addEventListener("input", () => {
    showCheck();
    onChange();
  });
  control.addEventListener("change", () => {
    showCheck();
    onChange();
  });
  const label = el("label", { for: id, text: q.label + (q.unit ? ` (${q.unit})` : "") + (q.required ? " *" : "") });
  return { node: el("div", { class: "field", "data-field": q.path }, label, control, message), control, showCheck };
}

// Builds the form; returns {node, read(): raw answers, showErrors(errors)}
export function renderForm(def, initial, hooks) {
  const root = el("div", { class: "qform" });
  const controls = new Map(); // path -> {control, q}
  const memberRows = [];
  const changed = () => {
    refreshRelevance();
    hooks.onChange && hooks.onChange();
  };

  function refreshRelevance() {
    const raw = read();
    for (const { control, q, row } of controls.values()) {
      const values = row === undefined ? raw : raw.member[row];
      const field = control.closest(".field");
      if (field && values) field.hidden = !relevant(q, values);
    }
  }

  function addField(q, parent, value, row) {
    const path = row === undefined ? q.name : `member[${row}].${q.name}`;
    const spec = { ...q, path };
    const made = input(spec, value, changed);
    controls.set(path, { control: made.control, q, row });
    parent.append(made.node);
  }

  function addMember(values, isNew) {
    const repeat = def.questions.find((q) => q.type === "repeat");
    const index = memberRows.length;
    const box = el("fieldset", { class: "member", "data-member": index });
    box.append(el("legend", { text: isNew ? t("Thành viên mới {n}", { n: index + 1 }) : values.full_name || t("Thành viên {n}", { n: index + 1 }) }));
    for (const sub of repeat.questions) {
      if (sub.type === "hidden") {
        const hidden = el("input", { type: "hidden", name: `member[${index}].${sub.name}` });
        hidden.value = values[sub.name] ?? "";
        controls.set(`member[${index}].${sub.name}`, { control: hidden, q: sub, row: index });
        box.append(hidden);
        continue;
      }
      addField(sub, box, values[sub.name], index);
    }
    memberRows.push(box);
    membersNode.append(box);
    changed();
  }

  const membersNode = el("div", { class: "members" });
  for (const q of def.questions) {
    if (q.type === "calculate") {
      root.append(el("p", { class: "calc", "data-calc": q.name }, el("span", { text: `${q.label}: ` }), el("strong", { "data-calc-value": q.name, text: "—" })));
      continue;
    }
    if (q.type === "repeat") {
      root.append(el("h3", { text: q.label }), membersNode);
      for (const m of initial.member || []) addMember(m, false);
      root.append(el("button", { type: "button", class: "secondary", "data-action": "add-member", text: t("+ Thêm thành viên"), onclick: () => addMember({ presence: "present" }, true) }));
      continue;
    }
    if (q.type === "geopoint" || q.type === "image") {
      const slot = el("div", { class: "field", "data-field": q.name });
      slot.append(el("label", { text: q.label }));
      root.append(slot);
      hooks.special && hooks.special(q, slot);
      continue;
    }
    addField(q, root, initial[q.name]);
  }

  function read() {
    const raw = {};
    const members = memberRows.map(() => ({}));
    for (const [path, { control, q, row }] of controls) {
      let v = control.value;
      if (row !== undefined) members[row][q.name] = v;
      else raw[path] = v;
    }
    raw.member = members;
    hooks.readSpecial && hooks.readSpecial(raw);
    return raw;
  }

  function showErrors(errors) {
    for (const node of root.querySelectorAll("[data-error-for]")) {
      const msg = errors[node.dataset.errorFor];
      node.textContent = msg || "";
      node.hidden = !msg;
    }
  }

  function showCalc(name, text) {
    const node = root.querySelector(`[data-calc-value="${name}"]`);
    if (node) node.textContent = text;
  }

  setTimeout(refreshRelevance, 0);
  return { node: root, read, showErrors, showCalc };
}
