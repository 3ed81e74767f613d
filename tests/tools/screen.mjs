// Shared by the measuring scripts (speed.mjs, capacity.mjs).

/** Runs in every page before its scripts (`addInitScript`): notes the first frame that
 * shows the entry screen (the headings of its 6 sections, each opening on a tap), as
 * `window.sotayScreenShown`. */
export function watchScreen() {
  const look = (frame) => {
    if (document.querySelectorAll('details.content summary h2').length === 6) window.sotayScreenShown = frame;
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
