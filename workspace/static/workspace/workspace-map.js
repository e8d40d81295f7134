/* Beteiligungskarte: the map of the planner workspace. It draws what the page lists – the same
 * selection, handed over as JSON in a <script type="application/json"> – as points, DBSCAN cluster
 * hulls (a click opens the cluster's page), grid or hexagon cells coloured by their count, hotspot
 * cells, or a heatmap. Everything it shows is also in the page's tables and lists.
 *
 * On the workspace's main page, choosing another "Darstellung" redraws the map at once from the
 * workspace API with the page's filter; without JavaScript the form's button does the same. */
(function (global) {
    "use strict";

    var BLUE = "#005ca9";
    // Light to dark blue: the more feedback in a cell, the darker (readable in greyscale too).
    var SCALE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
    var KIND_COLOURS = {report: "#b3261e", contribution: "#6a3d9a"};

    function escapeHtml(text) {
        var div = document.createElement("div");
        div.textContent = text == null ? "" : String(text);
        return div.innerHTML;
    }

    function format(template, values) {
        return String(template).replace(/%\((\w+)\)s/g, function (match, name) {
            return values[name] == null ? match : String(values[name]);
        });
    }

    function announce(text) {
        var element = document.getElementById("map-status");
        if (element) { element.textContent = text || ""; }
    }

    /* Chromium makes every SVG path with tooltip listeners a tab stop; the lists below the map are the
     * keyboard's way to the same things, so the shapes stay out of the tab order. */
    function untabbable(layer) {
        layer.eachLayer(function (item) {
            var element = item.getElement && item.getElement();
            if (element) { element.setAttribute("tabindex", "-1"); }
        });
    }

    function countsHtml(rows) {
        return (rows || []).map(function (row) {
            return escapeHtml(row[0]) + ": " + escapeHtml(row[1]);
        }).join("<br>");
    }

    function addPoints(group, collection, quiet) {
        var layer = L.geoJSON(collection, {
            pointToLayer: function (feature, latlng) {
                var kind = (feature.properties && feature.properties.kind) || "report";
                return L.circleMarker(latlng, {
                    className: "workspace-point", radius: quiet ? 4 : 6, weight: 1, color: "#ffffff",
                    fillColor: KIND_COLOURS[kind] || KIND_COLOURS.report, fillOpacity: quiet ? 0.7 : 0.9
                });
            },
            onEachFeature: function (feature, item) {
                var properties = feature.properties || {};
                var text = properties.title || properties.category_name || "";
                if (text) { item.bindTooltip(escapeHtml(text)); }
                if (properties.url) {
                    item.on("click", function () { global.location.href = properties.url; });
                }
            }
        }).addTo(group);
        untabbable(layer);
        return layer;
    }

    function addClusters(group, collection, labels) {
        var layer = L.geoJSON(collection, {
            style: function () {
                return {className: "workspace-cluster", color: BLUE, weight: 2, fillColor: BLUE, fillOpacity: 0.25};
            },
            onEachFeature: function (feature, item) {
                var properties = feature.properties;
                var title = format(labels.cluster, {count: properties.size});
                item.bindTooltip(
                    "<strong>" + escapeHtml(title) + "</strong><br>" + countsHtml(properties.categories) +
                    "<br>" + countsHtml(properties.statuses),
                    {sticky: true}
                );
                item.on("click", function (event) {
                    L.DomEvent.stop(event);
                    global.location.href = properties.url;
                });
            }
        }).addTo(group);
        untabbable(layer);
        // The size at each hull's centre, as a label that does not take clicks away from the hull.
        collection.features.forEach(function (feature) {
            var center = feature.properties.center;
            if (!center) { return; }
            L.marker([center[1], center[0]], {
                interactive: false, keyboard: false,
                icon: L.divIcon({className: "workspace-cluster-size", html: escapeHtml(feature.properties.size), iconSize: null})
            }).addTo(group);
        });
        return layer;
    }

    /* Class i holds the counts from floor(i·max/n)+1 to floor((i+1)·max/n): the legend lists the same. */
    function colourFor(count, max) {
        if (!max || count <= 0) { return SCALE[0]; }
        var index = Math.ceil((count * SCALE.length) / max) - 1;
        return SCALE[Math.max(0, Math.min(SCALE.length - 1, index))];
    }

    function legendControl(max, title) {
        var legend = L.control({position: "bottomright"});
        legend.onAdd = function () {
            var div = L.DomUtil.create("div", "workspace-legend");
            L.DomUtil.create("strong", "", div).textContent = title;
            SCALE.forEach(function (colour, index) {
                var low = Math.floor((index * max) / SCALE.length) + 1;
                var high = Math.floor(((index + 1) * max) / SCALE.length);
                if (high < low) { return; }
                var row = L.DomUtil.create("div", "", div);
                // Through the CSSOM, not a style="" attribute: the page's policy refuses inline styles.
                L.DomUtil.create("span", "swatch", row).style.background = colour;
                row.appendChild(document.createTextNode(low === high ? String(low) : low + "–" + high));
            });
            return div;
        };
        return legend;
    }

    /* Name the colours of the points: reports and contributions. */
    function kindLegend(labels) {
        var legend = L.control({position: "bottomright"});
        legend.onAdd = function () {
            var div = L.DomUtil.create("div", "workspace-legend");
            [["report", labels.reportKind], ["contribution", labels.contributionKind]].forEach(function (entry) {
                var row = L.DomUtil.create("div", "", div);
                var swatch = L.DomUtil.create("span", "swatch round", row);
                swatch.style.background = KIND_COLOURS[entry[0]];
                row.appendChild(document.createTextNode(entry[1]));
            });
            return div;
        };
        return legend;
    }

    function addCells(state, collection, labels, key, hotspots) {
        var max = 0;
        collection.features.forEach(function (feature) { max = Math.max(max, feature.properties[key] || 0); });
        var layer = L.geoJSON(collection, {
            style: function (feature) {
                return {
                    className: hotspots ? "workspace-hotspot" : "workspace-cell",
                    color: hotspots ? "#b3261e" : "#08306b", weight: hotspots ? 2 : 0.5,
                    fillColor: colourFor(feature.properties[key] || 0, max), fillOpacity: 0.75
                };
            },
            onEachFeature: function (feature, item) {
                var properties = feature.properties;
                var text = hotspots ? format(labels.hotspot, properties) : format(labels.cell, {count: properties.count});
                item.bindTooltip(escapeHtml(text), {sticky: true});
            }
        }).addTo(state.group);
        untabbable(layer);
        if (max) {
            state.legend = legendControl(max, hotspots ? labels.hotspotLegend : labels.cellLegend).addTo(state.map);
        }
        return layer;
    }

    function fit(map, layer, bounds) {
        var target = layer instanceof L.LatLngBounds ? layer : layer && layer.getBounds && layer.getBounds();
        if (target && target.isValid()) {
            map.fitBounds(target, {padding: [30, 30], maxZoom: 18, animate: false});
        } else if (bounds) {
            map.fitBounds(bounds, {animate: false});
        } else {
            map.setView([51.45, 7.6], 8);
        }
    }

    function clear(state) {
        state.group.clearLayers();
        if (state.heat) { state.map.removeLayer(state.heat); state.heat = null; }
        if (state.legend) { state.legend.remove(); state.legend = null; }
    }

    /* Draw one layer's data (in the shape the page hands over); return the layer or bounds to frame. */
    function drawLayer(state, data) {
        var labels = state.labels, main = null, count = 0;
        clear(state);
        if (data.points && data.points.truncated) { announce(labels.tooMany); }
        if (data.layer === "clusters" || data.layer === "cluster") {
            if (data.points) { addPoints(state.group, data.points, data.layer === "clusters"); }
            main = addClusters(state.group, data.clusters, labels);
            count = data.clusters.features.length;
            announce(count ? format(labels.clusters, {count: count}) : labels.none);
        } else if (data.layer === "grid" || data.layer === "hexagon") {
            main = addCells(state, data.cells, labels, "count", false);
            count = data.cells.features.length;
            announce(count ? format(labels.cells, {count: count}) : labels.none);
        } else if (data.layer === "hotspots") {
            main = addCells(state, data.cells, labels, "growth", true);
        } else if (data.layer === "heatmap") {
            var heat = data.heat || [];
            if (global.L.heatLayer && heat.length) {
                state.heat = L.heatLayer(heat, {radius: 25, blur: 18, maxZoom: 17}).addTo(state.map);
            }
            var total = heat.reduce(function (sum, point) { return sum + point[2]; }, 0);
            if (heat.length) { main = L.latLngBounds(heat.map(function (point) { return [point[0], point[1]]; })); }
            announce(heat.length ? format(labels.heat, {count: total}) : labels.none);
        } else if (data.points) {
            main = addPoints(state.group, data.points, false);
            count = data.points.features.length;
            if (!data.points.truncated) { announce(count ? format(labels.points, {count: count}) : labels.none); }
        }
        if (data.points && data.points.features.length && labels.reportKind) {
            state.legend = kindLegend(labels).addTo(state.map);
        }
        return main;
    }

    /* --- Switching layers without reloading, from the workspace API --------------------------- */

    function numberField(form, name) {
        var field = form.elements[name];
        return field && field.value !== "" && field.checkValidity() ? field.value : null;
    }

    function largestFirst(counts, names, fallback) {
        return Object.keys(counts || {}).map(function (code) {
            return [names[code] || (code ? code : fallback), counts[code]];
        }).sort(function (a, b) { return b[1] - a[1] || String(a[0]).localeCompare(String(b[0])); });
    }

    /* Turn the API's clusters into the features this script draws: names instead of codes, a page per cluster. */
    function clusterFeatures(clusters, live, mapQuery) {
        return {
            type: "FeatureCollection",
            features: clusters.map(function (cluster) {
                return {
                    type: "Feature",
                    geometry: cluster.hull,
                    properties: {
                        key: cluster.key,
                        size: cluster.size,
                        center: cluster.center,
                        categories: largestFirst(cluster.by_category, live.categoryNames, ""),
                        statuses: largestFirst(cluster.by_status, live.statusNames, live.noStatus),
                        url: live.clusterUrl.replace(live.placeholder, encodeURIComponent(cluster.key)) + "?" + mapQuery
                    }
                };
            })
        };
    }

    function getJson(url) {
        return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                return response.json();
            });
    }

    function liveSwitch(state, live) {
        var form = document.getElementById("workspace-filters");
        var select = form && form.elements.layer;
        if (!select || !global.fetch || !global.URLSearchParams) { return; }
        select.addEventListener("change", function () {
            var layer = select.value;
            var eps = numberField(form, "eps"), minPoints = numberField(form, "min_points"), cell = numberField(form, "cell");
            if (eps === null || minPoints === null || cell === null) { return; }  // the form's button explains
            var settings = new URLSearchParams({layer: layer, eps: eps, min_points: minPoints, cell: cell}).toString();
            var mapQuery = live.query + (live.query ? "&" : "") + settings;
            var request;
            if (layer === "clusters") {
                request = Promise.all([
                    getJson(live.api.clusters + "?" + live.query + "&eps=" + eps + "&min_points=" + minPoints),
                    getJson(live.api.features + "?" + live.query)
                ]).then(function (answers) {
                    var points = answers[1];
                    if ((points.features || []).length > live.maxPoints) { points = {type: "FeatureCollection", features: []}; }
                    return {layer: layer, clusters: clusterFeatures(answers[0].clusters || [], live, mapQuery), points: points};
                });
            } else if (layer === "grid" || layer === "hexagon") {
                var shape = layer === "grid" ? "square" : "hexagon";
                request = getJson(live.api.grid + "?" + live.query + "&cell=" + cell + "&shape=" + shape)
                    .then(function (cells) { return {layer: layer, cells: cells}; });
            } else if (layer === "heatmap") {
                request = getJson(live.api.heatmap + "?" + live.query)
                    .then(function (answer) { return {layer: layer, heat: answer.points || []}; });
            } else {
                request = getJson(live.api.features + "?" + live.query).then(function (points) {
                    if ((points.features || []).length > live.maxPoints) {
                        return {layer: layer, points: {type: "FeatureCollection", features: [], truncated: points.features.length}};
                    }
                    return {layer: layer, points: points};
                });
            }
            state.map.getContainer().setAttribute("aria-busy", "true");
            request
                .then(function (data) {
                    drawLayer(state, data);
                    // The address names what is shown: reloading or sharing it shows the same.
                    if (global.history && global.history.replaceState) {
                        global.history.replaceState(null, "", "?" + mapQuery);
                    }
                })
                .catch(function () { announce(state.labels.error); })
                .then(function () { state.map.getContainer().removeAttribute("aria-busy"); });
        });
    }

    /* Gemeinde boundaries as quiet context beneath the data: in their own pane, taking no clicks. */
    function addContext(map, context) {
        if (!context || !global.fetch) { return; }
        if (!map.getPane("context")) { map.createPane("context").style.zIndex = 350; }
        getJson(context.url)
            .then(function (data) {
                L.geoJSON(data, {
                    pane: "context",
                    interactive: false,
                    attribution: context.attribution,
                    style: function () { return {color: "#555", weight: 1.5, fill: false, dashArray: "4 4"}; }
                }).addTo(map);
            })
            .catch(function () { /* context only: the data above is complete without it */ });
    }

    function start() {
        var element = document.getElementById("workspace-map");
        if (!element || !global.L) { return; }
        var source = document.getElementById(element.getAttribute("data-config"));
        if (!source) { return; }
        var data = JSON.parse(source.textContent);
        var map = L.map(element, {maxZoom: 19, zoomSnap: 0.25});
        L.control.scale({imperial: false}).addTo(map);
        map.attributionControl.setPrefix(false);
        var state = {map: map, group: L.featureGroup().addTo(map), heat: null, legend: null, labels: data.labels || {}};
        element.workspaceMap = map;
        addContext(map, data.context);
        try {
            fit(map, drawLayer(state, data), data.bounds);
        } catch (error) {
            announce(state.labels.error);
            if (!map._loaded) { map.setView([51.45, 7.6], 8); }
            throw error;
        }
        if (data.live) { liveSwitch(state, data.live); }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})(window);
