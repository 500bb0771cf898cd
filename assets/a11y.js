// Accessibility repairs to the markup of Dash 4's own components, which axe-core flags and which
// no component property controls (tests/browser/test_accessibility.py checks every page):
// - a dropdown's tab stop is a hidden input (aria-hidden, yet focusable) that hands the focus
//   on to the real button: the button becomes the tab stop instead;
// - a date picker's outer box carries popup attributes that a plain box may not have; its
//   inputs keep their own labels;
// - a date picker's clear link has no role: it becomes a button that the keyboard reaches;
// - a slider's thumb and number box have no name: they take their field's label;
// - a table that scrolls sideways in its box (a phone, a narrow widget) becomes a tab stop
//   (its wrapper, a named region) that the keyboard can scroll;
// - a button whose panel is drawn only while open (`data-panel`, the phone's menu) names that
//   panel (aria-controls) only while it exists, and says whether it is open.
(function () {
  function labelOf(element) {
    const label = element.id && document.querySelector(`label[for="${CSS.escape(element.id)}"]`);
    return label ? label.textContent.trim() : "";
  }

  function tabStops(root) {
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (stand_in) {
      if (stand_in.tabIndex !== -1) stand_in.tabIndex = -1;
      const button = stand_in.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
  }

  function repair(root) {
    tabStops(root);
    root.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded]").forEach(function (box) {
      ["aria-expanded", "aria-haspopup", "aria-labelledby", "aria-disabled", "type"].forEach(
        (name) => box.removeAttribute(name)
      );
    });
    root.querySelectorAll(".dash-datepicker-clear:not([role])").forEach(function (clear) {
      clear.setAttribute("role", "button");
      clear.tabIndex = 0;
      clear.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          clear.click();
        }
      });
    });
    root.querySelectorAll(".dash-slider-container[id]").forEach(function (slider) {
      const name = labelOf(slider);
      if (!name) return;
      slider.querySelectorAll("input, [role='slider']").forEach(function (part) {
        if (part.getAttribute("aria-label") !== name) part.setAttribute("aria-label", name);
      });
    });
    root.querySelectorAll(SCROLLERS).forEach(scrollable);
    root.querySelectorAll("[data-panel]").forEach(function (button) {
      const panel = button.dataset.panel;
      const open = document.getElementById(panel) !== null;
      if (open) button.setAttribute("aria-controls", panel);
      else button.removeAttribute("aria-controls");
      if (button.getAttribute("aria-expanded") !== String(open)) {
        button.setAttribute("aria-expanded", String(open));
      }
    });
  }

  const SCROLLERS = ".table-responsive, .content table";

  function scrollable(box) {
    const ours = box.dataset.a11yScroll === "1";
    if (box.hasAttribute("tabindex") && !ours) return; // focusable in its own markup already
    const scrolls =
      box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    const named = box.tagName !== "TABLE"; // a table keeps its role; its caption names it
    if (scrolls && !ours) {
      box.dataset.a11yScroll = "1";
      box.tabIndex = 0;
      if (named) {
        const caption = box.querySelector("caption");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      }
    } else if (!scrolls && ours) {
      delete box.dataset.a11yScroll;
      box.removeAttribute("tabindex");
      if (named) ["role", "aria-label"].forEach((name) => box.removeAttribute(name));
    }
  }

  // Keyboard users keep their place when a callback redraws the controls they were using
  // (the PE board after a move, a resize or an add). Inside an element marked
  // data-keep-focus="<fallback id>", the control that had the focus, once it is gone or
  // disabled, hands it to its redrawn self (same id); if that is missing or disabled, to the
  // same widget's control of another kind (data-keep-focus-kinds, for pattern-matching
  // ids), else to the same control of the widget now in its place (a removal), else to the
  // fallback.
  var kept = null;

  function remember(event) {
    var target = event.target;
    var box = target && target.closest ? target.closest("[data-keep-focus]") : null;
    if (!box || !target.id) {
      kept = null;
      return;
    }
    var card = target.closest("[data-widget]");
    var cards = Array.prototype.slice.call(box.querySelectorAll("[data-widget]"));
    kept = {
      el: target,
      id: target.id,
      box: box,
      path: location.pathname,
      position: card ? cards.indexOf(card) : -1,
    };
  }

  function kind_of(id) {
    try {
      var parsed = JSON.parse(id);
      return parsed && typeof parsed === "object" ? parsed.type : null;
    } catch (e) {
      return null;
    }
  }

  function in_its_place(kinds) {
    // The control of the same kind on the card now where the gone one was (the next one
    // moved up), or the last card's.
    var cards = kept.box.querySelectorAll("[data-widget]");
    if (kept.position < 0 || !cards.length) return null;
    var card = cards[Math.min(kept.position, cards.length - 1)];
    var wanted = [kind_of(kept.id)].concat(kinds);
    var controls = card.querySelectorAll("[id]");
    for (var k = 0; k < wanted.length; k++) {
      for (var i = 0; i < controls.length; i++) {
        if (kind_of(controls[i].id) === wanted[k] && usable(controls[i])) return controls[i];
      }
    }
    return null;
  }

  function usable(element) {
    return element && !element.disabled ? element : null;
  }

  function same_widget(id, kinds) {
    var parsed;
    try {
      parsed = JSON.parse(id);
    } catch (e) {
      return null;
    }
    if (!parsed || typeof parsed !== "object") return null;
    for (var i = 0; i < kinds.length; i++) {
      parsed.type = kinds[i];
      var keys = Object.keys(parsed).sort();
      var found = usable(document.getElementById(JSON.stringify(parsed, keys)));
      if (found) return found;
    }
    return null;
  }

  function restore() {
    if (!kept || (kept.el.isConnected && !kept.el.disabled)) return;
    var active = document.activeElement;
    if (location.pathname !== kept.path || (active && active !== document.body)) {
      kept = null; // another page, or the user has moved on
      return;
    }
    var kinds = (kept.box.dataset.keepFocusKinds || "").split(" ").filter(Boolean);
    var target =
      usable(document.getElementById(kept.id)) ||
      same_widget(kept.id, kinds) ||
      in_its_place(kinds) ||
      usable(document.getElementById(kept.box.dataset.keepFocus));
    if (!target) return; // not drawn yet: the next change tries again
    kept = null;
    target.focus();
  }

  // Repairs run at most once a frame, before it is painted: each reads the layout (whether a
  // table scrolls), and run on every change of the page they forced a layout for each of
  // the hundreds of changes a page load makes (#26).
  var pending = 0;

  function repairSoon() {
    if (!pending) {
      pending = requestAnimationFrame(function () {
        pending = 0;
        repair(document);
      });
    }
  }

  function start() {
    document.addEventListener("focusin", remember);
    new MutationObserver(restore).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["disabled"],
    });
    repair(document);
    window.addEventListener("resize", repairSoon);
    // a <details> opened or closed: its table may scroll now
    document.addEventListener("toggle", repairSoon, true);
    new MutationObserver(repairSoon).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["tabindex", "aria-expanded"],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
