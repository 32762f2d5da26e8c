/* A statistics chart's frame is a stop for the keyboard only while the chart
   is wider than its frame, so that the arrow keys can scroll it; on a wide
   screen, where the whole chart shows, the Tab key passes it by. */
"use strict";

(function () {
  function update() {
    document.querySelectorAll(".chart-frame").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth) {
        frame.setAttribute("tabindex", "0");
      } else {
        frame.removeAttribute("tabindex");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
