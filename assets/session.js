// When Dash's own requests come back 401 (session ended) or 503 (database or queue down), say so in
// the page instead of leaving spinners and stale numbers without a word.
(function () {
  const originalFetch = window.fetch;
  const messages = {
    401: ["Your session has ended.", "Sign in again", "/login"],
    503: ["The database is not answering right now. Nothing was lost; try again in a moment.",
          "Reload", null],
  };
  function show(status, said) {
    if (document.getElementById("connection-banner")) return;
    const [standard, action, href] = messages[status];
    const text = said || standard;
    const banner = document.createElement("div");
    banner.id = "connection-banner";
    banner.className = "alert alert-warning connection-banner";
    banner.setAttribute("role", "alert");
    banner.textContent = text + " ";
    const link = document.createElement("a");
    link.textContent = action;
    link.href = href ? href + "?next=" + encodeURIComponent(location.pathname) : location.href;
    banner.appendChild(link);
    document.body.appendChild(banner);
  }
  window.fetch = async function (resource, init) {
    const response = await originalFetch.apply(this, arguments);
    const url = typeof resource === "string" ? resource : resource.url;
    if (url && url.indexOf("/_dash-") !== -1 && messages[response.status]) {
      // The server's own words when it gave a reason (e.g. the job queue is down).
      const said = await response.clone().json().then((b) => b && b.error, () => null);
      show(response.status, typeof said === "string" ? said : null);
    }
    return response;
  };
})();
