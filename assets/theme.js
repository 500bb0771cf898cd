// Themes: the server keeps each user's choice; this browser remembers the last one applied,
// so a page load starts in the right colours before the layout arrives.
(function () {
  const root = document.documentElement;
  const name = window.localStorage.getItem("beacon-theme") || "default";
  root.setAttribute("data-beacon-theme", name);
  root.setAttribute("data-bs-theme", window.localStorage.getItem("beacon-theme-base") || "light");
})();

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  beacon: {
    applyTheme: function (theme, bases) {
      const name = bases && bases[theme] ? theme : "default";
      const base = bases && bases[name] ? bases[name] : "light";
      const root = document.documentElement;
      root.setAttribute("data-beacon-theme", name);
      root.setAttribute("data-bs-theme", base);
      window.localStorage.setItem("beacon-theme", name);
      window.localStorage.setItem("beacon-theme-base", base);
      return name;
    },
    // The menu on narrow screens: the button opens and closes it; opening a page closes it.
    toggleMenu: function (_clicks, _path, open) {
      const by = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
      return by.startsWith("shell-menu-button") ? !open : false;
    },
  },
});
