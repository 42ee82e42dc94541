// Service worker of the citizen portal (scope {{ scope }}), version {{ version }}: the same approach
// as the field app's. The page, its style and script are cached at install, so /dang-ky/ opens with
// no connection once visited; the form's draft stays in the phone's localStorage. The page is
// fetched network first (fresh when online); the code lists and the area lists the form reads are
// kept from the last time they were fetched, for when the connection is lost. Nothing is sent by the
// worker: POSTs (self-assessment, sending, status) always go to the network.
const CACHE = "hn-portal-{{ version }}";
const DATA = "hn-portal-data";
const SHELL = {{ shell_json|safe }};
const PAGE = "{{ scope }}";
const DATA_PATHS = ["/api/v1/public/code-lists", "/api/v1/public/areas"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hn-portal-") && k !== CACHE && k !== DATA).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

const networkFirst = (request, cacheName, key) =>
  fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(cacheName).then((cache) => cache.put(key, copy));
      }
      return response;
    })
    .catch(() => caches.match(key, { cacheName }).then((hit) => hit || Response.error()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(networkFirst(request, CACHE, PAGE));
    return;
  }
  if (DATA_PATHS.includes(url.pathname)) {
    event.respondWith(networkFirst(request, DATA, url.pathname + url.search));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
