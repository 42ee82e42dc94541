// The oversight map: Leaflet (served from the xstatic-leaflet package), no tile server.
// Communes: a point (mean GPS of their households) and a rectangle (their extent), coloured by the
// poor rate. Households: clusters computed on the server for the current zoom and view.
const el = document.getElementById("map");
const L = window.L;
const CLASS_COLOURS = { poor: "#b3261e", near_poor: "#e8a33d" };
const OTHER = "#6b8e6b";
// words in the page's language, from the template (data-t-*); Vietnamese when absent
const T = {
  poorList: el.dataset.tPoorList || "Danh sách hộ nghèo",
  list: el.dataset.tList || "danh sách hộ",
  none: el.dataset.tNone || "Chưa có hộ nào có toạ độ GPS.",
  view: el.dataset.tView || "Xem hộ",
  poor: el.dataset.tPoor || "hộ nghèo",
  households: el.dataset.tHouseholds || "hộ",
  located: el.dataset.tLocated || "hộ có GPS",
};

function rateColour(rate) {
  if (rate === null || rate === undefined) return "#999";
  if (rate >= 10) return "#7f0000";
  if (rate >= 5) return "#d7301f";
  if (rate >= 2) return "#fc8d59";
  return "#fdd49e";
}

function fmt(rate) {
  return rate === null || rate === undefined ? "—" : rate.toFixed(2).replace(".", ",") + " %";
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

async function getJSON(params) {
  const url = new URL(el.dataset.url, window.location.href);
  url.searchParams.set("dia_ban", el.dataset.area);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

if (el && L) {
  const map = L.map(el, { zoomControl: true, attributionControl: false, preferCanvas: true });
  map.setView([16.0, 107.5], 6);
  const communes = L.layerGroup().addTo(map);
  const households = L.layerGroup().addTo(map);
  const list = document.getElementById("commune-list");

  getJSON({ lop: "xa" }).then((data) => {
    const bounds = [];
    for (const c of data.communes) {
      const [s, w, n, e] = c.bbox;
      bounds.push([s, w], [n, e]);
      const colour = rateColour(c.rate);
      L.rectangle([[s, w], [n, e]], { color: colour, weight: 1, fillOpacity: 0.15 }).addTo(communes);
      const popup = document.createElement("div");
      popup.append(`${c.name}: ${fmt(c.rate)} ${T.poor} (${c.households} ${T.households}; ${c.located} ${T.located}) `);
      popup.append(link(c.list, T.poorList));
      L.circleMarker([c.lat, c.lon], { radius: 9, color: "#333", weight: 1, fillColor: colour, fillOpacity: 0.9 })
        .bindPopup(popup)
        .addTo(communes);
      const li = document.createElement("li");
      li.append(`${c.name}: ${fmt(c.rate)} · `);
      const a = link(c.all, T.list);
      a.dataset.testid = `commune-list-${c.code}`;
      li.append(a);
      list.append(li);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 });
    else list.append(T.none);
  });

  let pending = 0;
  async function loadHouseholds() {
    const ticket = ++pending;
    const b = map.getBounds();
    const bbox = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map((x) => x.toFixed(5)).join(",");
    const data = await getJSON({ lop: "ho", z: map.getZoom(), bbox });
    if (ticket !== pending) return;
    households.clearLayers();
    for (const p of data.points || []) {
      const m = L.circleMarker([p.lat, p.lon], { radius: 5, weight: 1, color: "#222", fillColor: CLASS_COLOURS[p.cls] || OTHER, fillOpacity: 0.9 });
      m.bindPopup(link(p.href, T.view)).addTo(households);
    }
    for (const c of data.clusters || []) {
      const radius = Math.min(28, 6 + Math.sqrt(c.n) * 2);
      const parts = Object.entries(c.by).map(([k, v]) => `${k === "poor" ? "nghèo" : k === "near_poor" ? "cận nghèo" : "khác"}: ${v}`);
      L.circleMarker([c.lat, c.lon], { radius, weight: 1, color: "#222", fillColor: CLASS_COLOURS[c.cls] || OTHER, fillOpacity: 0.6 })
        .bindTooltip(`${c.n} hộ (${parts.join(", ")})`)
        .addTo(households);
    }
  }
  map.on("moveend", () => loadHouseholds().catch(() => {}));
}
