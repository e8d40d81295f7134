/* The admin's map widget (GeoDjango's MapWidget) over NRW's Kreise from our API instead of third-party tiles.
 *
 * geo/widgets/boundary_map.html writes each widget's options as JSON; no inline script is needed, so
 * the admin runs under the site's Content-Security-Policy without a nonce.
 */
(function () {
    "use strict";

    function baseLayer(options) {
        return new ol.layer.Vector({
            source: new ol.source.Vector({
                url: options.base_layer_url,
                format: new ol.format.GeoJSON({dataProjection: "EPSG:4326", featureProjection: "EPSG:3857"}),
                attributions: options.attribution,
                attributionsCollapsible: false
            }),
            style: new ol.style.Style({
                stroke: new ol.style.Stroke({color: "#005ca9", width: 1}),
                fill: new ol.style.Fill({color: "rgba(127, 178, 220, 0.12)"})
            })
        });
    }

    function start(wrapper) {
        var data = document.getElementById(wrapper.getAttribute("data-boundary-map"));
        if (!data || wrapper.getAttribute("data-started")) { return; }
        wrapper.setAttribute("data-started", "1");
        var options = JSON.parse(data.textContent);
        var widget = new MapWidget({
            base_layer: baseLayer(options),
            geom_name: options.geom_name,
            id: options.id,
            map_id: options.map_id,
            map_srid: options.map_srid,
            name: options.name,
            default_lon: options.default_lon,
            default_lat: options.default_lat,
            default_zoom: options.default_zoom
        });
        // GeoDjango's template names each widget as a global (geodjango_<field>); keep that name.
        window[options.module] = widget;
        // The licence (dl-de/by-2-0) wants the source note shown: open the attribution and keep it open.
        widget.map.getControls().forEach(function (control) {
            if (control instanceof ol.control.Attribution) {
                control.setCollapsed(false);
                control.setCollapsible(false);
            }
        });
    }

    function startAll() {
        document.querySelectorAll("[data-boundary-map]").forEach(start);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", startAll);
    } else {
        startAll();
    }
}());
