// Display names for the API's codes (outcomes, sentiments, FMCSA reasons...).
// Only wording lives here; every figure comes from the API.

/** Outcome codes in the order the dashboard lists them. */
export const OUTCOMES = [
  'booked',
  'negotiation_failed',
  'carrier_declined',
  'no_matching_loads',
  'carrier_ineligible',
  'callback_requested',
  'abandoned',
  'other'
];

/** @type {Record<string, string>} */
const OUTCOME_LABELS = {
  booked: 'Booked',
  negotiation_failed: 'Negotiation failed',
  carrier_declined: 'Carrier declined',
  no_matching_loads: 'No matching loads',
  carrier_ineligible: 'Carrier ineligible',
  callback_requested: 'Callback requested',
  abandoned: 'Abandoned',
  other: 'Other',
  unclassified: 'Unclassified'
};

/**
 * The outcomes a figure keyed by outcome lists, in the dashboard's order: every known
 * outcome, then any other the server sent.
 * @param {Record<string, unknown>} byOutcome
 */
export function outcomeOrder(byOutcome) {
  return [...OUTCOMES, ...Object.keys(byOutcome).filter((k) => !OUTCOMES.includes(k))];
}

export const SENTIMENTS = ['positive', 'neutral', 'negative'];

/** @type {Record<string, string>} */
const SENTIMENT_LABELS = {
  positive: 'Positive',
  neutral: 'Neutral',
  negative: 'Negative',
  unclassified: 'Unclassified'
};

/** FMCSA eligibility reasons and warnings (SPEC §6). */
/** @type {Record<string, string>} */
const REASON_LABELS = {
  CARRIER_NOT_FOUND: 'Carrier not found',
  NOT_ALLOWED_TO_OPERATE: 'Not allowed to operate',
  USDOT_INACTIVE: 'USDOT number inactive',
  NO_ACTIVE_CARRIER_AUTHORITY: 'No active carrier authority',
  BROKER_ONLY_AUTHORITY: 'Broker-only authority',
  OUT_OF_SERVICE: 'Out of service',
  INSURANCE_BELOW_REQUIRED: 'Insurance below required',
  UNSATISFACTORY_SAFETY_RATING: 'Unsatisfactory safety rating',
  CONDITIONAL_SAFETY_RATING: 'Conditional safety rating',
  MCS150_OUTDATED: 'MCS-150 outdated',
  AMBIGUOUS_DOCKET: 'Several carriers on the docket'
};

/** @type {Record<string, string>} */
const VERIFICATION_LABELS = {
  eligible: 'Eligible',
  ineligible: 'Ineligible',
  not_found: 'Not found',
  unavailable: 'FMCSA unavailable'
};

/**
 * "snake_case" or "SCREAMING_CASE" -> "Sentence case".
 * @param {string} code
 */
function humanize(code) {
  const words = code.replace(/[_.]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** @param {string | null | undefined} outcome */
export function outcomeLabel(outcome) {
  if (!outcome) return 'Unclassified';
  return OUTCOME_LABELS[outcome] ?? humanize(outcome);
}

/** @param {string | null | undefined} sentiment */
export function sentimentLabel(sentiment) {
  if (!sentiment) return 'Unclassified';
  return SENTIMENT_LABELS[sentiment] ?? humanize(sentiment);
}

/** @param {string} reason */
export function reasonLabel(reason) {
  return REASON_LABELS[reason] ?? humanize(reason);
}

/** @param {string | null | undefined} status */
export function verificationLabel(status) {
  if (!status) return 'Not verified';
  return VERIFICATION_LABELS[status] ?? humanize(status);
}

/**
 * A CSS-safe key for outcome colours (".badge--outcome-booked", "--c-booked").
 * @param {string | null | undefined} outcome
 */
export function outcomeKey(outcome) {
  return outcome && Object.hasOwn(OUTCOME_LABELS, outcome) ? outcome : 'unclassified';
}

/** @param {string | null | undefined} sentiment */
export function sentimentKey(sentiment) {
  return sentiment && Object.hasOwn(SENTIMENT_LABELS, sentiment) ? sentiment : 'unclassified';
}

/**
 * Free-text label ("Platform status") for any code.
 * @param {string | null | undefined} code
 */
export function codeLabel(code) {
  return code ? humanize(code) : '—';
}

/** The platform webhooks whose unreadable bodies are kept (SPEC §12.2). */
/** @type {Record<string, string>} */
const WEBHOOK_ROUTE_LABELS = {
  '/api/v1/calls/finalize': 'End-of-call report',
  '/api/v1/webhooks/happyrobot': 'Session event'
};

/**
 * "/api/v1/calls/finalize" -> "End-of-call report"
 * @param {string} route
 */
export function webhookRouteLabel(route) {
  return WEBHOOK_ROUTE_LABELS[route] ?? shortRoute(route);
}

/**
 * "/api/v1/calls/finalize" -> "calls/finalize"
 * @param {string} route
 */
export function shortRoute(route) {
  return route.replace(/^\/api\/v1\//, '');
}
