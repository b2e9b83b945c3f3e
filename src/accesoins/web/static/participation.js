// Participation forms: after a submit, move keyboard and screen-reader focus to the outcome
// (the error summary or the acknowledgement). No dependency, nothing sent anywhere.
(function () {
  var target = document.getElementById("erreurs") || document.getElementById("accuse");
  if (target) { target.focus(); }
})();
