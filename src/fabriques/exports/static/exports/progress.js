// Keeps the list of background exports up to date: while one is queued or running, the list is
// fetched again every 2 seconds from its fragment URL; polling stops when every export is finished
// (then the download link is there). Without JavaScript the "Rafraîchir" link reloads the page.
(function () {
  "use strict";
  var EVERY_MS = 2000;

  function poll(container) {
    if (container.dataset.active !== "1") { return; }
    var refresh = container.querySelector(".fabriques-refresh");
    if (refresh) { refresh.hidden = true; }
    setTimeout(function () {
      fetch(container.dataset.pollUrl, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var template = document.createElement("template");
          template.innerHTML = html.trim();
          var fresh = template.content.firstElementChild;
          if (!fresh) { return; }
          container.replaceWith(fresh);
          poll(fresh);
        })
        .catch(function () { setTimeout(function () { poll(container); }, EVERY_MS); });
    }, EVERY_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("export-jobs");
    if (container) { poll(container); }
  });
}());
