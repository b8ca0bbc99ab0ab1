// A region's success message stands only until another region acts (issue 13). On /konto each
// region answers in its own message; without this, "Zapisano…" of the consents stays on screen
// while the user saves the periodic change or ends a session, and reads as that action's answer.
// When a form is sent or a button pressed in one region, the success (and info) messages of the
// other regions are hidden; a hidden message shows again as soon as its text changes or its own
// region acts. Error messages stay: what they ask for is still to be done.
(() => {
  const STALE = "data-stale";
  const shown = (el) => {
    if (el.hasAttribute(STALE)) {
      el.removeAttribute(STALE);
      el.hidden = false;
    }
  };
  const acted = (target) => {
    const region = target instanceof Element ? target.closest("section") : null;
    if (!region) return;
    for (const el of document.querySelectorAll('.message[role="status"]')) {
      if (region.contains(el)) {
        shown(el);
      } else if (!el.hidden) {
        el.setAttribute(STALE, el.textContent);
        el.hidden = true;
      }
    }
  };
  document.addEventListener("submit", (event) => acted(event.target), true);
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target instanceof Element ? event.target.closest("button") : null;
      // A submit button's form says it through "submit" (it may be refused before sending).
      if (button && button.type !== "submit") acted(button);
    },
    true,
  );
  new MutationObserver(() => {
    for (const el of document.querySelectorAll(`.message[${STALE}]`)) {
      if (el.textContent !== el.getAttribute(STALE)) shown(el);
    }
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true });
})();
