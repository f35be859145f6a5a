// Move focus to the error summary, so a screen reader reads it first and Tab continues from
// there; the summary also carries autofocus for browsers without JavaScript.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();
