// Offline incident map: country outlines from the vendored world-atlas TopoJSON, one circle per
// incident. Popups are built from text nodes, never from HTML strings.
(function () {
  "use strict";
  var points = JSON.parse(document.getElementById("map-data").textContent);
  var map = L.map("map", { worldCopyJump: true, minZoom: 1, maxZoom: 12 }).setView([30, 20], 2);
  map.attributionControl.addAttribution("Natural Earth via world-atlas");

  fetch("/static/vendor/countries-50m.json")
    .then(function (r) { return r.json(); })
    .then(function (world) {
      L.geoJSON(unwrapAntimeridian(topojson.feature(world, world.objects.countries)), {
        style: { color: "#777", weight: 0.6, fillColor: "#eef0e6", fillOpacity: 1 }, interactive: false
      }).addTo(map).bringToBack();
      document.getElementById("map").dataset.outlines = "loaded";
    });

  // Rings that cross the 180th meridian (Russia, Fiji) would be drawn across the whole map:
  // move their western-hemisphere points one turn east.
  function unwrapAntimeridian(fc) {
    fc.features.forEach(function (f) {
      var g = f.geometry;
      if (!g) return;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      polys.forEach(function (poly) {
        poly.forEach(function (ring) {
          var crosses = ring.some(function (c, i) { return i && Math.abs(c[0] - ring[i - 1][0]) > 180; });
          if (crosses) ring.forEach(function (c) { if (c[0] < 0) c[0] += 360; });
        });
      });
    });
    return fc;
  }

  var markers = points.map(function (p) {
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(p.id);
    link.textContent = p.id;
    popup.appendChild(link);
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(
      (p.date || "undated") + ", " + p.place + ": " + (p.killed === null ? "?" : p.killed) + " killed"));
    var radius = 5 + Math.min(20, Math.sqrt(p.killed || 0) * 2);
    return L.circleMarker([p.lat, p.lon], { radius: radius, color: "#a11", fillOpacity: 0.6 })
      .bindPopup(popup).addTo(map);
  });
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds().pad(0.5), { maxZoom: 6 });
  }
})();
