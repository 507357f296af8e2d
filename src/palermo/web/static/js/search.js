// The global search of the top bar (base.html): "/" goes to the box from anywhere; typing
// shows suggestions (an ARIA combobox over the listbox /search/suggest renders, so every
// word shown comes translated from the server), ArrowUp/ArrowDown move through them, Enter
// opens one, Escape closes them. On the results page ArrowDown/ArrowUp (or j/k) move
// between results.
(function () {
  "use strict";

  const input = document.getElementById("global-search");
  if (!input) {
    return;
  }
  const DELAY = 200; // ms of quiet typing before asking for suggestions
  const MIN_LENGTH = 2;

  function typing(element) {
    return Boolean(element) && (element.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
  }

  // "/" from anywhere but a field -----------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey ||
        typing(event.target)) {
      return;
    }
    event.preventDefault();
    input.focus();
    input.select();
  });

  // The combobox -------------------------------------------------------------------------
  const popup = document.createElement("div");
  popup.className = "search-suggestions";
  popup.hidden = true;
  const status = document.createElement("div");
  status.className = "search-status";
  status.setAttribute("role", "status");
  input.insertAdjacentElement("afterend", popup);
  popup.insertAdjacentElement("afterend", status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-keyshortcuts", "/");
  input.setAttribute("aria-expanded", "false");

  let timer = null;
  let pending = null;
  let active = -1;

  function options() {
    return Array.from(popup.querySelectorAll('[role="option"]'));
  }

  function close() {
    if (pending) {
      pending.abort();
      pending = null;
    }
    popup.hidden = true;
    popup.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-controls");
    input.removeAttribute("aria-activedescendant");
  }

  function open(html) {
    popup.innerHTML = html;
    const listbox = popup.querySelector('[role="listbox"]');
    if (!listbox) {
      close();
      return;
    }
    popup.hidden = false;
    active = -1;
    input.setAttribute("aria-expanded", "true");
    input.setAttribute("aria-controls", listbox.id);
    input.removeAttribute("aria-activedescendant");
    status.textContent = listbox.dataset.announce || "";
  }

  function suggest() {
    const query = input.value.trim();
    if (query.length < MIN_LENGTH) {
      close();
      return;
    }
    if (pending) {
      pending.abort();
    }
    const asked = new AbortController();
    pending = asked;
    fetch("/search/suggest?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      signal: asked.signal,
    })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        // An answer to an older query, or to a box the user has left, is dropped.
        if (pending === asked && input.value.trim() === query &&
            document.activeElement === input) {
          pending = null;
          open(html);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          throw error;
        }
      });
  }

  function move(step) {
    const all = options();
    if (!all.length) {
      return;
    }
    if (active >= 0) {
      all[active].setAttribute("aria-selected", "false");
    }
    // From the box, down goes to the first and up to the last; past an end, round again.
    active = active < 0 ? (step > 0 ? 0 : all.length - 1)
      : (active + step + all.length) % all.length;
    const chosen = all[active];
    chosen.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", chosen.id);
    chosen.scrollIntoView({ block: "nearest" });
  }

  function go(option) {
    window.location.assign(option.dataset.href);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DELAY);
  });

  input.addEventListener("keydown", function (event) {
    const expanded = !popup.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (expanded) {
        move(event.key === "ArrowDown" ? 1 : -1);
      } else {
        window.clearTimeout(timer);
        suggest();
      }
    } else if (event.key === "Enter" && expanded && active >= 0) {
      event.preventDefault();
      go(options()[active]);
    } else if (event.key === "Escape" && expanded) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.clearTimeout(timer);
    close();
  });

  // A click chooses; pressing first would take the focus from the box and close the list.
  popup.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });
  popup.addEventListener("click", function (event) {
    const option = event.target.closest('[role="option"]');
    if (option) {
      go(option);
    }
  });

  // The results page ---------------------------------------------------------------------
  const results = document.getElementById("search-results");
  if (!results) {
    return;
  }
  const FORWARD = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 };
  document.addEventListener("keydown", function (event) {
    const step = FORWARD[event.key];
    if (!step || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    const links = Array.from(results.querySelectorAll("[data-result-link]"));
    if (!links.length) {
      return;
    }
    event.preventDefault();
    const current = links.indexOf(document.activeElement);
    const next = current < 0 ? (step > 0 ? 0 : links.length - 1)
      : Math.min(Math.max(current + step, 0), links.length - 1);
    links[next].focus();
  });
})();
