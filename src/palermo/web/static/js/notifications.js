// The unread badge in the top bar: filled as the page loads and kept live with server-sent
// events (/api/notifications/stream), or by polling /api/notifications/unread where the
// stream cannot be used. The words a screen reader hears come from the server, in the
// user's language; new notifications are announced politely, other changes silently.
(function () {
  "use strict";

  var POLL_MILLISECONDS = 30000;
  var badge = document.querySelector('[data-testid="unread-count"]');
  if (!badge) {
    return;
  }
  var current = null; // what the badge shows: {count, latest_id, label}
  var finished = false; // the session ended: stop asking
  var polling = null;


  function arrived(next) {
    return (
      current !== null &&
      next.latest_id !== null &&
      next.latest_id !== current.latest_id &&
      next.count >= current.count
    );
  }

  function show(next) {
    if (current && next.count === current.count && next.latest_id === current.latest_id) {
      return;
    }
    // Only an arrival is announced; the first fill and a count going down are not.
    badge.setAttribute("aria-live", arrived(next) ? "polite" : "off");
    var number = document.createElement("span");
    number.setAttribute("aria-hidden", "true");
    number.textContent = next.count > 0 ? String(next.count) : "";
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = next.label;
    badge.replaceChildren(number, words);
    badge.dataset.count = String(next.count);
    current = next;
    window.setTimeout(function () {
      badge.setAttribute("aria-live", "polite");
    }, 0);
  }

  function poll() {
    if (finished) {
      return;
    }
    fetch("/api/notifications/unread", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401) {
          finished = true;
          window.clearInterval(polling);
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer) {
          show(answer);
        }
      })
      .catch(function () {
        // The node is unreachable for now; the next poll tries again.
      });
  }

  function startPolling() {
    if (polling === null && !finished) {
      poll();
      polling = window.setInterval(poll, POLL_MILLISECONDS);
    }
  }

  function listen() {
    if (typeof window.EventSource !== "function") {
      startPolling();
      return;
    }
    var source = new EventSource("/api/notifications/stream");
    source.addEventListener("unread", function (event) {
      show(JSON.parse(event.data));
    });
    source.addEventListener("end", function () {
      finished = true;
      source.close();
    });
    source.addEventListener("error", function () {
      // A stream that ended reconnects by itself; one refused or broken for good is closed.
      if (source.readyState === EventSource.CLOSED && !finished) {
        startPolling();
      }
    });
  }

  // The notifications page, after marking read: its list says the new count.
  document.addEventListener("htmx:afterSwap", function () {
    var list = document.getElementById("notification-list");
    if (list && list.dataset.unreadLabel) {
      show({
        count: Number(list.dataset.unreadCount),
        latest_id: list.dataset.unreadLatest || null,
        label: list.dataset.unreadLabel,
      });
    }
  });

  listen();
})();
