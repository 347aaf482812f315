// How many webhook bodies we could not read are still open (SPEC §12.2), for the
// top bar and the overview. The live stream does not carry them, so the count is
// fetched: when the manager opens a page, every minute while the tab is visible,
// when the tab comes back, and after a reconnect of the live stream.

import { listRejectedWebhooks } from './api.js';
import { onLiveEvent } from './live.svelte.js';
import { failureMessage } from './session.svelte.js';

const EVERY_MS = 60_000;

/** open: bodies not replayed yet (0 until known). */
export const rejected = $state({ open: 0 });

/** @type {AbortController | null} */
let pending = null;

/** Ask the server for the count again; a failure keeps the last one. */
export async function refreshRejectedCount() {
  pending?.abort();
  const controller = new AbortController();
  pending = controller;
  try {
    const page = await listRejectedWebhooks({ status: 'open', limit: 1 }, controller.signal);
    if (pending === controller) rejected.open = page.open;
  } catch (e) {
    // A 401 shows sign-in, as everywhere; anything else waits for the next try.
    if (pending === controller) failureMessage(e, '');
  } finally {
    if (pending === controller) pending = null;
  }
}

/**
 * The count a page already has from its own answer.
 * @param {number} open
 */
export function setRejectedCount(open) {
  pending?.abort();
  pending = null;
  rejected.open = open;
}

/**
 * Keep the count fresh while signed in; returns the teardown (an $effect's).
 * The first fetch comes from the page being shown (see App.svelte).
 */
export function watchRejectedCount() {
  const whenVisible = () => {
    if (document.visibilityState === 'visible') refreshRejectedCount();
  };
  const timer = setInterval(whenVisible, EVERY_MS);
  document.addEventListener('visibilitychange', whenVisible);
  const off = onLiveEvent((event) => {
    if (event.kind === 'resync') refreshRejectedCount();
  });
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', whenVisible);
    off();
    pending?.abort();
    pending = null;
    rejected.open = 0;
  };
}
