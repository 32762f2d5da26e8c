// The registration form: show "Organisation, if not listed" only when the
// delegate chooses "My organisation is not listed". Without this script the
// box is always shown, and the form accepts either field on its own.
(function () {
  "use strict";

  function setUp() {
    var select = document.getElementById("id_organisation");
    var typed = document.getElementById("id_organisation_other");
    if (!select || !typed || !select.dataset.notListed) {
      return;
    }
    var box = document.getElementById("div_id_organisation_other") || typed.parentElement;

    function update() {
      box.hidden = select.value !== select.dataset.notListed;
    }

    select.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
