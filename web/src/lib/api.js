// API client for the carrier-sales dashboard.
//
// The session lives in an HttpOnly cookie set by POST /api/v1/session; this
// module never stores the API key anywhere (no localStorage/sessionStorage,
// no module state). Every request is same-origin with credentials included.

const BASE = '/api/v1';

// ------------------------------------------------------------- answer types
//
// Every answer's shape comes from the server's OpenAPI document: `make openapi` writes
// it to openapi.json beside this file and `npm run types` turns it into api-types.d.ts
// (both run by `make web-check`, which `make test` runs). The dashboard names the
// document's schemas only here, left the dashboard's name, right the document's, so a
// schema renamed on the server is a one-line change below.

/** @typedef {import('./api-types').components['schemas']} Schemas */
/** @typedef {Schemas['Load']} Load */
/** @typedef {Schemas['LoadStatus']} LoadStatus */
/** @typedef {Schemas['LoadPage']} LoadPage */
/** @typedef {Schemas['SessionInfo']} Session */
/** @typedef {Schemas['SignedIn']} SignedIn */
/** @typedef {Schemas['Outcome']} Outcome */
/** @typedef {Schemas['Sentiment']} Sentiment */
/** @typedef {Schemas['MetricsSummary']} Summary */
/** @typedef {Schemas['LaneFigures']} Lane */
/** @typedef {Schemas['Timeseries']} Timeseries */
/** @typedef {Schemas['TimePoint']} SeriesPoint */
/** @typedef {Schemas['CallPage']} CallPage */
/** @typedef {Schemas['CallSummary']} CallRow */
/** @typedef {Schemas['CallStory']} CallDetail */
/** @typedef {Schemas['TimelineEntry']} TimelineItem */
/** @typedef {Schemas['Turn']} Turn */
/** @typedef {Schemas['VerificationRecord']} Verification */
/** @typedef {Schemas['RoundRecord']} NegotiationRound */
/** @typedef {Schemas['Booking']} Booking */
/** @typedef {Schemas['TestCallStatus']} TestCallStatus */
/** @typedef {Schemas['TestCallStarted']} TestCallStarted */
/** @typedef {Schemas['RejectedPage']} RejectedPage */
/** @typedef {Schemas['RejectedWebhook']} RejectedWebhook */
/** @typedef {Schemas['NegotiationPolicy']} Policy */
/** @typedef {Schemas['EventOut']} EventOut */
/** @typedef {Schemas['CarrierHistory']} CarrierHistory */
/** @typedef {Schemas['CarrierSummary']} CarrierFigures */
/** @typedef {Schemas['CarrierCall']} CarrierCall */
/** @typedef {Schemas['CarrierNegotiation']} CarrierNegotiation */
/** @typedef {Schemas['CarrierVerification']} CarrierVerification */
/** @typedef {Schemas['CarrierBooking']} CarrierBooking */
/** @typedef {Schemas['SyncStatus']} LoadSyncStatus */
/** @typedef {Schemas['EndpointList']} WebhookEndpointList */
/** @typedef {Schemas['Endpoint']} WebhookEndpoint */
/** @typedef {Schemas['EndpointCreated']} WebhookEndpointCreated */
/** @typedef {Schemas['EventType']} WebhookEventType */
/** @typedef {Schemas['DeliveryPage']} WebhookDeliveryPage */
/** @typedef {Schemas['Delivery']} WebhookDelivery */
/** @typedef {Schemas['DeliveryStatus']} WebhookDeliveryStatus */
/**
 * What a replay answers: the original route's answer (for calls/finalize: call_id,
 * outcome, sentiment, message...) plus the entry's id and when it was replayed. The
 * document types it as an open object, so its members are read with checks.
 * @typedef {Record<string, unknown>} ReplayAnswer
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
 * @returns {Promise<SignedIn>}
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
 * Create or update one load (admin scope), through the same upsert and validation as the
 * API; a 422 names the field at fault.
 * @param {Record<string, string | number | null>} load
 * @returns {Promise<Schemas['UpsertAnswer']>}
 */
export async function saveLoad(load) {
  const res = await request('/loads', { method: 'POST', body: load });
  return readJson(res);
}

/**
 * Build "?a=1&b=2" from an object, skipping empty values.
 * @param {Record<string, string | number | null | undefined>} params
 */
