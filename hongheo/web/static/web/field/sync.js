// Sync: send what waits in the outbox, one small batch at a time; a submission leaves the phone
// only after the server confirmed it. Ids are generated on the phone, so a retry after a cut
// connection is recognised by the server and never duplicates.
import * as db from "./db.js";
import { t } from "./i18n.js";

const API = "/api/v1/field";
const BATCH = 20;
let running = null;
let backoff = 0;

export async function api(path, options = {}) {
  const token = await db.kvGet("token");
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${API}${path}`, { ...options, headers, cache: "no-store" });
  if (response.status === 401) {
    const error = new Error(t("Phiên làm việc đã hết hạn hoặc mã thiết bị bị thu hồi: đăng nhập lại."));
    error.status = 401;
    throw error;
  }
  return response;
}

export async function waiting() {
  const outbox = await db.all("outbox");
  const photos = await db.all("photos");
  return {
    submissions: outbox.filter((s) => s.status === "waiting"),
    errors: outbox.filter((s) => s.status === "error"),
    photos: photos.filter((p) => p.status === "waiting"),
    all: outbox,
  };
}

async function sendSubmissions(report) {
  const items = (await db.all("outbox")).filter((s) => s.status === "waiting");
  for (let i = 0; i < items.length; i += BATCH) {
    const batch = items.slice(i, i + BATCH);
    const payload = batch.map((s) => ({
      id: s.id,
      form_id: s.form_id,
      form_version: s.form_version,
      household_id: s.household_id,
      new_household: s.new_household,
      answers: s.answers,
      base_version: s.base_version,
      started_at: s.started_at,
      ended_at: s.ended_at,
      device_id: s.device_id,
      photos: s.photos,
    }));
    report(t("Đang gửi {n} phiếu…", { n: batch.length }));
    const response = await api("/sync", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ items: payload }),
    });
    if (!response.ok) throw new Error(t("Máy chủ trả lỗi {status}", { status: response.status }));
    const { results } = await response.json();
    for (const result of results) {
      const item = batch.find((s) => s.id === result.id) || batch[results.indexOf(result)];
      if (!item) continue;
      await applyResult(item, result);
    }
  }
}

// One server result on an outbox item: "received" means stored on the server and waiting to be
// recorded (the phone asks again later); a recorded one may still turn out a conflict or an error.
async function applyResult(item, result) {
  item.result = result;
  if (result.status === "accepted" || result.status === "duplicate" || result.status === "conflict") {
    item.status = result.status === "conflict" ? "conflict" : "sent";
    item.pending = result.state === "received";
    item.sent_at = item.sent_at || new Date().toISOString();
    const household = item.household_id == null ? null : await db.get("households", item.household_id);
    if (household && result.version) {
      household.version = result.version;
      household.local_state = item.status;
      await db.put("households", household);
    }
  } else {
    item.status = "error";
    item.pending = false;
    item.error = result.message;
    item.errors = result.errors || {};
  }
  await db.put("outbox", item);
}

// Ask the server about submissions it stored but had not recorded yet.
async function checkPending() {
  const pending = (await db.all("outbox")).filter((s) => s.status === "sent" && s.pending);
  for (let i = 0; i < pending.length; i += 100) {
    const batch = pending.slice(i, i + 100);
    const response = await api("/status", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ids: batch.map((s) => s.id) }),
    });
    if (!response.ok) return;
    const { results } = await response.json();
    for (const result of results) {
      const item = batch.find((s) => s.id === result.id);
      if (item && result.code !== "not_found") await applyResult(item, result);
    }
  }
}

async function sendPhotos(report) {
  const photos = (await db.all("photos")).filter((p) => p.status === "waiting");
  for (const photo of photos) {
    const owner = await db.get("outbox", photo.submission_id);
    if (!owner || owner.status === "waiting" || owner.status === "error") continue; // the submission first
    report(t("Đang gửi ảnh…"));
    const form = new FormData();
    form.append("submission_id", photo.submission_id);
    form.append("question", photo.question);
    form.append("taken_at", photo.taken_at);
    form.append("file", photo.blob, `${photo.id}.jpg`);
    const response = await api(`/photos/${photo.id}`, { method: "POST", body: form });
    if (response.ok) {
      photo.status = "sent";
      photo.blob = null; // the server has it: free the phone's storage
      await db.put("photos", photo);
    } else if (response.status >= 400 && response.status < 500) {
      const body = await response.json().catch(() => ({}));
      photo.status = "error";
      photo.error = body.message || t("Lỗi {status}", { status: response.status });
      await db.put("photos", photo);
    } else {
      throw new Error(t("Máy chủ trả lỗi {status}", { status: response.status }));
    }
  }
}

// One sync run at a time; resolves with {ok, message}.
export function syncNow(report = () => {}) {
  if (running) return running;
  running = (async () => {
    try {
      await sendSubmissions(report);
      await sendPhotos(report);
      await checkPending();
      backoff = 0;
      return { ok: true, message: t("Đã đồng bộ.") };
    } catch (error) {
      backoff = Math.min(300, backoff ? backoff * 2 + 1 : 1);
      return { ok: false, message: error.status === 401 ? error.message : t("Chưa gửi được (mất kết nối?). Dữ liệu vẫn nằm trên máy; sẽ thử lại."), status: error.status };
    } finally {
      running = null;
    }
  })();
  return running;
}

export const nextRetrySeconds = () => backoff;
