/* Autosave of dossier sections (htmx), local copy until the server confirms, retry on network error,
   character counters and the commune autocomplete. No inline script anywhere (strict CSP). */
(function () {
  "use strict";

  var MAX_DELAY = 30000;

  function storageKey(form) { return "fabriques:" + form.dataset.autosave; }

  function statusBox() { return document.getElementById("save-status"); }

  function showStatus(html) {
    var box = statusBox();
    if (box) { box.innerHTML = html; }
  }

  function formValues(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file" || el.type === "submit") { return; }
      data[el.name] = el.value;
    });
    return data;
  }

  function keepLocal(form) {
    try { window.localStorage.setItem(storageKey(form), JSON.stringify(formValues(form))); } catch (e) { /* private mode */ }
  }

  function dropLocal(form) {
    try { window.localStorage.removeItem(storageKey(form)); } catch (e) { /* private mode */ }
  }

  function normalised(value) { return String(value == null ? "" : value).replace(/\r\n/g, "\n").trim(); }

  function restoreLocal(form) {
    var raw = null;
    try { raw = window.localStorage.getItem(storageKey(form)); } catch (e) { return; }
    if (!raw) { return; }
    var saved = JSON.parse(raw);
    // The server trims what it stores (and browsers send CRLF): a copy that differs only so was saved already.
    var differs = Object.keys(saved).some(function (name) {
      var el = form.elements.namedItem(name);
      return name !== "version" && el && normalised(el.value) !== normalised(saved[name]);
    });
    if (!differs) { dropLocal(form); return; }
    Object.keys(saved).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && el.type !== "file") { el.value = saved[name]; }
    });
    showStatus('<p class="fr-badge fr-badge--warning fr-badge--sm">Copie locale non enregistrée restaurée — enregistrement…</p>');
    window.setTimeout(function () { window.htmx.trigger(form, "retry"); }, 300);
  }

  function setupAutosave(form) {
    var delay = 2000;
    var dirty = false;
    restoreLocal(form);
    form.addEventListener("input", function () {
      keepLocal(form);
      if (!dirty) {
        dirty = true;
        showStatus('<p class="fr-badge fr-badge--info fr-badge--sm fr-badge--no-icon">Modifications en cours…</p>');
      }
    });
    form.addEventListener("change", function () { keepLocal(form); });
    function retryLater() {
      showStatus('<p class="fr-badge fr-badge--error fr-badge--sm">Non enregistré — nouvel essai…</p>' +
        '<p class="fr-hint-text">Votre texte est conservé sur cet appareil ; il sera envoyé dès que possible.</p>');
      window.setTimeout(function () { window.htmx.trigger(form, "retry"); }, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    }
    form.addEventListener("htmx:sendError", retryLater);
    form.addEventListener("htmx:timeout", retryLater);
    form.addEventListener("htmx:responseError", function (evt) {
      if (evt.detail.xhr.status >= 500 || evt.detail.xhr.status === 0) { retryLater(); }
    });
    form.addEventListener("htmx:afterSwap", function () {
      var box = statusBox();
      if (box && box.hasAttribute("data-saved")) {
        dropLocal(form);
        delay = 2000;
        dirty = false;
      }
    });
  }

  function setupCounter(counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    var max = parseInt(counter.dataset.max, 10);
    if (!field) { return; }
    function update() {
      var length = field.value.replace(/\r\n/g, "\n").length;
      counter.textContent = length + " / " + max + " caractères" +
        (length > max ? " — " + (length - max) + " de trop : la réponse ne sera pas enregistrée" : "");
      counter.classList.toggle("fr-error-text", length > max);
    }
    field.addEventListener("input", update);
    update();
  }

  function setupCommuneSearch(list) {
    var url = list.dataset.communeSearch;
    var inputs = document.querySelectorAll('input[list="' + list.id + '"]');
    var timer = null;
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        var q = input.value.trim();
        if (q.length < 2 || /^\d{5}\s/.test(q)) { return; }
        timer = window.setTimeout(function () {
          window.fetch(url + "?format=json&q=" + encodeURIComponent(q), { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (communes) {
              list.innerHTML = "";
              communes.forEach(function (c) {
                var option = document.createElement("option");
                option.value = c.code + " " + (c.label || c.name);
                list.appendChild(option);
              });
            })
            .catch(function () { /* autocomplete is optional: the INSEE code can be typed */ });
        }, 250);
      });
    });
  }

  function setupSingleSubmit(form) {
    form.addEventListener("submit", function (evt) {
      if (form.dataset.sent) { evt.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }

  function init() {
    document.querySelectorAll("form[data-autosave]").forEach(setupAutosave);
    document.querySelectorAll("[data-counter-for]").forEach(setupCounter);
    document.querySelectorAll("datalist[data-commune-search]").forEach(setupCommuneSearch);
    document.querySelectorAll("form[data-single-submit]").forEach(setupSingleSubmit);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
