// Service worker of the field app (scope {{ scope }}), version {{ version }}.
// The app shell is cached at install; a new version is installed beside the old one and takes
// over only when the surveyor accepts the update (never in the middle of a form). Old caches are
// purged on activation. POSTs and API calls are never proxied: the app's own outbox handles them.
const CACHE = "hn-field-{{ version }}";
const SHELL = {{ shell_json|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hn-field-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skipWaiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname.startsWith("{{ scope }}")) {
    // network first (fresh shell when online), the cached shell when offline
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && url.pathname === "{{ scope }}") {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put("{{ scope }}", copy));
          }
          return response;
        })
        .catch(() => caches.match("{{ scope }}", { cacheName: CACHE })),
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
