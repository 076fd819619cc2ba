/* The view controls and focus, for keyboard and screen-reader users (issue 14).
 *
 * - Links marked data-spa (the pages, the units) and the header's native controls (athlete, day,
 *   the Training and Fatigue date range) change the URL without a reload, as Dash's own links do:
 *   history.pushState, then the event Dash's dcc.Location listens to.
 * - Focus is never left on the page body after a change: the control used keeps it (found again by
 *   its id once Dash has drawn the page anew), and a change of page moves it to the new page's
 *   heading. Changes of the URL made by callbacks (history.pushState from dcc.Location) are treated
 *   alike. What to focus stays pending until the user does something else.
 * - A late redraw (a callback's answer after the user moved on) that removes the control the keyboard
 *   focused gives focus back to the same control drawn anew, else to the page's heading.
 * - The skip link moves focus to the page's heading; Enter on a row of the Activities table opens
 *   that activity.
 * Dash draws pages after this script loads, so everything works by delegation.
 */
(function () {
  "use strict";

  var pending = null;  // {id: "...", heading: bool}: where focus goes once the page is drawn
  var focused = null;  // the element the keyboard last moved focus to (a late redraw may remove it)
  var pushState = window.history.pushState.bind(window.history);

  function heading() {
    var h = document.querySelector("main h1") || document.getElementById("main");
    if (h && !h.hasAttribute("tabindex")) { h.setAttribute("tabindex", "-1"); }
    return h;
  }

  function lost() {
    var active = document.activeElement;
    return !active || active === document.body || active === document.documentElement || !document.contains(active);
  }

  function settle() {
    if (!pending && focused && !focused.isConnected && lost()) {
      // Dash drew a part of the page anew under the focus (a late callback): the same control drawn
      // anew takes it back, else the heading does, never the page body
      pending = {id: focused.id || null, heading: true};
    }
    if (!pending) { return; }
    var active = document.activeElement;
    var target = pending.id ? document.getElementById(pending.id) : null;
    if (target && target !== active && (lost() || active === pending.fallback)) {
      target.focus();  // the control used, drawn anew (it may come after the heading was given focus)
    } else if (!target && lost() && pending.heading) {
      var h = heading();
      if (h) { h.focus(); pending.fallback = h; }
    }
  }

  // A URL change by a callback (dcc.Location) or by go(): remember what to focus if it is not said yet.
  window.history.pushState = function (state, title, url) {
    if (!pending) {
      var active = document.activeElement;
      pending = {id: active && active.id ? active.id : null, heading: true};
    }
    return pushState(state, title, url);
  };

  function go(url, focus) {
    var next = new URL(url, window.location.href);
    var samePage = next.pathname === window.location.pathname;
    pending = focus || {id: null, heading: true};  // a control's id: it keeps focus; else the heading
    window.history.pushState({}, "", next.pathname + next.search);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    if (!samePage) { window.scrollTo(0, 0); }
  }
  window.trainlogGo = go;  // upload.js opens the import job's page through it

  // The user moved on: nothing is pending any more (registered first: a key that changes the view sets
  // what is pending afterwards, in the listeners below). Only focus the keyboard moves is given back after
  // a late redraw: a click puts focus where it wants (a button it removes leaves the page where it is).
  var pointer = false;
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (pending && !lost()) { pending = null; }
      pointer = name === "pointerdown";
      if (pointer) { focused = null; }
    }, true);
  });
  document.addEventListener("focusin", function (event) { focused = pointer ? null : event.target; });

  function withQuery(changes, path) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(changes).forEach(function (key) {
      if (changes[key] === null || changes[key] === "") { params.delete(key); } else { params.set(key, changes[key]); }
    });
    var search = params.toString();
    return (path || window.location.pathname) + (search ? "?" + search : "");
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "ctl-athlete") {  // another athlete has another "today" and range
      var path = target.form && target.form.dataset.athletePath;  // an activity's page: the Activities list
      go(withQuery({athlete: target.value, as_of: null, from: null, to: null}, path), {id: "ctl-athlete", heading: true});
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || (form.id !== "view-form" && form.id !== "range-form")) { return; }
    event.preventDefault();
    var used = document.activeElement && form.contains(document.activeElement) ? document.activeElement.id : null;
    if (form.id === "view-form") {
      var day = form.elements.as_of.value;
      if (day) { go(withQuery({as_of: day}), {id: used || "ctl-as-of", heading: true}); }
    } else {
      var start = form.elements.from.value, end = form.elements.to.value;
      if (start && end) { go(withQuery({from: start, to: end}), {id: used || "ctl-from", heading: true}); }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey || !event.target.closest) { return; }
    var skip = event.target.closest("a.skip-link");
    if (skip) {
      event.preventDefault();
      var h = heading();
      if (h) { h.focus(); }
      return;
    }
    var link = event.target.closest("a[data-spa]");
    if (!link || link.target || link.origin !== window.location.origin) { return; }
    event.preventDefault();
    go(link.pathname + link.search, {id: link.id || null, heading: true});
  });

  // Enter on a focused row (or cell) of the Activities table opens the row's activity.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest) { return; }
    var row = event.target.closest("#activities-table .ag-row");
    var link = row && row.querySelector("a[href]");
    if (link) {
      event.preventDefault();
      event.stopPropagation();
      go(link.getAttribute("href"), {id: null, heading: true});
    }
  }, true);

  window.addEventListener("popstate", function () { pending = {id: null, heading: true}; });

  new MutationObserver(settle).observe(document.documentElement, {childList: true, subtree: true});
})();
