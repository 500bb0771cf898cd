// Theme switch: the stored choice wins on load, the switch wins when the user flips it.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  beacon: {
    applyTheme: function (switchOn, stored) {
      const ctx = window.dash_clientside.callback_context;
      const fromUser = ctx.triggered.some((t) => t.prop_id === "shell-theme-switch.value");
      const theme = fromUser ? (switchOn ? "dark" : "light") : stored === "dark" ? "dark" : "light";
      document.documentElement.setAttribute("data-bs-theme", theme);
      const noUpdate = window.dash_clientside.no_update;
      return [fromUser ? theme : noUpdate, theme === "dark"];
    },
  },
});
