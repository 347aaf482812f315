// API client for the carrier-sales dashboard.
//
// The session lives in an HttpOnly cookie set by POST /api/v1/session; this
// module never stores the API key anywhere (no localStorage/sessionStorage,
// no module state). Every request is same-origin with credentials included.

const BASE = '/api/v1';

/**
 * @typedef {'available' | 'booked' | 'cancelled'} LoadStatus
 */

/**
 * @typedef {object} Load
 * @property {string} load_id
 * @property {string} origin
 * @property {string} origin_city
 * @property {string} origin_state
 * @property {string} destination
 * @property {string} destination_city
 * @property {string} destination_state
 * @property {string} pickup_datetime   RFC 3339
 * @property {string} delivery_datetime RFC 3339
 * @property {string} equipment_type
 * @property {number} loadboard_rate
 * @property {number | null} max_rate
 * @property {number} miles
 * @property {number} weight
 * @property {string} commodity_type
 * @property {number} num_of_pieces
 * @property {string} dimensions
 * @property {string} notes
 * @property {LoadStatus | string} status
 * @property {number | null} rate_per_mile
 */

/**
 * @typedef {object} LoadPage
 * @property {Load[]} loads
 * @property {string | null} next_cursor
 */

/**
 * @typedef {object} Session
 * @property {boolean} signed_in
 * @property {string} scope
 * @property {string} expires_at RFC 3339
 */

/** Error thrown for any non-2xx response (or a failure to reach the server). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when the server could not be reached
   * @param {string} code machine-readable code from the error body
   * @param {string} message human-readable message from the error body
   * @param {string} [field] the request field the error refers to, if any
   */
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.code = code;
    /** @type {string | undefined} */
    this.field = field;
  }
}

/**
 * Fallback messages when an error response has no usable body
 * (e.g. a proxy's HTML error page).
 * @param {number} status
 */
function defaultMessage(status) {
  if (status === 401) return 'You are not signed in.';
  if (status === 403) return 'You do not have access to this.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Please wait a moment and try again.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Please try again.`;
  return `Request failed (HTTP ${status}).`;
}

/**
 * Turn a non-2xx response into an ApiError, parsing
 * {"error":{"code","message","field"?}} when present.
 * @param {Response} res
 * @returns {Promise<ApiError>}
 */
async function toApiError(res) {
  let code = `http_${res.status}`;
  let message = defaultMessage(res.status);
  /** @type {string | undefined} */
  let field;
  try {
    const body = await res.json();
    const err = body && typeof body === 'object' ? body.error : undefined;
    if (err && typeof err === 'object') {
      if (typeof err.code === 'string' && err.code) code = err.code;
      if (typeof err.message === 'string' && err.message) message = err.message;
      if (typeof err.field === 'string' && err.field) field = err.field;
    }
  } catch {
    // Not JSON: keep the defaults.
  }
  return new ApiError(res.status, code, message, field);
}

/**
 * @param {string} path path under /api/v1, starting with '/'
 * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [options]
 * @returns {Promise<Response>} a 2xx response
 */
async function request(path, { method = 'GET', body, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    // Aborts are the caller's business; let them through unchanged.
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(
      0,
      'network_error',
      "Can't reach the server. Check your connection and try again."
    );
  }
  if (!res.ok) throw await toApiError(res);
  return res;
}

/**
 * @param {Response} res
 * @returns {Promise<any>}
 */
async function readJson(res) {
  try {
    return await res.json();
  } catch {
    throw new ApiError(res.status, 'invalid_response', 'The server sent an unexpected response.');
  }
}

/**
 * Exchange a dashboard key for a session cookie.
 * @param {string} apiKey
 * @returns {Promise<Session>}
 */
export async function signIn(apiKey) {
  const res = await request('/session', { method: 'POST', body: { api_key: apiKey } });
  return readJson(res);
}

/**
 * End the session (the server clears the cookie).
 * @returns {Promise<void>}
 */
export async function signOut() {
  await request('/session', { method: 'DELETE' });
}

/**
 * List loads, newest page first; pass next_cursor back as `cursor` for more.
 * @param {{ status?: LoadStatus | '' | null, limit?: number, cursor?: string | null, signal?: AbortSignal }} [params]
 * @returns {Promise<LoadPage>}
 */
export async function listLoads({ status, limit, cursor, signal } = {}) {
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (limit != null) query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  const qs = query.toString();

  const res = await request('/loads' + (qs ? `?${qs}` : ''), { signal });
  const body = await readJson(res);
  if (!body || !Array.isArray(body.loads)) {
    throw new ApiError(res.status, 'invalid_response', 'The server sent an unexpected response.');
  }
  return {
    loads: body.loads,
    next_cursor: typeof body.next_cursor === 'string' && body.next_cursor ? body.next_cursor : null
  };
}
