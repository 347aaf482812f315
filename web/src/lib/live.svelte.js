// Live call events from GET /api/v1/events (Server-Sent Events, same-origin,
// authenticated by the session cookie). Pages subscribe with onLiveEvent and
// refresh what they show; the top bar shows the connection state.

import { EVENTS_URL, getSession, ApiError } from './api.js';

/** Event kinds the server sends as `event: <kind>` (EventSource needs each name). */
const EVENT_KINDS = [
  'verification',
  'search',
  'negotiation.round',
  'negotiation.final_offer_accepted',
  'booking.created',
  'booking.cancelled',
  'call.finalized',
  'call.session_status'
];

/**
 * What listeners get: the stream's event (the document's `EventOut`, one per `data`
 * line), or `{ kind: 'resync', call_id: null }` after a reconnect (events may have been
 * missed). A line that cannot be read still comes through, with the SSE event name.
 * @typedef {import('./api.js').EventOut} EventOut
 * @typedef {Pick<EventOut, 'kind' | 'call_id'> & { at?: EventOut['at'] | null, payload?: EventOut['payload'] }} LiveEvent
 */

/**
 * idle: not started; connecting: first connection; connected; reconnecting: lost, retrying.
 * @type {{ status: 'idle' | 'connecting' | 'connected' | 'reconnecting', lastEventAt: number | null }}
 */
export const live = $state({ status: 'idle', lastEventAt: null });

/** @type {Set<(event: LiveEvent) => void>} */
const listeners = new Set();

/** @type {EventSource | null} */
let source = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let retryTimer = null;
let retryDelay = 1000;
let wasConnected = false;
/** @type {(() => void) | null} */
let onUnauthorized = null;

/**
 * Subscribe to live events; returns the unsubscribe function (an $effect teardown).
 * @param {(event: LiveEvent) => void} listener
 */
export function onLiveEvent(listener) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** @param {LiveEvent} event */
function emit(event) {
  live.lastEventAt = Date.now();
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (e) {
      console.error('live event listener failed', e);
    }
  }
}

/**
 * @param {string} kind
 * @param {MessageEvent} message
 */
function handleMessage(kind, message) {
  /** @type {any} */
  let data = null;
  try {
    data = JSON.parse(message.data);
  } catch {
    // A message we cannot read still means "something happened".
  }
  emit({
    kind: (data && typeof data.kind === 'string' && data.kind) || kind,
    call_id: data && data.call_id != null ? String(data.call_id) : null,
    at: data?.at ?? null,
    payload: data?.payload
  });
}

function open() {
  if (retryTimer) {
    clearTimeout(retryTimer);
    retryTimer = null;
  }
  const es = new EventSource(EVENTS_URL);
  source = es;
  es.onopen = () => {
    if (source !== es) return;
    live.status = 'connected';
    retryDelay = 1000;
    // After a gap we may have missed events: everyone refreshes once.
    if (wasConnected) emit({ kind: 'resync', call_id: null });
    wasConnected = true;
  };
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CONNECTING) {
      // The browser retries by itself (sending Last-Event-ID).
      live.status = 'reconnecting';
      return;
    }
    // CLOSED: the server refused the stream (e.g. 401) or answered something else.
    es.close();
    source = null;
    live.status = 'reconnecting';
    scheduleRetry();
  };
  es.onmessage = (m) => handleMessage('message', m);
  for (const kind of EVENT_KINDS) es.addEventListener(kind, (m) => handleMessage(kind, m));
}

function scheduleRetry() {
  const delay = retryDelay;
  retryDelay = Math.min(retryDelay * 2, 30_000);
  retryTimer = setTimeout(async () => {
    retryTimer = null;
    // A refused stream is often an expired session: ask before retrying.
    try {
      await getSession();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        stopLive();
        onUnauthorized?.();
        return;
      }
    }
    if (live.status !== 'idle') open();
  }, delay);
}

/**
 * Connect (idempotent).
 * @param {{ onunauthorized?: () => void }} [options]
 */
export function startLive(options = {}) {
  onUnauthorized = options.onunauthorized ?? null;
  if (source || retryTimer) return;
  live.status = 'connecting';
  wasConnected = false;
  open();
}

/** Disconnect (on sign-out). */
export function stopLive() {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  source?.close();
  source = null;
  live.status = 'idle';
  retryDelay = 1000;
}

/**
 * Coalesce bursts: the first call schedules `fn` for `ms` later and the calls
 * that follow before it runs join it. A steady stream of events therefore
 * refreshes about once per `ms`, never starving.
 * @param {() => void} fn
 * @param {number} ms
 */
export function coalesce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  const run = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
  run.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return run;
}
