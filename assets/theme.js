// Themes: the server keeps each user's choice; this browser remembers the last one applied,
// so a page load starts in the right colours before the layout arrives.
// Until a user chooses a theme ("system"), the operating system's light or dark decides.
function beaconSystemTheme() {
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? "dark" : "default";
}

(function () {
  const root = document.documentElement;
  const name = window.localStorage.getItem("beacon-theme") || beaconSystemTheme();
  root.setAttribute("data-beacon-theme", name);
  const base = name === "dark" ? "dark" : "light";
  root.setAttribute("data-bs-theme", window.localStorage.getItem("beacon-theme-base") || base);
})();

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  beacon: {
    applyTheme: function (theme, bases) {
      const wanted = theme === "system" ? beaconSystemTheme() : theme;
      const name = bases && bases[wanted] ? wanted : "default";
      const base = bases && bases[name] ? bases[name] : "light";
      const root = document.documentElement;
      root.setAttribute("data-beacon-theme", name);
      root.setAttribute("data-bs-theme", base);
      window.localStorage.setItem("beacon-theme", name);
      window.localStorage.setItem("beacon-theme-base", base);
      return name;
    },
    // A user who has not chosen a theme gets the system's: the figures drawn on the server
    // follow, since the theme store changes from "system" to what it resolved to.
    followSystem: function (_bases, theme) {
      return theme === "system" ? beaconSystemTheme() : window.dash_clientside.no_update;
    },
    // On a page low in the menu, its item is scrolled into the sidebar's view.
    revealActive: function (path) {
      window.requestAnimationFrame(function () {
        const item = document.querySelector(".sidebar .nav-link.active");
        if (item) item.scrollIntoView({ block: "nearest" });
      });
      return path;
    },
    // Auto-refresh: on each tick the open dashboard (never a form) is redrawn from the server
    // with the filters of its address, unless the person is working in it or the tab is
    // hidden. Setting the pages' location to its own value re-runs the page, with no new
    // history entry.
    refreshDashboard: function (_ticks, pages) {
      const content = document.querySelector(".content");
      const active = document.activeElement;
      const fields = "input, textarea, select, button, [contenteditable='true']";
      // Not while the person is working in the page: a field, a button or a menu has the
      // focus, a panel or a dialog is open, or a table is past its first page or scrolled.
      const working = content && content.contains(active) && active.matches(fields);
      const panel = document.querySelector(
        ".offcanvas.show, .modal.show, .content [aria-expanded='true']"
      );
      const pagers = content ? [...content.querySelectorAll(".pager [id$='-prev']")] : [];
      const paged = pagers.some((button) => !button.disabled);
      // A grid scrolled down, its column list or a column's filter open.
      const grids = content ? [...content.querySelectorAll(".ag-body-viewport")] : [];
      const gridBusy =
        grids.some((viewport) => viewport.scrollTop > 0) ||
        document.querySelector(".ag-popup, .grid-columns[open]");
      const busy = working || panel || paged || gridBusy;
      const open = pages && pages.indexOf(window.location.pathname) >= 0;
      if (!open || document.hidden || busy) return window.dash_clientside.no_update;
      window.dash_clientside.set_props("_pages_location", { search: window.location.search });
      return Date.now();
    },
    // The menu on narrow screens: the button opens and closes it; opening a page closes it.
    toggleMenu: function (_clicks, _path, open) {
      const by = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
      return by.startsWith("shell-menu-button") ? !open : false;
    },
  },
});
