// Keyboard access to tables that scroll inside their own holder (WCAG 2.1.1): a table wider
// than the screen scrolls within its `.overflow-auto` holder, so the holder takes a tab stop
// (arrow keys then scroll it) and is named after its table's caption or the section's
// heading. Holders whose content fits get neither: no tab stop that does nothing.
(function () {
  "use strict";

  function nameOf(holder) {
    var table = holder.querySelector("table");
    if (table && table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    if (table && table.getAttribute("aria-label")) {
      return table.getAttribute("aria-label");
    }
    var section = holder.closest("section, article");
    var heading = section && section.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim() : "";
  }

  function mark() {
    document.querySelectorAll(".overflow-auto").forEach(function (holder) {
      var scrolls =
        holder.scrollWidth > holder.clientWidth + 1 ||
        holder.scrollHeight > holder.clientHeight + 1;
      if (scrolls && !holder.hasAttribute("tabindex")) {
        holder.setAttribute("tabindex", "0");
        holder.dataset.scrollable = "true";
        var name = nameOf(holder);
        if (name) {
          holder.setAttribute("role", "region");
          holder.setAttribute("aria-label", name);
        }
      } else if (!scrolls && holder.dataset.scrollable === "true") {
        holder.removeAttribute("tabindex");
        holder.removeAttribute("role");
        holder.removeAttribute("aria-label");
        delete holder.dataset.scrollable;
      }
    });
  }

  var pending = null;
  function later() {
    window.clearTimeout(pending);
    pending = window.setTimeout(mark, 150);
  }

  mark(); // deferred: the document is parsed
  window.addEventListener("resize", later);
  // Results that htmx swaps in (searches, filters, tabs).
  document.addEventListener("htmx:afterSettle", mark);
})();
