// After a form is sent, the focus goes where the outcome is (issue 13): to the first field the
// answer marks invalid, or else to the outcome message that appeared or changed in the form's
// region. Without this the focus drops to <body> when React re-renders the form, and a keyboard
// or screen-reader user has to search the page for what happened.
(() => {
  const WAIT_MS = 30000;
  let pending = null;

  const scopeOf = (form) => form.closest("section, main") || document.body;
  const messagesIn = (scope) => [...scope.querySelectorAll(".message[role]")];
  const firstInvalid = (form) => form.querySelector('[aria-invalid="true"]');

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const scope = scopeOf(form);
      pending = {
        form,
        scope,
        at: Date.now(),
        before: new Map(messagesIn(scope).map((el) => [el, el.textContent])),
      };
    },
    true,
  );

  const observe = (records) => {
    if (!pending) return;
    const { form, scope, before, at } = pending;
    if (Date.now() - at > WAIT_MS || !document.contains(scope)) {
      pending = null;
      return;
    }
    const inForm = document.contains(form);
    const fresh = messagesIn(scope).find(
      (el) => el.textContent.trim() !== "" && before.get(el) !== el.textContent,
    );
    // The form's button stopped working without any new text: the same answer as before.
    const finished = records.some(
      (r) => r.attributeName === "aria-busy" && r.target.getAttribute("aria-busy") === "false" && scope.contains(r.target),
    );
    let target = null;
    if (fresh) {
      target = (inForm && firstInvalid(form)) || fresh;
    } else if (finished) {
      target = (inForm && firstInvalid(form)) || messagesIn(scope).find((el) => el.textContent.trim() !== "");
    }
    if (!target) return;
    pending = null;
    // In the task after this one: the focus (and the layout it forces at once) waits until React
    // has finished putting the answer into the page, rather than in the middle of its update; no
    // frame is painted in between, so the focus is there when the answer is first seen.
    setTimeout(() => {
      if (document.contains(target)) target.focus();
    }, 0);
  };

  new MutationObserver(observe).observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["aria-busy"],
  });
})();
