// Who is signed in, and the app's top-level state. The session itself is an
// HttpOnly cookie the browser sends; nothing here holds a key.

import { ApiError, getSession, signOut as apiSignOut } from './api.js';
import { stopLive } from './live.svelte.js';

/**
 * checking:    first request in flight, we don't know yet if there is a session
 * signed-out:  show the sign-in card
 * signed-in:   show the dashboard
 * unavailable: the first request failed for a reason other than 401
 * @type {{ view: 'checking' | 'signed-out' | 'signed-in' | 'unavailable',
 *   scope: string | null, notice: string, error: string }}
 */
export const session = $state({ view: 'checking', scope: null, notice: '', error: '' });

export async function checkSession() {
  session.view = 'checking';
  session.error = '';
  try {
    const s = await getSession();
    session.scope = s.scope ?? null;
    session.view = 'signed-in';
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      showSignIn('');
    } else {
      session.error = e instanceof ApiError ? e.message : 'Something went wrong.';
      session.view = 'unavailable';
    }
  }
}

/** @param {string} notice */
function showSignIn(notice) {
  stopLive();
  session.scope = null;
  session.notice = notice;
  session.view = 'signed-out';
}

/** @param {{ scope?: string }} s the sign-in answer */
export function signedIn(s) {
  session.scope = s.scope ?? null;
  session.notice = '';
  session.view = 'signed-in';
}

/** The server said 401 to some request: the session is gone. */
export function sessionEnded() {
  if (session.view === 'signed-in') showSignIn('Your session has ended. Sign in again to continue.');
}

/**
 * Sign out; resolves to an error message, or '' when signed out.
 * @returns {Promise<string>}
 */
export async function signOut() {
  try {
    await apiSignOut();
  } catch (e) {
    // 401 means there was no session left to end: that is signed out too.
    if (!(e instanceof ApiError && e.status === 401)) {
      return e instanceof ApiError ? `Couldn't sign out: ${e.message}` : "Couldn't sign out.";
    }
  }
  showSignIn('You have signed out.');
  return '';
}

/**
 * The message to show for a failed request, or null when there is nothing to
 * show (the request was superseded, or the session ended and sign-in is shown).
 * @param {unknown} e
 * @param {string} fallback
 * @returns {string | null}
 */
export function failureMessage(e, fallback) {
  if (e instanceof DOMException && e.name === 'AbortError') return null;
  if (e instanceof ApiError && e.status === 401) {
    sessionEnded();
    return null;
  }
  return e instanceof ApiError ? e.message : fallback;
}
