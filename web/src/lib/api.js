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
 * @property {'dashboard' | 'admin' | string} scope
 * @property {string} [expires_at] RFC 3339 (only on sign-in)
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
 * @param {{ method?: string, body?: unknown, text?: string, signal?: AbortSignal }} [options]
 *   body is sent as JSON; text is sent as it is, labelled JSON (the server judges it)
 * @returns {Promise<Response>} a 2xx response
 */
async function request(path, { method = 'GET', body, text, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal };
  if (text !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = text;
  } else if (body !== undefined) {
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

/**
 * Build "?a=1&b=2" from an object, skipping empty values.
 * @param {Record<string, string | number | null | undefined>} params
 */
export function queryString(params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    query.set(key, String(value));
  }
  const qs = query.toString();
  return qs ? `?${qs}` : '';
}

/**
 * GET a JSON object, checking it is an object.
 * @param {string} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<any>}
 */
async function getJson(path, signal) {
  const res = await request(path, { signal });
  const body = await readJson(res);
  if (!body || typeof body !== 'object') {
    throw new ApiError(res.status, 'invalid_response', 'The server sent an unexpected response.');
  }
  return body;
}

/**
 * The current session (401 when there is none).
 * @param {AbortSignal} [signal]
 * @returns {Promise<Session>}
 */
export function getSession(signal) {
  return getJson('/session', signal);
}

// ------------------------------------------------------------------ metrics

/**
 * @typedef {object} Period
 * @property {string} [from] RFC 3339
 * @property {string} [to] RFC 3339
 */

/**
 * @typedef {'booked' | 'negotiation_failed' | 'carrier_declined' | 'no_matching_loads' |
 *   'carrier_ineligible' | 'callback_requested' | 'abandoned' | 'other'} Outcome
 * @typedef {'positive' | 'neutral' | 'negative'} Sentiment
 */

/**
 * @typedef {object} Lane
 * @property {string | null} origin
 * @property {string | null} destination
 * @property {number} negotiations negotiations on loads of this lane
 * @property {number} bookings
 * @property {number} revenue
 */

/**
 * @typedef {object} Summary
 * @property {{ from: string, to: string }} period
 * @property {number} calls
 * @property {number} verifications
 * @property {number} carriers_verified
 * @property {number} ineligible
 * @property {number} ineligible_share 0..1
 * @property {number} verifications_decided eligible, ineligible or not found
 * @property {{ reason: string, count: number }[]} top_ineligible_reasons
 * @property {number} searches
 * @property {number} searches_no_match
 * @property {{ origin: string | null, destination: string | null, equipment_type: string | null, count: number }[]} unmet_demand
 * @property {{ calls: number, verified: number, pitched: number, negotiated: number, booked: number }} funnel
 * @property {number} booking_rate 0..1
 * @property {number | null} avg_rounds_to_agreement
 * @property {number | null} avg_agreed_rate
 * @property {number | null} avg_posted_rate
 * @property {number | null} avg_premium_usd
 * @property {number | null} avg_premium_pct percent (4.9 = 4.9%)
 * @property {number} booked_revenue
 * @property {number} bookings
 * @property {number} bookings_cancelled
 * @property {Record<string, number>} outcomes
 * @property {Record<string, number>} sentiments
 * @property {Record<string, Record<string, number>>} sentiment_by_outcome
 * @property {Lane[]} top_lanes
 * @property {{ equipment_type: string, negotiations: number, bookings: number }[]} top_equipment
 * @property {number | null} avg_call_duration_seconds
 */

/**
 * @param {Period} period
 * @param {AbortSignal} [signal]
 * @returns {Promise<Summary>}
 */
export function getSummary(period, signal) {
  return getJson('/metrics/summary' + queryString({ from: period.from, to: period.to }), signal);
}

/**
 * @typedef {object} SeriesPoint
 * @property {string} t RFC 3339 start of the bucket
 * @property {number} calls
 * @property {number} booked
 * @property {number} revenue
 * @property {number} [negotiated]
 * @property {number | null} [avg_premium_pct]
 */

/**
 * @param {Period & { bucket: 'day' | 'hour' }} params
 * @param {AbortSignal} [signal]
 * @returns {Promise<{ bucket: string, points: SeriesPoint[] }>}
 */
export async function getTimeseries({ from, to, bucket }, signal) {
  const body = await getJson('/metrics/timeseries' + queryString({ from, to, bucket }), signal);
  return { bucket: body.bucket || bucket, points: Array.isArray(body.points) ? body.points : [] };
}

// -------------------------------------------------------------------- calls

/**
 * @typedef {object} CallRow
 * @property {string} call_id
 * @property {string | null} started_at
 * @property {string | null} ended_at
 * @property {number | null} duration_seconds
 * @property {string | null} mc_number
 * @property {string | null} carrier_name
 * @property {string | null} load_id
 * @property {string | null} lane
 * @property {Outcome | null} outcome
 * @property {Sentiment | null} sentiment
 * @property {'agent' | 'service' | null} classified_by
 * @property {boolean} outcome_conflict
 * @property {number | null} agreed_rate
 * @property {number | null} loadboard_rate
 * @property {number | null} [initial_carrier_offer] the carrier's first ask
 * @property {number | null} negotiation_rounds
 * @property {boolean | null} transferred
 * @property {'eligible' | 'ineligible' | 'not_found' | 'unavailable' | null} verification_status
 * @property {string | null} platform_status
 */

/**
 * @typedef {object} CallFilters
 * @property {string} [outcome]
 * @property {string} [sentiment]
 * @property {string} [mc_number]
 * @property {string} [q]
 * @property {string} [from]
 * @property {string} [to]
 */

/**
 * @param {CallFilters} filters
 */
function callQuery(filters) {
  return {
    outcome: filters.outcome,
    sentiment: filters.sentiment,
    mc_number: filters.mc_number,
    q: filters.q,
    from: filters.from,
    to: filters.to
  };
}

/**
 * @param {CallFilters & { limit?: number, cursor?: string | null }} params
 * @param {AbortSignal} [signal]
 * @returns {Promise<{ calls: CallRow[], next_cursor: string | null }>}
 */
export async function listCalls(params, signal) {
  const path =
    '/calls' + queryString({ ...callQuery(params), limit: params.limit, cursor: params.cursor });
  const body = await getJson(path, signal);
  if (!Array.isArray(body.calls)) {
    throw new ApiError(200, 'invalid_response', 'The server sent an unexpected response.');
  }
  return {
    calls: body.calls,
    next_cursor: typeof body.next_cursor === 'string' && body.next_cursor ? body.next_cursor : null
  };
}

/**
 * Link for the CSV download of the calls matching `filters` (cookie-authenticated).
 * @param {CallFilters} filters
 */
export function callsExportUrl(filters) {
  return `${BASE}/calls/export.csv` + queryString(callQuery(filters));
}

/**
 * @typedef {object} Verification
 * @property {string} status
 * @property {boolean | null} eligible
 * @property {string[]} reasons
 * @property {string[]} warnings
 * @property {string} [source]
 * @property {string | null} [legal_name]
 * @property {string} [checked_at]
 * @property {string} [mc_number]
 */

/**
 * @typedef {object} NegotiationRound
 * @property {number} round
 * @property {number} offer
 * @property {'accept' | 'counter' | 'reject'} decision
 * @property {number | null} counter_offer
 * @property {number | null} agreed_rate
 * @property {number | null} final_offer
 * @property {string} message
 * @property {string} at
 * @property {string} [load_id]
 */

/**
 * @typedef {object} Booking
 * @property {string} booking_id
 * @property {string} load_id
 * @property {number} agreed_rate
 * @property {number} loadboard_rate
 * @property {{ name: string, phone?: string, extension?: string } | null} rep
 * @property {'active' | 'cancelled'} status
 * @property {boolean} verification_pending
 * @property {string} summary
 * @property {string} created_at
 * @property {string | null} cancelled_at
 * @property {string | null} cancel_reason
 */

/**
 * @typedef {object} TimelineItem
 * @property {string} at
 * @property {'verification' | 'search' | 'negotiation_round' | 'final_offer_accepted' | 'booking' |
 *   'booking_cancelled' | 'session_status' | 'finalize' | string} kind
 * @property {any} data
 */

/**
 * @typedef {object} CallDetail
 * @property {CallRow & {
 *   transcript: { role: string, content: string }[] | null,
 *   summary: string | null,
 *   extracted: Record<string, unknown> | null,
 *   carrier_phone: string | null,
 *   callback_at: string | null }} call
 * @property {TimelineItem[]} timeline
 * @property {Verification | null} verification
 * @property {{ at: string, criteria: Record<string, unknown>, result_count: number, load_ids: string[] }[]} searches
 * @property {{ load_id: string, status: string, loadboard_rate: number, agreed_rate: number | null,
 *   final_offer: number | null, rounds: NegotiationRound[] }[]} negotiations
 * @property {Booking | null} booking
 */

/**
 * @param {string} callId
 * @param {AbortSignal} [signal]
 * @returns {Promise<CallDetail>}
 */
export async function getCall(callId, signal) {
  const body = await getJson('/calls/' + encodeURIComponent(callId), signal);
  if (!body.call || typeof body.call !== 'object') {
    throw new ApiError(200, 'invalid_response', 'The server sent an unexpected response.');
  }
  return {
    call: body.call,
    timeline: Array.isArray(body.timeline) ? body.timeline : [],
    verification: body.verification ?? null,
    searches: Array.isArray(body.searches) ? body.searches : [],
    negotiations: Array.isArray(body.negotiations) ? body.negotiations : [],
    booking: body.booking ?? null
  };
}

/**
 * Release a booking (admin scope).
 * @param {string} bookingId
 * @param {string} reason
 * @returns {Promise<Booking>}
 */
export async function cancelBooking(bookingId, reason) {
  const res = await request(`/bookings/${encodeURIComponent(bookingId)}/cancel`, {
    method: 'POST',
    body: { reason }
  });
  return readJson(res);
}

// ---------------------------------------------------------------- test call

/**
 * Whether the server can start a test call (a trigger URL is configured).
 * @returns {Promise<boolean>}
 */
export async function testCallEnabled() {
  const body = await getJson('/calls/test');
  return body.enabled === true;
}

/**
 * @param {string} [phoneNumber]
 * @returns {Promise<Record<string, unknown>>}
 */
export async function startTestCall(phoneNumber) {
  const res = await request('/calls/test', {
    method: 'POST',
    body: phoneNumber ? { phone_number: phoneNumber } : {}
  });
  return readJson(res);
}

// ------------------------------------------------------- rejected webhooks

/**
 * A webhook body we could not read, kept as it came (SPEC §12.2).
 * @typedef {object} RejectedWebhook
 * @property {string} rejected_id
 * @property {string} route the route it was posted to, e.g. "/api/v1/calls/finalize"
 * @property {string} received_at RFC 3339
 * @property {string} error the parser's message
 * @property {number} error_line 1-based line where reading failed
 * @property {number} error_column 1-based byte column in that line (0: before its first byte)
 * @property {string} body the raw body
 * @property {string | null} request_id
 * @property {string | null} replayed_at RFC 3339; null while open
 * @property {string | null} replay_call_id the call a replay landed on
 */

/**
 * @typedef {object} RejectedPage
 * @property {RejectedWebhook[]} rejected newest first
 * @property {string | null} next_cursor
 * @property {number} open how many are not replayed (whatever the filter)
 */

/**
 * @typedef {'open' | 'replayed' | 'all'} RejectedStatus
 */

/**
 * Webhook bodies we could not read, newest first; pass next_cursor back as `cursor`.
 * @param {{ status?: RejectedStatus, limit?: number, cursor?: string | null }} params
 * @param {AbortSignal} [signal]
 * @returns {Promise<RejectedPage>}
 */
export async function listRejectedWebhooks({ status, limit, cursor } = {}, signal) {
  const body = await getJson('/webhooks/rejected' + queryString({ status, limit, cursor }), signal);
  if (!Array.isArray(body.rejected)) {
    throw new ApiError(200, 'invalid_response', 'The server sent an unexpected response.');
  }
  return {
    rejected: body.rejected,
    next_cursor: typeof body.next_cursor === 'string' && body.next_cursor ? body.next_cursor : null,
    open: typeof body.open === 'number' ? body.open : 0
  };
}

/**
 * What a replay answers: the original route's answer (for calls/finalize: call_id,
 * outcome, sentiment, message...) plus the entry's id and when it was replayed.
 * @typedef {Record<string, unknown> & { rejected_id: string, replayed_at: string,
 *   call_id?: string, message?: string }} ReplayAnswer
 */

/**
 * Send a corrected body through the route it was first posted to (admin scope).
 * The text goes as typed: the server says whether it is JSON (400 invalid_json)
 * and whether the route takes it (422 naming the field).
 * @param {string} rejectedId
 * @param {string} correctedBody
 * @returns {Promise<ReplayAnswer>}
 */
export async function replayRejectedWebhook(rejectedId, correctedBody) {
  const res = await request(`/webhooks/rejected/${encodeURIComponent(rejectedId)}/replay`, {
    method: 'POST',
    text: correctedBody
  });
  return readJson(res);
}

// --------------------------------------------------------------- negotiation

/**
 * @typedef {object} Policy
 * @property {number} max_rounds
 * @property {number} max_markup 0..1
 * @property {number} max_markup_pct the ceiling in percent (10 = 10%)
 * @property {number[]} concession_schedule fractions of the gap, per round
 * @property {number} rounding_step USD
 * @property {number} urgency_adjustment
 * @property {number} urgency_window_hours
 * @property {number} retry_window_secs
 * @property {string} [ceiling_rule]
 * @property {string[]} [rules]
 */

/**
 * @param {AbortSignal} [signal]
 * @returns {Promise<Policy>}
 */
export function getPolicy(signal) {
  return getJson('/negotiations/policy', signal);
}

/** URL of the live event stream (Server-Sent Events, cookie-authenticated). */
export const EVENTS_URL = `${BASE}/events`;
