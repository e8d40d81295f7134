/* Beteiligungskarte: the map of a procedure's page – its area, its contributions, and drawing a
 * contribution's place with Leaflet-Geoman behind our own buttons. Extends window.Beteiligungskarte
 * of layers/portal-map.js. Everything here only fills the ordinary form, which works without it. */
(function (global) {
    "use strict";

    var SHAPES = {point: "Marker", line: "Line", polygon: "Polygon"};
    var KINDS = {Point: "point", LineString: "line", Polygon: "polygon"};
    var MIN_POSITIONS = {point: 1, line: 2, polygon: 3};

    // layers/portal-map.js loads first (see _map_assets.html) and shares its helpers.
    var escapeHtml = global.Beteiligungskarte.escapeHtml;

    function announce(elementId, text) {
        var element = elementId && document.getElementById(elementId);
        if (element) { element.textContent = text; }
    }

    function withCount(template, count) { return template.replace("%(n)s", String(count)); }

    function extend(target) {
        for (var i = 1; i < arguments.length; i++) {
            for (var key in arguments[i]) {
                if (Object.prototype.hasOwnProperty.call(arguments[i], key)) { target[key] = arguments[i][key]; }
            }
        }
        return target;
    }

    function shorten(text, length) {
        text = String(text || "").replace(/\s+/g, " ").trim();
        return text.length > length ? text.slice(0, length - 1) + "…" : text;
    }

    /* Draw the procedure's area as an outline that takes no clicks: on this map clicks are for drawing. */
    function showProcedureArea(map, options) {
        L.geoJSON(options.geojson, {
            // Plain text from the procedure; Leaflet writes attributions as HTML.
            attribution: escapeHtml(options.attribution),
            interactive: false,
            pmIgnore: true,
            style: function () { return options.style; }
        }).addTo(map);
    }

    /* Other running procedures around this one (not this one itself), each linking to its page. */
    function addOtherProcedures(map, options) {
        fetch(options.url, {headers: {"Accept": "application/geo+json"}, credentials: "same-origin"})
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                return response.json();
            })
            .then(function (data) {
                var layer = L.geoJSON(data, {
                    pmIgnore: true,
                    filter: function (feature) { return feature.id !== options.exclude && feature.geometry != null; },
                    style: function () { return options.style; },
                    onEachFeature: function (feature, featureLayer) {
                        var title = escapeHtml(feature.properties.title);
                        featureLayer.bindTooltip(title, {sticky: true});
                        featureLayer.on("click", function (event) {
                            if (map.beteiligungskarteUsesClicks) { return; }
                            L.DomEvent.stop(event);
                            L.popup().setLatLng(event.latlng)
                                .setContent('<a href="' + escapeHtml(feature.properties.url) + '">' + title + "</a>")
                                .openOn(map);
                        });
                    }
                });
                layer.addTo(map);
                layer.bringToBack();
                layer.eachLayer(function (featureLayer) {
                    var element = featureLayer.getElement && featureLayer.getElement();
                    if (element) { element.setAttribute("tabindex", "-1"); }
                });
            })
            .catch(function () { announce(options.statusElement, options.errorText); });
    }

    /* Contributions from our API, and the visitor's own unconfirmed ones (given inline, dashed).
     * Each shape carries the classes "contribution contribution-<id>"; a click links to the list. */
    function addContributions(map, options) {
        function draw(data, pending) {
            var style = pending ? options.pendingStyle : options.style;
            var layer = L.geoJSON(data, {
                pmIgnore: true,
                filter: function (feature) { return feature.geometry != null; },
                style: function () { return style; },
                pointToLayer: function (feature, latlng) {
                    return L.circleMarker(latlng, extend({radius: 8, pmIgnore: true}, style));
                },
                onEachFeature: function (feature, featureLayer) {
                    var id = feature.properties.id != null ? feature.properties.id : feature.id;
                    var text = shorten(feature.properties.text, 120);
                    var label = pending ? options.labels.pending + ": " + text : text;
                    featureLayer.beteiligungskarteId = id;
                    featureLayer.bindTooltip(escapeHtml(label), {sticky: true});
                    featureLayer.on("click", function (event) {
                        // While a place is drawn, the click belongs to the drawing.
                        if (map.beteiligungskarteUsesClicks) { return; }
                        L.DomEvent.stop(event);
                        L.popup().setLatLng(event.latlng).setContent(
                            "<p>" + escapeHtml(label) + '</p><a href="#beitrag-' + escapeHtml(id) + '">' +
                            escapeHtml(options.labels.show) + "</a>"
                        ).openOn(map);
                    });
                }
            });
            layer.addTo(map);
            layer.eachLayer(function (featureLayer) {
                var element = featureLayer.getElement && featureLayer.getElement();
                if (!element) { return; }
                L.DomUtil.addClass(element, "contribution");
                L.DomUtil.addClass(element, "contribution-" + featureLayer.beteiligungskarteId);
                if (pending) { L.DomUtil.addClass(element, "contribution-pending"); }
                // The list below the map is the way to the contributions by keyboard; no unnamed tab stops here.
                element.setAttribute("tabindex", "-1");
            });
        }
        /* The API answers in pages, newest first; follow its "next" links up to a sane number of pages. */
        function load(url, pagesLeft) {
            fetch(url, {headers: {"Accept": "application/geo+json"}, credentials: "same-origin"})
                .then(function (response) {
                    if (!response.ok) { throw new Error(String(response.status)); }
                    return response.json();
                })
                .then(function (data) {
                    draw(data, false);
                    var next = (data.links || []).filter(function (link) { return link.rel === "next"; })[0];
                    if (next && pagesLeft > 1) { load(next.href, pagesLeft - 1); }
                })
                .catch(function () { announce(options.statusElement, options.errorText); });
        }
        if (options.own && options.own.features.length) { draw(options.own, true); }
        load(options.url, options.maxPages || 10);
    }

    /* Read typed coordinates ("lon lat" per line) the way the server does; null if a line is unreadable. */
    function parsePositions(text) {
        var positions = [];
        var lines = text.split(/\r?\n/);
        for (var i = 0; i < lines.length; i++) {
            var line = lines[i].replace(/°/g, "").trim().replace(/,\s+/g, " ").replace(/^[\s,;]+|[\s,;]+$/g, "");
            if (!line) { continue; }
            var parts = line.split(/[\s;]+/);
            if (parts.length === 1 && parts[0].split(",").length === 2) { parts = parts[0].split(","); }
            if (parts.length !== 2 || !parts.every(function (part) { return /^[-+]?\d+(?:[.,]\d+)?$/.test(part); })) {
                return null;
            }
            positions.push([parseFloat(parts[0].replace(",", ".")), parseFloat(parts[1].replace(",", "."))]);
        }
        return positions;
    }

    function typedGeometry(kind, text) {
        var positions = parsePositions(text);
        if (!positions || !kind || positions.length < MIN_POSITIONS[kind]) { return null; }
        if (kind === "point") { return positions.length === 1 ? {type: "Point", coordinates: positions[0]} : null; }
        if (kind === "line") { return {type: "LineString", coordinates: positions}; }
        var first = positions[0], last = positions[positions.length - 1];
        if (first[0] !== last[0] || first[1] !== last[1]) { positions.push(first); }
        return {type: "Polygon", coordinates: [positions]};
    }

    /* The positions of a geometry as typed in the form: a polygon's ring without its closing point. */
    function positionsOf(geometry) {
        if (geometry.type === "Point") { return [geometry.coordinates]; }
        if (geometry.type === "LineString") { return geometry.coordinates; }
        var ring = geometry.coordinates[0].slice();
        var first = ring[0], last = ring[ring.length - 1];
        if (ring.length > 1 && first[0] === last[0] && first[1] === last[1]) { ring.pop(); }
        return ring;
    }

    /* Draw one point, line or area with our own buttons; write it into the form as GeoJSON (hidden field)
     * and as typed coordinates with the matching shape, so the citizen sees and may correct what is sent. */
    function drawContribution(map, options) {
        var tools = document.getElementById(options.tools);
        var field = document.getElementById(options.geometryField);
        var coordinates = document.getElementById(options.coordinatesField);
        var shapeInputs = document.querySelectorAll('input[name="' + options.shapeField + '"]');
        if (!tools || !field || !map.pm) { return; }
        var labels = options.labels;
        var drawn = null;      // the one place on the map, drawn or typed
        var active = null;     // the kind being drawn: "point", "line", "polygon"
        var created = false;   // whether the drawing that just ended made a shape
        var status = options.statusElement;

        map.pm.setLang(options.language === "de" ? "de" : "en");
        map.pm.setGlobalOptions({finishOnEnter: true, exitModeOnEscape: true});

        function button(action) { return tools.querySelector('[data-draw-action="' + action + '"]'); }
        var drawButtons = Array.prototype.slice.call(tools.querySelectorAll("[data-draw]"));

        function update() {
            var withVertices = active === "line" || active === "polygon";
            var focusedHidden = false;
            [["finish", withVertices], ["undo", withVertices], ["cancel", !!active], ["clear", !!drawn && !active]]
                .forEach(function (pair) {
                    var element = button(pair[0]);
                    if (!pair[1] && element === document.activeElement) { focusedHidden = true; }
                    element.hidden = !pair[1];
                });
            drawButtons.forEach(function (element) {
                element.setAttribute("aria-pressed", String(element.getAttribute("data-draw") === active));
            });
            // portal-map.js leaves clicks on linked features to the map while this is set.
            map.beteiligungskarteUsesClicks = !!active;
            // The keyboard must not fall to the top of the page when the focused button disappears.
            if (focusedHidden) { (drawn ? button("clear") : drawButtons[0]).focus(); }
        }

        function checkShape(kind) {
            Array.prototype.forEach.call(shapeInputs, function (input) { input.checked = input.value === kind; });
        }

        function checkedShape() {
            var checked = Array.prototype.filter.call(shapeInputs, function (input) { return input.checked; })[0];
            return checked ? checked.value : "";
        }

        function removeDrawn() {
            if (drawn) { map.removeLayer(drawn); drawn = null; }
        }

        function write(layer) {
            var geometry = layer.toGeoJSON(7).geometry;
            field.value = JSON.stringify(geometry);
            if (coordinates) {
                coordinates.value = positionsOf(geometry).map(function (position) {
                    return position[0].toFixed(7) + " " + position[1].toFixed(7);
                }).join("\n");
            }
            checkShape(KINDS[geometry.type]);
            return positionsOf(geometry).length;
        }

        function keep(layer) {
            removeDrawn();
            drawn = layer;
            drawn.options.pmIgnore = true;
            if (!drawn._map) { drawn.addTo(map); }
            if (drawn instanceof L.Marker) {
                // A marker gets its element and its dragging handler only once it is on the map.
                var icon = drawn.getElement();
                if (icon) { icon.setAttribute("title", labels.drawn); icon.setAttribute("alt", labels.drawn); }
                drawn.on("dragend", function () { write(drawn); announce(status, labels.moved); });
                if (drawn.dragging) { drawn.dragging.enable(); }
            }
        }

        /* Show a geometry the form already holds (after an error, or typed), without announcing it. */
        function show(geometry) {
            var group = L.geoJSON(geometry, {pmIgnore: true, style: function () { return options.style; }});
            var layer = group.getLayers()[0];
            if (layer) { keep(layer); }
        }

        function start(kind) {
            if (active) { map.pm.disableDraw(); }
            created = false;
            active = kind;
            map.pm.enableDraw(SHAPES[kind], {
                snappable: false,
                continueDrawing: false,
                finishOn: null,
                tooltips: true,
                pathOptions: extend({pmIgnore: true}, options.style),
                templineStyle: {color: options.style.color, weight: options.style.weight},
                hintlineStyle: {color: options.style.color, dashArray: [5, 5]},
                markerStyle: {draggable: true, keyboard: true, title: labels.drawn}
            });
            announce(status, labels["start" + kind.charAt(0).toUpperCase() + kind.slice(1)]);
            update();
        }

        function drawing() { return active ? map.pm.Draw[SHAPES[active]] : null; }

        function vertexCount() {
            var instance = drawing();
            return instance && instance._layer ? instance._layer.getLatLngs().length : 0;
        }

        map.on("pm:drawstart", function (event) {
            if (event.workingLayer && event.workingLayer.on && event.shape !== "Marker") {
                event.workingLayer.on("pm:vertexadded", function () {
                    announce(status, withCount(labels.vertex, vertexCount()));
                });
            }
        });

        map.on("pm:create", function (event) {
            created = true;
            var kind = KINDS[event.layer.toGeoJSON().geometry.type];
            keep(event.layer);
            var count = write(event.layer);
            announce(status, withCount(labels["created" + kind.charAt(0).toUpperCase() + kind.slice(1)], count));
        });

        map.on("pm:drawend", function () {
            if (!created && active) { announce(status, labels.cancelled); }
            active = null;
            // Ending a drawing, Geoman stops the dragging of every marker on the map, ours too.
            if (drawn instanceof L.Marker && drawn.dragging) { drawn.dragging.enable(); }
            update();
        });

        drawButtons.forEach(function (element) {
            element.addEventListener("click", function () { start(element.getAttribute("data-draw")); });
        });

        button("finish").addEventListener("click", function () {
            // Enter may have finished the shape already (Geoman listens for it too).
            if (!active) { return; }
            if (vertexCount() < MIN_POSITIONS[active]) {
                announce(status, labels.tooFew);
                return;
            }
            // Geoman's own "Finish" action calls the same method.
            drawing()._finishShape();
        });

        button("undo").addEventListener("click", function () {
            if (!active || !vertexCount()) { return; }
            drawing()._removeLastVertex();
            announce(status, labels.removed);
        });

        button("cancel").addEventListener("click", function () { map.pm.disableDraw(); });

        button("clear").addEventListener("click", function () {
            removeDrawn();
            field.value = "";
            if (coordinates) { coordinates.value = ""; }
            checkShape("");
            announce(status, labels.cleared);
            update();
        });

        /* Typed coordinates win over a drawing: show them instead, and send them rather than the drawing. */
        function typed() {
            if (active) { map.pm.disableDraw(); }
            field.value = "";
            removeDrawn();
            var geometry = coordinates ? typedGeometry(checkedShape() || "point", coordinates.value) : null;
            if (geometry) {
                show(geometry);
                announce(status, labels.typed);
            }
            update();
        }
        if (coordinates) { coordinates.addEventListener("change", typed); }
        Array.prototype.forEach.call(shapeInputs, function (input) {
            input.addEventListener("change", function () {
                // "ohne Ort" chosen on purpose: no place is sent, whatever the field still holds.
                if (input.checked && input.value === "" && coordinates) { coordinates.value = ""; }
                typed();
            });
        });

        // A place the form came back with (perhaps with an error beside it) is shown, not announced.
        var initial = null;
        try { initial = field.value ? JSON.parse(field.value) : null; } catch (error) { initial = null; }
        if (!initial && coordinates && coordinates.value.trim()) {
            initial = typedGeometry(checkedShape() || "point", coordinates.value);
        }
        if (initial && initial.type) {
            try { show(initial); } catch (error) { removeDrawn(); }
        }

        tools.hidden = false;
        Array.prototype.forEach.call(document.querySelectorAll("[data-draw-hint]"), function (hint) { hint.hidden = false; });
        update();
    }

    var api = global.Beteiligungskarte = global.Beteiligungskarte || {};
    api.showProcedureArea = showProcedureArea;
    api.addOtherProcedures = addOtherProcedures;
    api.addContributions = addContributions;
    api.drawContribution = drawContribution;
})(window);
