// A list the server pages with a cursor ("Load more"), as the calls, the load board
// and the webhooks we could not read show it. One request at a time: a newer one
// aborts the one in flight, and an answer that is no longer awaited is dropped.

import { failureMessage } from './session.svelte.js';

/**
 * @template T
 * @typedef {object} Page
 * @property {T[]} items
 * @property {string | null} next_cursor
 */

/**
 * @template T
 * @typedef {object} PagedOptions
 * @property {(cursor: string | null, signal: AbortSignal) => Promise<Page<T>>} fetch
 * @property {(item: T) => string} id  rows with an id already shown are skipped
 * @property {string} failure      shown when the first page fails
 * @property {string} moreFailure  shown when a further page fails
 * @property {(page: Page<T>) => void} [onpage] sees every page that is shown
 */

/** @template T */
export class Paged {
  /** @type {T[]} */
  items = $state.raw([]);
  /** @type {string | null} */
  nextCursor = $state(null);
  /** @type {'loading' | 'ready' | 'error'} */
  phase = $state('loading');
  error = $state('');
  loadingMore = $state(false);
  moreError = $state('');

  /** @type {PagedOptions<T>} */
  #options;
  /** @type {AbortController | null} */
  #pending = null;

  /** @param {PagedOptions<T>} options */
  constructor(options) {
    this.#options = options;
  }

  /** Whether a request is in flight. */
  get busy() {
    return this.#pending !== null;
  }

  /** Abort whatever is in flight (the page is going away). */
  abort() {
    this.#pending?.abort();
    this.#pending = null;
  }

  /**
   * The rows of `list` whose id was not seen before, in order.
   * @param {T[]} list
   */
  unique(list) {
    const seen = new Set();
    return list.filter((item) => {
      if (!item) return false;
      const id = this.#options.id(item);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  /**
   * Run one request; `apply` gets its page unless a newer request took over.
   * @param {string | null} cursor
   * @param {(page: Page<T>) => void} apply
   * @param {(message: string) => void} fail
   * @param {string} fallback
   */
  async #request(cursor, apply, fail, fallback) {
    this.#pending?.abort();
    const controller = new AbortController();
    this.#pending = controller;
    try {
      const page = await this.#options.fetch(cursor, controller.signal);
      if (this.#pending !== controller) return;
      apply(page);
      this.#options.onpage?.(page);
    } catch (e) {
      if (this.#pending !== controller) return;
      const message = failureMessage(e, fallback);
      if (message !== null) fail(message);
    } finally {
      if (this.#pending === controller) {
        this.#pending = null;
        this.loadingMore = false;
      }
    }
  }

  /** Start again from the first page. */
  reload() {
    this.phase = 'loading';
    this.error = '';
    this.moreError = '';
    this.loadingMore = false;
    this.items = [];
    this.nextCursor = null;
    return this.#request(
      null,
      (page) => {
        this.items = this.unique(page.items);
        this.nextCursor = page.next_cursor;
        this.phase = 'ready';
      },
      (message) => {
        this.error = message;
        this.phase = 'error';
      },
      this.#options.failure
    );
  }

  /** Append the next page. */
  loadMore() {
    if (!this.nextCursor || this.loadingMore || this.phase !== 'ready') return;
    this.loadingMore = true;
    this.moreError = '';
    return this.#request(
      this.nextCursor,
      (page) => {
        this.items = this.unique([...this.items, ...page.items]);
        this.nextCursor = page.next_cursor;
      },
      (message) => (this.moreError = message),
      this.#options.moreFailure
    );
  }

  /**
   * Fetch the first page again without clearing the list; `merge` decides what
   * the list becomes. A failure keeps the list as it is.
   * @param {(page: Page<T>) => void} merge
   */
  refreshFirst(merge) {
    return this.#request(null, merge, () => {}, '');
  }
}
