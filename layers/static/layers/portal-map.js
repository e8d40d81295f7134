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

    /* --- Procedures: the overview map and the embeddable maps ------------------------------------ */

    function fetchJson(url, options) {
        return fetch(url, {
            headers: {"Accept": "application/geo+json, application/json", "Accept-Language": options.language || ""},
            // Embeds send no cookies: the data is public, and a framed page should not carry a visitor's session.
            credentials: options.credentials || "same-origin"
        }).then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
        });
    }

    /* Return a URL of our own site as an absolute address, or null for anything else (javascript:, other hosts). */
    function ownUrl(url) {
        if (!url) { return null; }
        var target;
        try { target = new URL(url, global.location.href); } catch (error) { return null; }
        return target.origin === global.location.origin ? target.href : null;
    }

    function openPage(url, newWindow) {
        var href = ownUrl(url);
        if (!href) { return; }
        if (newWindow) { global.open(href, "_blank", "noopener"); } else { global.location.assign(href); }
    }

    /* Keep SVG paths out of the tab order (see addRemoteGeoJson); the page's list is the keyboard path. */
    function untabbable(layer) {
        layer.eachLayer(function (featureLayer) {
            if (featureLayer.eachLayer) { untabbable(featureLayer); return; }
            var element = featureLayer.getElement && featureLayer.getElement();
            if (element && element.tagName.toLowerCase() === "path") { element.setAttribute("tabindex", "-1"); }
        });
    }

    /* Fit the map to bounds once a running zoom animation (the page's initial fitBounds) has ended:
     * Leaflet ignores a new view while it animates, then resets to the animation's target. */
    function fitWhenSettled(map, bounds, options) {
        var fit = function () { map.fitBounds(bounds, L.Util.extend({animate: false}, options)); };
        if (map._animatingZoom) { map.once("zoomend", fit); } else { fit(); }
    }

    function countText(labels, count) {
        if (count === 0) { return labels.none; }
        return (count === 1 ? labels.one : labels.other).replace("%(count)s", String(count));
    }

    function loadBoundaries(map, options) {
        if (!map.getPane("boundaries")) { map.createPane("boundaries").style.zIndex = 350; }
        return fetchJson(options.url, options).then(function (data) {
            L.geoJSON(data, {
                pane: "boundaries",
                interactive: false,
                attribution: options.attribution,
                style: function () { return options.style; }
            }).addTo(map);
        });
    }

    /* Administrative boundaries as quiet context under the procedures: in a pane below them, not clickable. */
    function addContextBoundaries(map, options) {
        loadBoundaries(map, options).catch(function () {
            announce(options.statusElement, escapeHtml(options.errorText));
        });
    }

    /* Return the size of a GeoJSON geometry's bounding box in square degrees, to compare areas. */
    function boxSize(geometry) {
        var west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
        (function walk(coordinates) {
            if (typeof coordinates[0] === "number") {
                west = Math.min(west, coordinates[0]); east = Math.max(east, coordinates[0]);
                south = Math.min(south, coordinates[1]); north = Math.max(north, coordinates[1]);
                return;
            }
            coordinates.forEach(walk);
        })(geometry.coordinates);
        return east > west ? (east - west) * (north - south) : 0;
    }

    var PROCEDURE_STYLES = {
        running: {color: "#005ca9", weight: 3, fillColor: "#4f9bd9", fillOpacity: 0.2},
        planned: {color: "#005ca9", weight: 2, dashArray: "6 5", fillColor: "#4f9bd9", fillOpacity: 0.1},
        ended: {color: "#5a5a5a", weight: 2, fillColor: "#9e9e9e", fillOpacity: 0.15}
    };

    function procedureStyle(properties) {
        var style = PROCEDURE_STYLES[properties && properties.status] || PROCEDURE_STYLES.running;
        return L.Util.extend({className: "procedure-outline"}, style);
    }

    /* Draw the procedures our API lists for the page's filters: from `outlineMinZoom` on each as its
     * outline, below it as clustered markers at its centre. A click on either opens the procedure's
     * page (in an embed, in a new tab); a click on a cluster zooms into it. */
    function procedureOverview(map, options) {
        var labels = options.labels;
        var outlines = null;
        // Clustering needs the deepest zoom; our maps have no tile layer that would set it.
        if (map.getMaxZoom() === Infinity) { map.setMaxZoom(19); }
        var clusters = L.markerClusterGroup({showCoverageOnHover: false});

        function showForZoom() {
            if (!outlines) { return; }
            if (map.getZoom() >= options.outlineMinZoom) {
                if (map.hasLayer(clusters)) { map.removeLayer(clusters); }
                if (!map.hasLayer(outlines)) { outlines.addTo(map); untabbable(outlines); }
            } else {
                if (map.hasLayer(outlines)) { map.removeLayer(outlines); }
                if (!map.hasLayer(clusters)) { map.addLayer(clusters); }
            }
        }

        function bindOpen(layer, properties) {
            layer.bindTooltip(escapeHtml(properties.title), {sticky: true});
            layer.on("click", function (event) {
                L.DomEvent.stop(event);
                openPage(properties.url, options.newWindow);
            });
        }

        fetchJson(options.url, options)
            .then(function (data) {
                var features = (data.features || []).filter(function (feature) {
                    return feature && feature.properties;
                });
                // The largest areas first, so that they lie beneath the small ones and every outline stays clickable.
                var placed = features.filter(function (feature) {
                    return feature.geometry && feature.geometry.coordinates;
                });
                placed.sort(function (a, b) { return boxSize(b.geometry) - boxSize(a.geometry); });
                outlines = L.geoJSON(
                    {type: "FeatureCollection", features: placed},
                    {
                        style: function (feature) { return procedureStyle(feature.properties); },
                        onEachFeature: function (feature, layer) { bindOpen(layer, feature.properties); }
                    }
                );
                // Each area's source note, as its licence asks, once per source.
                var notes = {};
                features.forEach(function (feature) {
                    var note = feature.properties.area_attribution;
                    if (note && !notes[note]) { notes[note] = true; map.attributionControl.addAttribution(escapeHtml(note)); }
                });
                features.forEach(function (feature) {
                    var center = feature.properties.center;
                    if (!center || center.length !== 2) { return; }
                    var marker = L.marker([center[1], center[0]], {keyboard: false, alt: feature.properties.title});
                    bindOpen(marker, feature.properties);
                    clusters.addLayer(marker);
                });
                map.on("zoomend", showForZoom);
                if (options.fit && features.length) {
                    var bounds = outlines.getBounds();
                    if (clusters.getBounds().isValid()) { bounds.extend(clusters.getBounds()); }
                    if (bounds.isValid()) { fitWhenSettled(map, bounds, {padding: [40, 40], maxZoom: 15}); }
                }
                showForZoom();
                announce(options.statusElement, escapeHtml(countText(labels, features.length)));
            })
            .catch(function () { announce(options.statusElement, escapeHtml(labels.error)); });
    }

    var CONTRIBUTION_STYLE = {
        className: "contribution", color: "#b3261e", weight: 3, fillColor: "#b3261e", fillOpacity: 0.2
    };
    var CONTRIBUTION_POINT_STYLE = {
        className: "contribution", radius: 7, color: "#ffffff", weight: 2, fillColor: "#b3261e", fillOpacity: 0.9
    };

    function shortText(text, length) {
        text = text == null ? "" : String(text);
        return text.length > length ? text.slice(0, length - 1) + "…" : text;
    }

    /* One procedure, read-only: its outline, framed by its map extent, and its public contributions
     * with a place (points, lines, areas); a tooltip and a popup give a contribution's text. */
    function procedureContributions(map, options) {
        var labels = options.labels;
        fetchJson(options.url, options)
            .then(function (data) {
                var properties = data.properties || data;
                var bounds = null;
                if (data.geometry) {
                    var outline = L.geoJSON(data.geometry, {
                        attribution: escapeHtml(properties.area_attribution || ""),
                        interactive: false,
                        style: function () { return procedureStyle(properties); }
                    });
                    outline.addTo(map);
                    bounds = outline.getBounds();
                }
                var view = properties.map || {};
                var extent = view.extent;
                if (extent && extent.length === 4) {
                    bounds = L.latLngBounds([extent[1], extent[0]], [extent[3], extent[2]]);
                }
                if (bounds && bounds.isValid()) {
                    fitWhenSettled(map, bounds, {});
                    if (view.basemap === "boundaries" && options.boundaries) {
                        var box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
                            .map(function (value) { return value.toFixed(5); }).join(",");
                        addContextBoundaries(map, L.Util.extend({}, options.boundaries, {
                            url: options.boundaries.url + "&bbox=" + box,
                            language: options.language,
                            credentials: options.credentials,
                            statusElement: options.statusElement
                        }));
                    }
                }
                // Ours asks for as many as the API gives at once; the API's own address is the fallback.
                return fetchJson(options.contributionsUrl || properties.contributions_url, options);
            })
            .then(function (collection) {
                var placed = (collection.features || []).filter(function (feature) {
                    return feature && feature.geometry;
                });
                var layer = L.geoJSON({type: "FeatureCollection", features: placed}, {
                    // GeoJSON styles every layer, the circles of points too.
                    style: function (feature) {
                        return feature.geometry.type === "Point" ? CONTRIBUTION_POINT_STYLE : CONTRIBUTION_STYLE;
                    },
                    pointToLayer: function (feature, latlng) {
                        return L.circleMarker(latlng, CONTRIBUTION_POINT_STYLE);
                    },
                    onEachFeature: function (feature, featureLayer) {
                        var text = (feature.properties && feature.properties.text) || "";
                        featureLayer.bindTooltip(escapeHtml(shortText(text, 120)), {sticky: true});
                        featureLayer.bindPopup(
                            '<p class="contribution-text">' + escapeHtml(text) + "</p>", {maxHeight: 240}
                        );
                    }
                });
                layer.addTo(map);
                untabbable(layer);
                announce(options.statusElement, escapeHtml(countText(labels, placed.length)));
            })
            .catch(function () { announce(options.statusElement, escapeHtml(labels.error)); });
    }


    /* --- Vector tiles: large point layers, drawn by protomaps-leaflet from /tiles/{layer}/… ------- */

    function clusterRadius(count) { return Math.min(22, 9 + 3 * Math.log(count) / Math.LN2); }

    function featureCount(feature) { return Number(feature.props.count) || 1; }

    /* A cluster of one carries its id as a property; a point of an unclustered tile as the MVT feature id. */
    function featureId(feature) {
        var id = feature.props.id != null ? feature.props.id : feature.id;
        return id == null ? null : String(id);
    }

    /* Draw the points of one layer of our vector tiles: clusters as circles sized and labelled by
     * their count (a click zooms in), single points coloured by a property (a click opens their page). */
    function addVectorTiles(map, options) {
        if (!global.protomapsL) { announce(options.statusElement, escapeHtml(options.labels.error)); return null; }
        var labels = options.labels;
        // Zooming into a cluster needs the deepest zoom; our maps have no tile layer that would set it.
        if (map.getMaxZoom() === Infinity) { map.setMaxZoom(19); }
        var symbolizer = {
            draw: function (ctx, geom, z, feature) {
                var count = featureCount(feature), point = geom[0][0];
                var radius = count > 1 ? clusterRadius(count) : 6;
                var colour = count > 1 ? "#005ca9"
                    : options.colours[feature.props[options.colourProperty]] || options.defaultColour;
                ctx.globalAlpha = 1;
                ctx.beginPath();
                ctx.arc(point.x, point.y, radius, 0, 2 * Math.PI);
                ctx.fillStyle = colour;
                ctx.fill();
                ctx.lineWidth = 2;
                ctx.strokeStyle = "#ffffff";
                ctx.stroke();
                if (count > 1) {
                    // A system font: nothing is fetched for the label.
                    ctx.fillStyle = "#ffffff";
                    ctx.font = "bold 11px sans-serif";
                    ctx.textAlign = "center";
                    ctx.textBaseline = "middle";
                    ctx.fillText(count > 999 ? "999+" : String(count), point.x, point.y);
                }
            }
        };
        var layer = global.protomapsL.leafletLayer({
            url: options.url,
            attribution: options.attribution,
            // Our tiles are 256 px tiles clustered per tile: fetch each display zoom's own tiles.
            levelDiff: 0,
            maxDataZoom: options.maxDataZoom,
            paintRules: [{dataLayer: options.layer, symbolizer: symbolizer}],
            labelRules: []
        });
        layer.addTo(map);

        /* Return the feature under a place, the nearest first: a small brush, then one as wide as a cluster. */
        function pick(latlng) {
            var brushes = [8, 24];
            for (var i = 0; i < brushes.length; i += 1) {
                var found = [];
                layer.queryTileFeaturesDebug(latlng.lng, latlng.lat, brushes[i]).forEach(function (picked) {
                    picked.forEach(function (item) { if (item.layerName === options.layer) { found.push(item.feature); } });
                });
                if (found.length) { return found[0]; }
            }
            return null;
        }

        function describe(feature) {
            var count = featureCount(feature);
            return count > 1 ? labels.cluster.replace("%(count)s", String(count)) : labels.single;
        }

        var tooltip = L.tooltip({direction: "top", offset: [0, -8]});
        map.on("mousemove", function (event) {
            var feature = pick(event.latlng);
            map.getContainer().style.cursor = feature ? "pointer" : "";
            if (!feature) { map.closeTooltip(tooltip); return; }
            tooltip.setLatLng(event.latlng).setContent(escapeHtml(describe(feature)));
            if (!map.hasLayer(tooltip)) { map.openTooltip(tooltip); }
        });
        map.on("click", function (event) {
            if (map.beteiligungskarteUsesClicks) { return; }
            var feature = pick(event.latlng);
            if (!feature) { return; }
            var id = featureId(feature);
            if (featureCount(feature) > 1 || id == null) {
                map.setView(event.latlng, Math.min(map.getZoom() + 2, map.getMaxZoom()));
            } else {
                openPage(options.detailUrl.replace("{id}", encodeURIComponent(id)), false);
            }
        });
        map.beteiligungskarteVectorTiles = layer;
        return layer;
    }

    /* Name every map for assistive technology, in the page's language (PortalMap passes the words): the
     * container Leaflet makes a tab stop is a widget that takes the arrow keys, so it says what it shows
     * and how keys move it; the zoom buttons and markers get our names instead of Leaflet's English ones. */
    if (global.L && global.L.Map) {
        global.L.Map.addInitHook(function () {
            var labels = this.options.accessibility;
            if (!labels) { return; }
            var container = this.getContainer();
            var frame = container.parentElement && container.parentElement.closest("[aria-label]");
            container.setAttribute("role", "application");
            container.setAttribute("aria-label", (frame ? frame.getAttribute("aria-label") : labels.map) + ". " + labels.keys);
            if (this.zoomControl) {
                [[this.zoomControl._zoomInButton, labels.zoomIn], [this.zoomControl._zoomOutButton, labels.zoomOut]]
                    .forEach(function (pair) {
                        if (pair[0]) { pair[0].title = pair[1]; pair[0].setAttribute("aria-label", pair[1]); }
                    });
            }
            // Markers are made after their map; a page has one language, so the default may change for all.
            global.L.Marker.prototype.options.alt = labels.marker;
        });
    }

    global.Beteiligungskarte = {
        // Shared with the other scripts of the portal (procedures/static/procedures/procedure-map.js).
        escapeHtml: escapeHtml,
        addRemoteGeoJson: addRemoteGeoJson,
        locateOnClick: locateOnClick,
        placePin: placePin,
        addContextBoundaries: addContextBoundaries,
        procedureOverview: procedureOverview,
        procedureContributions: procedureContributions,
        addVectorTiles: addVectorTiles
    };
})(window);
