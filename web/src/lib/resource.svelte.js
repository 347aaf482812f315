// One record shown on a page of its own (a call, a carrier), fetched by id. A refresh in
// the background keeps what is shown: when it fails the page says so beside the old data,
// when it brings news the page is marked "updated" for a moment. As with Paged, one
// request at a time: a newer one aborts the one in flight.

import { ApiError } from './api.js';
import { failureMessage } from './session.svelte.js';

/**
 * @template T
 * @typedef {object} ResourceOptions
 * @property {(signal: AbortSignal) => Promise<T>} fetch
 * @property {string} failure shown when the load fails and the server gave no message
 * @property {number[]} [missing] statuses that mean there is nothing to show under this
 *   id (no retry offered); 404 unless told
 */

/** How long the page says "updated live" after a background refresh. */
const UPDATED_MS = 4000;

/** @template T */
export class Resource {
  /** @type {T | null} */
  value = $state.raw(null);
  /** @type {'loading' | 'ready' | 'error' | 'missing'} */
  phase = $state('loading');
  /** Why the load failed; when missing, the server's message. */
  error = $state('');
  /** The status that said the record is missing. */
  missingStatus = $state(0);
  /** Why the last background refresh failed; the older value is still shown. */
  staleError = $state('');
  /** A background refresh just brought a new value. */
  updated = $state(false);

  /** @type {ResourceOptions<T>} */
  #options;
  /** @type {AbortController | null} */
  #pending = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  #updatedTimer = null;

  /** @param {ResourceOptions<T>} options */
  constructor(options) {
    this.#options = options;
  }

  /**
   * Fetch the record. In the background the shown value stays until the answer comes
   * and a failure only sets `staleError`; otherwise the page shows its loading state.
   * @param {boolean} background
   */
  async load(background) {
    this.#pending?.abort();
    const controller = new AbortController();
    this.#pending = controller;
    if (!background) {
      this.phase = 'loading';
      this.error = '';
    }
    try {
      const next = await this.#options.fetch(controller.signal);
      if (this.#pending !== controller) return;
      if (background && this.value) this.#markUpdated();
      this.value = next;
      this.phase = 'ready';
      this.staleError = '';
    } catch (e) {
      if (this.#pending !== controller) return;
      if (e instanceof ApiError && (this.#options.missing ?? [404]).includes(e.status)) {
        this.phase = 'missing';
        this.missingStatus = e.status;
        this.error = e.message;
        return;
      }
      const message = failureMessage(e, this.#options.failure);
      if (message === null) return;
      if (background && this.value) this.staleError = message;
      else {
        this.error = message;
        this.phase = 'error';
      }
    } finally {
      if (this.#pending === controller) this.#pending = null;
    }
  }

  /** Fetch again: in the background once something is shown, from scratch otherwise. */
  refresh() {
    return this.load(this.phase === 'ready');
  }

  /** Stop what is in flight (the page is going away). */
  dispose() {
    this.#pending?.abort();
    this.#pending = null;
    if (this.#updatedTimer) clearTimeout(this.#updatedTimer);
  }

  #markUpdated() {
    this.updated = true;
    if (this.#updatedTimer) clearTimeout(this.#updatedTimer);
    this.#updatedTimer = setTimeout(() => (this.updated = false), UPDATED_MS);
  }
}
