/* Puente's map pin on the service form (loaded only when MAP_TILE_URL is set).
   The form works without it: dragging the pin, or clicking the map, only fills the
   place's latitude and longitude fields; typing in them moves the pin. Tiles come
   from MAP_TILE_URL; Leaflet itself is vendored (static/vendor/). */
(function () {
  "use strict";
  function round(x) { return Math.round(x * 1e6) / 1e6; }
  document.querySelectorAll("[data-map]").forEach(function (box) {
    var key = box.getAttribute("data-place");
    var lat = document.querySelector("[name='" + key + "_latitude']");
    var lon = document.querySelector("[name='" + key + "_longitude']");
    var known = lat.value !== "" && lon.value !== "";
    var start = known ? [parseFloat(lat.value), parseFloat(lon.value)] : [4.6, -74.08];
    var map = L.map(box).setView(start, known ? 15 : 4);
    L.tileLayer(box.getAttribute("data-tiles"), { maxZoom: 19 }).addTo(map);
    var pin = L.marker(start, { draggable: true, keyboard: true, title: box.getAttribute("aria-label") }).addTo(map);
    function fill(point) { lat.value = round(point.lat); lon.value = round(point.lng); }
    pin.on("dragend", function () { fill(pin.getLatLng()); });
    map.on("click", function (event) { pin.setLatLng(event.latlng); fill(event.latlng); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = [parseFloat(lat.value), parseFloat(lon.value)];
        if (!isNaN(point[0]) && !isNaN(point[1])) { pin.setLatLng(point); map.panTo(point); }
      });
    });
  });
})();
