// Which parts of the inspector are near the viewport. A step's render writes the parts a learner
// can see at once and leaves the others to a settle pass in idle time (main.ts): the numbers far
// below the fold cost a step nothing until then. One IntersectionObserver reports; nothing here
// reads layout, so asking costs no style or layout pass.

/**
 * How far outside the viewport a part still counts as near: a part scrolled towards the viewport
 * is usually brought up to date before it appears.
 */
const NEAR_MARGIN = '200px 0px';

export interface Viewport {
  /**
   * Whether `part` is within NEAR_MARGIN of the viewport. A part asked about for the first time
   * starts being watched and counts as near until the observer has reported on it, so nothing is
   * left stale before the page knows where it is.
   */
  near(part: Element): boolean;
}

/** `onApproach`: a part that was not near now is (the page renders, to bring it up to date). */
export function createViewport(onApproach: () => void): Viewport {
  const near = new WeakMap<Element, boolean>();
  const observer = new IntersectionObserver((entries) => {
    let approached = false;
    for (const entry of entries) {
      // A part the views dropped (a new model, another layer) is watched no longer.
      if (!entry.target.isConnected) {
        observer.unobserve(entry.target);
        near.delete(entry.target);
        continue;
      }
      if (entry.isIntersecting && near.get(entry.target) === false) approached = true;
      near.set(entry.target, entry.isIntersecting);
    }
    if (approached) onApproach();
  }, { rootMargin: NEAR_MARGIN });
  return {
    near(part) {
      const known = near.get(part);
      if (known !== undefined) return known;
      observer.observe(part);
      near.set(part, true);
      return true;
    },
  };
}
