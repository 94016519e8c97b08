// Irreversible acts ask first: a form (or its submit button) carrying data-confirm="question" is sent only when the
// person accepts. A static file, not inline script (strict CSP). Runs in the capture phase, before htmx or others.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
