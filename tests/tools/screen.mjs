// Shared by the measuring scripts (speed.mjs, capacity.mjs).

/** Runs in every page before its scripts (`addInitScript`): notes the first frame that
 * shows the entry screen (its sections' headings, built together, each opening on a tap), as
 * `window.sotayScreenShown`. */
export function watchScreen() {
  const look = (frame) => {
    if (document.querySelector('details.content summary h2')) window.sotayScreenShown = frame;
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
