// Shared by the measuring scripts (speed.mjs, capacity.mjs).

/** Runs in every page before its scripts (`addInitScript`): notes the first frame that
 * shows the entry screen's figure of `dat_hien`, as `window.sotayFigureShown`. */
export function watchFigure() {
  const look = (frame) => {
    const value = document.querySelector('[data-testid="indicator-dat_hien"] [data-testid="area-value"]');
    if (value?.textContent.trim()) window.sotayFigureShown = frame;
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