function queryString(params) {
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
 * @param {Period} period
 * @param {AbortSignal} [signal]
 * @returns {Promise<Summary>}
 */
export function getSummary(period, signal) {
  return getJson('/metrics/summary' + queryString({ from: period.from, to: period.to }), signal);
}

/**
 * @param {Period & { bucket: 'day' | 'hour' }} params
 * @param {AbortSignal} [signal]
 * @returns {Promise<Timeseries>}
 */
export async function getTimeseries({ from, to, bucket }, signal) {
  const body = await getJson('/metrics/timeseries' + queryString({ from, to, bucket }), signal);
  return { bucket: body.bucket || bucket, points: Array.isArray(body.points) ? body.points : [] };
}

// -------------------------------------------------------------------- calls

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
 * @returns {Promise<CallPage>}
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

// ----------------------------------------------------------------- carriers

/**
 * A carrier's history: its calls, verifications, negotiations and bookings.
 * @param {string} mc the MC number in any spelling
 * @param {AbortSignal} [signal]
 * @returns {Promise<CarrierHistory>}
 */
export async function getCarrier(mc, signal) {
  const body = await getJson('/carriers/' + encodeURIComponent(mc), signal);
  if (!body.summary || typeof body.summary !== 'object') {
    throw new ApiError(200, 'invalid_response', 'The server sent an unexpected response.');
  }
  return {
    ...body,
    verifications: Array.isArray(body.verifications) ? body.verifications : [],
    calls: Array.isArray(body.calls) ? body.calls : [],
    negotiations: Array.isArray(body.negotiations) ? body.negotiations : [],
    bookings: Array.isArray(body.bookings) ? body.bookings : []
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
  /** @type {TestCallStatus} */
  const body = await getJson('/calls/test');
  return body.enabled === true;
}

/**
 * @param {string} [phoneNumber]
 * @returns {Promise<TestCallStarted>}
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

/**
 * How the TMS feed (LOADS_FEED_URL) is doing; every field null when none is set.
 * @param {AbortSignal} [signal]
 * @returns {Promise<LoadSyncStatus>}
 */
export function getLoadSyncStatus(signal) {
  return getJson('/loads/sync', signal);
}

// ------------------------------------------------------- outbound webhooks

/**
 * The registered endpoints (never their secrets) and every event type.
 * @param {AbortSignal} [signal]
 * @returns {Promise<WebhookEndpointList>}
 */
export async function listWebhookEndpoints(signal) {
  const body = await getJson('/webhooks/endpoints', signal);
  if (!Array.isArray(body.endpoints) || !Array.isArray(body.event_types)) {
    throw new ApiError(200, 'invalid_response', 'The server sent an unexpected response.');
  }
  return body;
}

/**
 * Register an endpoint (admin scope). The answer holds the signing secret, shown once.
 * @param {{ url: string, events: string[], description?: string }} endpoint
 * @returns {Promise<WebhookEndpointCreated>}
 */
export async function createWebhookEndpoint(endpoint) {
  const res = await request('/webhooks/endpoints', { method: 'POST', body: endpoint });
  return readJson(res);
}

/**
 * Delete an endpoint (admin scope): nothing more is sent to it.
 * @param {string} endpointId
 */
export async function deleteWebhookEndpoint(endpointId) {
  await request(`/webhooks/endpoints/${encodeURIComponent(endpointId)}`, { method: 'DELETE' });
}

/**
 * Deliveries, newest first, each with its attempts; pass next_cursor back as `cursor`.
 * @param {{ endpointId?: string | null, status?: WebhookDeliveryStatus | 'all', limit?: number, cursor?: string | null }} params
 * @param {AbortSignal} [signal]
 * @returns {Promise<WebhookDeliveryPage>}
 */
export async function listWebhookDeliveries({ endpointId, status, limit, cursor } = {}, signal) {
  const query = queryString({ endpoint_id: endpointId, status, limit, cursor });
  const body = await getJson('/webhooks/deliveries' + query, signal);
  if (!Array.isArray(body.deliveries)) {
    throw new ApiError(200, 'invalid_response', 'The server sent an unexpected response.');
  }
  return {
    deliveries: body.deliveries,
    next_cursor: typeof body.next_cursor === 'string' && body.next_cursor ? body.next_cursor : null
  };
}

/**
 * Send a delivery again (admin scope); the answer is the delivery, pending.
 * @param {string} deliveryId
 * @returns {Promise<WebhookDelivery>}
 */
export async function redeliverWebhook(deliveryId) {
  const res = await request(`/webhooks/deliveries/${encodeURIComponent(deliveryId)}/redeliver`, {
    method: 'POST',
    body: {}
  });
  return readJson(res);
}

// --------------------------------------------------------------- negotiation

/**
 * @param {AbortSignal} [signal]
 * @returns {Promise<Policy>}
 */
export function getPolicy(signal) {
  return getJson('/negotiations/policy', signal);
}

/** URL of the live event stream (Server-Sent Events, cookie-authenticated). */
export const EVENTS_URL = `${BASE}/events`;
