// Fills the <datalist> of a commune input from /territoire/communes/?q=… as the person types.
// Without JavaScript the form still works: the server resolves a name, postal code or INSEE code.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.searchUrl;
    if (!list || !url) { return; }
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q.length < 2 || q === last) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch(url + "?limit=10&q=" + encodeURIComponent(q), { headers: { "Accept": "text/html" } })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) {
            var template = document.createElement("template");
            template.innerHTML = html;
            list.replaceChildren.apply(list, Array.prototype.slice.call(template.content.querySelectorAll("option")));
          })
          .catch(function () { /* the server-side fallback still works */ });
      }, 200);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-search-url]").forEach(attach);
  });
})();
