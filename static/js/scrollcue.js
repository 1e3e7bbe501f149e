// Wide content that scrolls sideways says so: shadows on the edges that have more, arrow
// buttons, and the keyboard (arrow keys, Page Up/Down, Home, End) once the area has focus.
//   <div class="scroll-frame" data-scroll-frame>
//     <button type="button" class="scroll-arrow" data-scroll-by="-1" aria-label="…">‹</button>
//     <div data-scroll-area data-scroll-item=".col" tabindex="0">…wide content…</div>
//     <button type="button" class="scroll-arrow" data-scroll-by="1" aria-label="…">›</button>
//   </div>
// The frame gets the classes can-left / can-right; arrows that cannot move are hidden.
(function () {
  "use strict";

  function step(area) {
    var item = area.dataset.scrollItem && area.querySelector(area.dataset.scrollItem);
    var width = item ? item.getBoundingClientRect().width + 12 : 0;
    return Math.max(120, Math.min(width || area.clientWidth * 0.8, area.clientWidth * 0.9));
  }

  function update(frame, area) {
    var max = area.scrollWidth - area.clientWidth;
    var left = area.scrollLeft > 1;
    var right = area.scrollLeft < max - 1;
    frame.classList.toggle("can-left", left);
    frame.classList.toggle("can-right", right);
    frame.querySelectorAll("[data-scroll-by]").forEach(function (button) {
      button.hidden = Number(button.dataset.scrollBy) < 0 ? !left : !right;
    });
  }

  function scrollBy(area, columns) {
    area.scrollBy({ left: columns * step(area), behavior: "smooth" });
  }

  function onKey(event, area) {
    if (event.target !== area || event.altKey || event.ctrlKey || event.metaKey) return;
    var moves = { ArrowLeft: -1, ArrowRight: 1, PageUp: -3, PageDown: 3 };
    if (event.key in moves) scrollBy(area, moves[event.key]);
    else if (event.key === "Home") area.scrollTo({ left: 0, behavior: "smooth" });
    else if (event.key === "End") area.scrollTo({ left: area.scrollWidth, behavior: "smooth" });
    else return;
    event.preventDefault();
  }

  function setUp(frame) {
    var area = frame.querySelector("[data-scroll-area]");
    if (!area || frame.dataset.scrollReady) return;
    frame.dataset.scrollReady = "1";
    var refresh = function () { update(frame, area); };
    area.addEventListener("scroll", refresh, { passive: true });
    area.addEventListener("keydown", function (event) { onKey(event, area); });
    frame.addEventListener("click", function (event) {
      var button = event.target.closest("[data-scroll-by]");
      if (button && frame.contains(button)) scrollBy(area, Number(button.dataset.scrollBy));
    });
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(refresh);
      observer.observe(area);
      if (area.firstElementChild) observer.observe(area.firstElementChild);
    }
    window.addEventListener("resize", refresh);
    refresh();
  }

  function setUpAll() {
    document.querySelectorAll("[data-scroll-frame]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
