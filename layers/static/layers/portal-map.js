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

    /* Load a GeoJSON layer from our API and draw it, with the source's attribution and a tooltip. */
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
                        featureLayer.bindTooltip(escapeHtml(feature.properties[options.labelProperty]), {sticky: true});
                    }
                });
                layer.addTo(map);
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

    global.Beteiligungskarte = {addRemoteGeoJson: addRemoteGeoJson, locateOnClick: locateOnClick};
})(window);
