/* Beteiligungskarte: map behaviour shared by every folium map of the portal.
 * Data always comes from our own API, so maps show the current state; nothing third-party loads. */
(function (global) {
    "use strict";

    function escapeHtml(text) {
        var div = document.createElement("div");
        div.textContent = text == null ? "" : String(text);
        return div.innerHTML;
    }

    function announce(elementId, html) {
        var element = elementId && document.getElementById(elementId);
        if (element) { element.innerHTML = html; }
    }

    /* Read a property, following dots: "category.name". */
    function property(properties, path) {
        return path.split(".").reduce(function (value, key) { return value == null ? value : value[key]; }, properties);
    }

    /* Load a GeoJSON layer from our API and draw it, with the source's attribution and a tooltip;
     * features with a `url` property link to their page. */
    function addRemoteGeoJson(map, options) {
        fetch(options.url, {headers: {"Accept": "application/geo+json"}, credentials: "same-origin"})
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                return response.json();
            })
            .then(function (data) {
                var layer = L.geoJSON(data, {
                    attribution: options.attribution,
                    style: function () { return options.style; },
                    onEachFeature: function (feature, featureLayer) {
                        var label = escapeHtml(property(feature.properties, options.labelProperty));
                        featureLayer.bindTooltip(label, {sticky: true});
                        if (feature.properties.url) {
                            // Not bindPopup: Leaflet's popup stops the click, and on a map that places a pin
                            // or names who is responsible the click belongs to the map.
                            featureLayer.on("click", function (event) {
                                if (map.beteiligungskarteUsesClicks) { return; }
                                L.DomEvent.stop(event);
                                L.popup().setLatLng(event.latlng)
                                    .setContent('<a href="' + escapeHtml(feature.properties.url) + '">' + label + "</a>")
                                    .openOn(map);
                            });
                        }
                    }
                });
                layer.addTo(map);
                // Chromium makes every SVG path with focus listeners (Leaflet's tooltips) a tab stop: dozens of
                // unnamed stops before the form below the map. The areas are context; hover still names them.
                layer.eachLayer(function (featureLayer) {
                    var element = featureLayer.getElement && featureLayer.getElement();
                    if (element && element.tagName.toLowerCase() === "path") { element.setAttribute("tabindex", "-1"); }
                });
                if (options.fit) { map.fitBounds(layer.getBounds()); }
            })
            .catch(function () { announce(options.statusElement, escapeHtml(options.errorText)); });
    }

    function describeLocation(data, labels) {
        var gemeinde = data.gemeinde;
        var html = "<strong>" + escapeHtml(gemeinde.name) + "</strong> (" +
            escapeHtml(gemeinde.designation || gemeinde.kind_label) + ")<br>" +
            escapeHtml(labels.key) + ": " + escapeHtml(gemeinde.key);
        // Each level names its own kind: a kreisfreie Stadt is no Kreis.
        [data.kreis, data.regierungsbezirk].forEach(function (authority) {
            if (authority) { html += "<br>" + escapeHtml(authority.kind_label) + ": " + escapeHtml(authority.name); }
        });
        return html;
    }

    /* On a click, ask the locate API who is responsible there; show it in a popup and a live region. */
    function locateOnClick(map, options) {
        map.beteiligungskarteUsesClicks = true;
        map.on("click", function (event) {
            var url = options.url + "?lon=" + event.latlng.lng.toFixed(6) + "&lat=" + event.latlng.lat.toFixed(6);
            fetch(url, {headers: {"Accept": "application/json", "Accept-Language": options.language}})
                .then(function (response) { return response.json(); })
                .then(function (data) {
                    return data.gemeinde ? describeLocation(data, options.labels) : escapeHtml(data.message || options.labels.error);
                })
                .catch(function () { return escapeHtml(options.labels.error); })
                .then(function (html) {
                    L.popup().setLatLng(event.latlng).setContent(html).openOn(map);
                    announce(options.statusElement, html);
                });
        });
    }

    /* Let a click (or the device's position) set the pin, and write it into the form's lon/lat fields. */
    function placePin(map, options) {
        var marker = null;
        var lon = document.getElementById(options.lonField), lat = document.getElementById(options.latField);
        function set(latlng, zoom, quiet) {
            if (marker) { marker.setLatLng(latlng); } else {
                marker = L.marker(latlng, {draggable: true, keyboard: true, title: options.labels.pin}).addTo(map);
                marker.on("dragend", function () { set(marker.getLatLng()); });
            }
            lon.value = latlng.lng.toFixed(6);
            lat.value = latlng.lat.toFixed(6);
            if (zoom) { map.setView(latlng, zoom); }
            if (!quiet) { announce(options.statusElement, escapeHtml(options.labels.placed)); }
        }
        // A place the page came back with (perhaps with an error beside it) is shown, not announced as set.
        var lonValue = parseFloat(lon.value), latValue = parseFloat(lat.value);
        if (isFinite(lonValue) && isFinite(latValue)) { set(L.latLng(latValue, lonValue), null, true); }
        map.beteiligungskarteUsesClicks = true;
        map.on("click", function (event) { set(event.latlng); });
        var button = document.getElementById(options.locateButton);
        if (button && navigator.geolocation) {
            // Shown only where the browser can locate; the template may hide the button's container instead.
            button.hidden = false;
            if (button.parentElement.hidden) { button.parentElement.hidden = false; }
            button.addEventListener("click", function () {
                announce(options.statusElement, escapeHtml(options.labels.locating));
                navigator.geolocation.getCurrentPosition(
                    function (position) { set(L.latLng(position.coords.latitude, position.coords.longitude), 17); },
                    function () { announce(options.statusElement, escapeHtml(options.labels.noPosition)); },
                    {enableHighAccuracy: true, timeout: 15000}
                );
            });
        }
    }

    global.Beteiligungskarte = {addRemoteGeoJson: addRemoteGeoJson, locateOnClick: locateOnClick, placePin: placePin};
})(window);
