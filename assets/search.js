// The global search: Ctrl+K (Cmd+K on a Mac), or "/" when not typing in a field, opens the
// search box of the top bar with the cursor in it.
function beaconFocusSearch(box, tries) {
  const panel = document.getElementById(box.getAttribute("aria-controls") || "");
  const input = panel && panel.querySelector("input.dash-dropdown-search");
  if (input) input.focus();
  else if (tries > 0) window.setTimeout(beaconFocusSearch, 30, box, tries - 1);
}

document.addEventListener("keydown", function (event) {
  const target = event.target instanceof Element ? event.target : null;
  const typing = target && target.closest("input, textarea, select, [contenteditable='true']");
  const slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
  const ctrlK = (event.ctrlKey || event.metaKey) && (event.key || "").toLowerCase() === "k";
  if (!slash && !ctrlK) return;
  const box = document.getElementById("shell-search"); // the dropdown's trigger
  if (!box) return;
  event.preventDefault();
  if (box.getAttribute("aria-expanded") !== "true") box.click();
  beaconFocusSearch(box, 20);
});
