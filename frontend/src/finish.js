/**
 * Done and Skip, undoable for a few seconds (#14: `d` or `s` ended an article at once). The
 * page asks to finish; the request waits `delayMs`, counting down, and is either undone or
 * carried out (at once with now()). DOM-free; the clock is injectable for tests.
 */

const DEFAULT_CLOCK = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
};

export class PendingFinish {
  /**
   * @param {{delayMs?: number, tickMs?: number, clock?: typeof DEFAULT_CLOCK,
   *   onCommit: (action: string) => void,
   *   onChange: (state: {action: string, secondsLeft: number} | null) => void}} options
   */
  constructor({ delayMs = 4000, tickMs = 1000, clock = DEFAULT_CLOCK, onCommit, onChange }) {
    this.delayMs = delayMs;
    this.tickMs = tickMs;
    this.clock = clock;
    this.onCommit = onCommit;
    this.onChange = onChange;
    this.action = null;
    this.deadline = 0;
    this.timer = null;
  }

  get pending() {
    return this.action;
  }

  /** Ask to finish with `action` ("complete" or "skip"); asking again switches the action. */
  request(action) {
    this.cancelTimer();
    this.action = action;
    this.deadline = this.clock.now() + this.delayMs;
    this.tick();
  }

  tick() {
    const left = this.deadline - this.clock.now();
    if (left <= 0) {
      this.now();
      return;
    }
    this.onChange({ action: this.action, secondsLeft: Math.ceil(left / 1000) });
    this.timer = this.clock.setTimeout(() => this.tick(), Math.min(this.tickMs, left));
  }

  /** Carry out the pending action at once. Returns whether there was one. */
  now() {
    const action = this.action;
    if (!action) return false;
    this.cancelTimer();
    this.action = null;
    this.onChange(null);
    this.onCommit(action);
    return true;
  }

  /** Undo the request. Returns whether there was one. */
  undo() {
    if (!this.action) return false;
    this.cancelTimer();
    this.action = null;
    this.onChange(null);
    return true;
  }

  cancelTimer() {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
