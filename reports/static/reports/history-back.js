/* Links marked data-history-back go back in the browser's history (keeping the map as it was); their
 * href is the way back without JavaScript. A static file instead of onclick="": the CSP allows no
 * inline event handlers. */
(function () {
    "use strict";
    document.querySelectorAll("a[data-history-back]").forEach(function (link) {
        link.addEventListener("click", function (event) {
            event.preventDefault();
            history.back();
        });
    });
}());
