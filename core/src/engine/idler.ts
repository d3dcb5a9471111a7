/** Waits for `ms` or until woken, whichever comes first: polling that reacts at once to in-process signals. */
export class Idler {
  #wake: (() => void) | undefined;
  #pending = false;

  /** Resolves after `ms`, or at once if `wake()` was called since the last idle. */
  idle(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }
}
