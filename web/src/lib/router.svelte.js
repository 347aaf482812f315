// Client-side routing with the history API. The server answers every non-/api
// GET with index.html, so any of these paths can be loaded directly.
//
// Routes: /  /calls  /calls/:call_id  /carriers/:mc  /loads  /webhooks  /settings/webhooks

/**
 * @typedef {{ name: 'overview' } | { name: 'calls' } | { name: 'call', callId: string } |
 *   { name: 'carrier', mc: string } | { name: 'loads' } | { name: 'webhooks' } | { name: 'settings' } |
 *   { name: 'not-found' }} Route
 */

const location = $state({ path: window.location.pathname, search: window.location.search });

/** Reactive view of the current URL. */
export const router = {
  get path() {
    return location.path;
  },
  get search() {
    return location.search;
  },
  /** A fresh copy of the query parameters (mutating it changes nothing). */
  get params() {
    return new URLSearchParams(location.search);
  },
  /** @returns {Route} */
  get route() {
    return match(location.path);
  }
};

/**
 * @param {string} path
 * @returns {Route}
 */
export function match(path) {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (clean === '/' || clean === '') return { name: 'overview' };
  if (clean === '/calls') return { name: 'calls' };
  if (clean === '/loads') return { name: 'loads' };
  if (clean === '/webhooks') return { name: 'webhooks' };
  if (clean === '/settings' || clean === '/settings/webhooks') return { name: 'settings' };
  const call = /^\/calls\/([^/]+)$/.exec(clean);
  const carrier = /^\/carriers\/([^/]+)$/.exec(clean);
  try {
    if (call) return { name: 'call', callId: decodeURIComponent(call[1]) };
    if (carrier) return { name: 'carrier', mc: decodeURIComponent(carrier[1]) };
  } catch {
    // A malformed escape: no such page.
  }
  return { name: 'not-found' };
}

/**
 * The carrier page of an MC number (digits, or any spelling the API reads).
 * @param {string} mc
 */
export function carrierHref(mc) {
  return `/carriers/${encodeURIComponent(mc)}`;
}

function sync() {
  location.path = window.location.pathname;
  location.search = window.location.search;
}

window.addEventListener('popstate', sync);

/** True after the app itself pushed a history entry (so "back" stays in the app). */
let pushed = false;

/**
 * Go to an in-app URL.
 * @param {string} href path with optional query, e.g. "/calls?outcome=booked"
 * @param {{ replace?: boolean }} [options] replace: change the URL without a new history entry
 */
export function navigate(href, { replace = false } = {}) {
  const url = new URL(href, window.location.href);
  const target = url.pathname + url.search + url.hash;
  const here = window.location.pathname + window.location.search + window.location.hash;
  if (target === here) return;
  const samePath = url.pathname === window.location.pathname;
  if (replace) {
    history.replaceState(history.state, '', target);
  } else {
    history.pushState(null, '', target);
    pushed = true;
  }
  sync();
  if (!replace && !samePath) window.scrollTo(0, 0);
}

/**
 * Replace some query parameters of the current URL (null or '' removes one).
 * @param {Record<string, string | null | undefined>} changes
 */
export function updateQuery(changes) {
  const params = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const qs = params.toString();
  navigate(window.location.pathname + (qs ? `?${qs}` : ''), { replace: true });
}

/**
 * Back within the app when we came from it, else to `fallback`.
 * @param {string} fallback
 */
export function goBack(fallback) {
  if (pushed) history.back();
  else navigate(fallback);
}

/**
 * Intercept clicks on same-origin links so they route without a page load.
 * Links to /api (downloads), new tabs and modified clicks keep the browser's behaviour.
 * @param {MouseEvent} event
 */
export function handleLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = /** @type {Element | null} */ (event.target);
  const anchor = target?.closest?.('a');
  if (!anchor || !anchor.href) return;
  if (anchor.target && anchor.target !== '_self') return;
  if (anchor.hasAttribute('download') || anchor.getAttribute('rel') === 'external') return;
  const url = new URL(anchor.href);
  if (url.origin !== window.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/docs') return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}
