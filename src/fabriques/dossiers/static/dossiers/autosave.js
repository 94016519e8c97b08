/* Autosave of dossier sections (htmx), local copy until the server confirms, retry on network error,
   character counters and the commune autocomplete. No inline script anywhere (strict CSP).

   A form's own submit, a link or another form never races its autosave: a submit of the autosave form cancels the
   autosave still waiting for its delay (the POST carries every field) and, when one is under way, leaves once it
   has answered (with the version it returned); a link or another form first sends the waiting changes and follows
   once they have answered. Without JavaScript the form posts everything, as before. */
(function () {
  "use strict";

  var MAX_DELAY = 30000;
  var FLUSH_LIMIT = 10000;  // a save that never answers does not keep the person on the page longer than this
  var autosaves = [];

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

  /* The fields a save carries, as one string to compare (the version the server returns is not a change). */
  /* The form's fields as one string, to tell a change; `asServed`: the values the page came with (what the server
     has), not what is in the fields now — text typed before this script ran is a change to send. */
  function comparable(form, asServed) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version" || el.type === "file" ||
          el.type === "submit" || el.type === "button") { return; }
      var checkable = el.type === "checkbox" || el.type === "radio";
      var value;
      if (checkable) { value = asServed ? el.defaultChecked : el.checked; }
      else if (asServed && el.tagName === "SELECT") { value = servedOption(el); }
      else { value = asServed ? el.defaultValue : el.value; }
      parts.push([el.name, value]);
    });
    return JSON.stringify(parts);
  }

  function servedOption(select) {
    var options = Array.prototype.slice.call(select.options);
    var chosen = options.filter(function (o) { return o.defaultSelected; });
    var first = chosen.length ? chosen[0] : options[0];
    return first ? first.value : "";
  }

  function keepLocal(form) {
    try { window.localStorage.setItem(storageKey(form), JSON.stringify(formValues(form))); } catch (e) { /* private mode */ }
  }

  function dropLocal(form) {
    try { window.localStorage.removeItem(storageKey(form)); } catch (e) { /* private mode */ }
  }

  function normalised(value) { return String(value == null ? "" : value).replace(/\r\n/g, "\n").trim(); }

  function restoreLocal(form, restored) {
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
    restored();
    showStatus('<p class="fr-badge fr-badge--warning fr-badge--sm">Copie locale non enregistrée restaurée — enregistrement…</p>');
    window.setTimeout(function () { window.htmx.trigger(form, "retry"); }, 300);
  }

  /* Submit `form` as `submitter` would have, without a new submit event (it was seen already: confirmation asked,
     single-submit marked): the button's name and value go in a hidden field. */
  function submitAs(form, submitter) {
    if (submitter && submitter.name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = submitter.name;
      field.value = submitter.value;
      field.setAttribute("data-autosave-submitter", "");
      form.appendChild(field);
    }
    if (submitter && submitter.hasAttribute("formaction")) { form.action = submitter.formAction; }
    HTMLFormElement.prototype.submit.call(form);
  }

  function setupAutosave(form) {
    var delay = 2000;
    var dirty = false;      // « Modifications en cours… » is shown
    var sent = comparable(form, true);  // what the server has (or was last sent): a change is a difference from it
    var inFlight = false;   // a save is under way
    var submitted = false;  // the form's own POST left: it carries every field, no autosave after it
    var waiters = [];
    var state = {
      form: form,
      pending: function () { return !submitted && (unsent() || inFlight); },
      flush: flush
    };
    autosaves.push(state);

    /* Run `done` once no change waits and no save is under way: the waiting change is sent now (its delay cut
       short); a save that fails or never answers lets `done` run anyway (the local copy keeps the text). */
    function flush(done) {
      if (!unsent() && !inFlight) { done(); return; }
      var called = false;
      var timer = window.setTimeout(once, FLUSH_LIMIT);
      function once() {
        if (called) { return; }
        called = true;
        window.clearTimeout(timer);
        done();
      }
      waiters.push(once);
      showStatus('<p class="fr-badge fr-badge--info fr-badge--sm fr-badge--no-icon">Enregistrement en cours…</p>');
      if (!inFlight) { window.htmx.trigger(form, "retry"); }
    }

    function settled(failed) {
      if (!waiters.length) { return; }
      if (unsent() && !failed) { window.htmx.trigger(form, "retry"); return; }  // typed while it was under way
      var waiting = waiters;
      waiters = [];
      waiting.forEach(function (done) { done(); });
    }

    function unsent() { return comparable(form) !== sent; }

    restoreLocal(form, function () { sent = null; });
    form.addEventListener("input", function () {
      keepLocal(form);
      if (!dirty) {
        dirty = true;
        showStatus('<p class="fr-badge fr-badge--info fr-badge--sm fr-badge--no-icon">Modifications en cours…</p>');
      }
    });
    form.addEventListener("change", function () { keepLocal(form); });
    // An autosave whose delay runs out after the form's POST left, or that would carry nothing new, stays home.
    form.addEventListener("htmx:beforeRequest", function (evt) {
      if (evt.detail.elt === form && (submitted || !unsent())) { evt.preventDefault(); }
    });
    form.addEventListener("htmx:beforeSend", function (evt) {
      if (evt.detail.elt !== form) { return; }
      sent = comparable(form);
      inFlight = true;
    });
    form.addEventListener("htmx:afterRequest", function (evt) {
      if (evt.detail.elt !== form) { return; }
      inFlight = false;
      var failed = !evt.detail.successful;
      if (failed) { sent = null; }  // what it carried still has to reach the server
      settled(failed);
    });
    form.addEventListener("submit", function (evt) {
      if (evt.target !== form || evt.defaultPrevented) { return; }  // a conflict's choice is a form of its own
      if (submitted) { evt.preventDefault(); return; }  // already leaving (a second click while waiting)
      submitted = true;
      sent = comparable(form);  // the POST carries every field: the autosave waiting for its delay is not sent
      if (!inFlight) { return; }
      // A save under way: wait for its answer (it brings the new version), then post.
      evt.preventDefault();
      var submitter = evt.submitter;
      waiters.push(function () { submitAs(form, submitter); });
      showStatus('<p class="fr-badge fr-badge--info fr-badge--sm fr-badge--no-icon">Enregistrement en cours…</p>');
    });
    // Back to this page from the next one (back/forward cache): the form is live again.
    window.addEventListener("pageshow", function (evt) {
      if (!evt.persisted) { return; }
      submitted = false;
      form.querySelectorAll("[data-autosave-submitter]").forEach(function (el) { el.remove(); });
    });
    function retryLater() {
      if (submitted) { return; }
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
    // Typed before this script ran (a page slow to load, autofill): no event announced it; send it as a change.
    if (sent !== null && unsent()) {
      keepLocal(form);
      dirty = true;
      showStatus('<p class="fr-badge fr-badge--info fr-badge--sm fr-badge--no-icon">Modifications en cours…</p>');
      window.setTimeout(function () { window.htmx.trigger(form, "retry"); }, 300);
    }
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

  function pendingAutosaves() { return autosaves.filter(function (a) { return a.pending(); }); }

  function flushAll(list, done) {
    var left = list.length;
    list.forEach(function (a) { a.flush(function () { left -= 1; if (left === 0) { done(); } }); });
  }

  /* Leaving the page by a link of this site or another form (the side menu's « Dépôt », the next section, the
     report's attachments…): the changes waiting for their delay are sent first, the page left once they answered. */
  function setupLeaving() {
    document.addEventListener("click", function (evt) {
      if (evt.defaultPrevented || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey || evt.altKey) { return; }
      var link = evt.target.closest ? evt.target.closest("a[href]") : null;
      if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) { return; }
      var url = new URL(link.href, window.location.href);
      var here = window.location;
      if (url.origin !== here.origin || (url.hash && url.pathname === here.pathname && url.search === here.search)) {
        return;  // another site (the local copy keeps the text), or a place on this page
      }
      var list = pendingAutosaves();
      if (!list.length) { return; }
      evt.preventDefault();
      flushAll(list, function () { window.location.assign(url.href); });
    });
    document.addEventListener("submit", function (evt) {
      var target = evt.target;
      if (evt.defaultPrevented || target.hasAttribute("data-autosave") || (target.target && target.target !== "_self")) {
        return;
      }
      if (autosaves.some(function (a) { return a.form.contains(target); })) { return; }  // a conflict's choices
      var list = pendingAutosaves();
      if (!list.length) { return; }
      evt.preventDefault();
      var submitter = evt.submitter;
      flushAll(list, function () { submitAs(target, submitter); });
    });
  }

  function init() {
    document.querySelectorAll("form[data-autosave]").forEach(setupAutosave);
    if (autosaves.length) { setupLeaving(); }
    document.querySelectorAll("[data-counter-for]").forEach(setupCounter);
    document.querySelectorAll("datalist[data-commune-search]").forEach(setupCommuneSearch);
    document.querySelectorAll("form[data-single-submit]").forEach(setupSingleSubmit);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
