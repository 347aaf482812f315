// Display formatting shared by the dashboard components.
// Dates are shown in the browser's local time zone.

const LOCALE = 'en-US';
const DASH = '—';

const pickupFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit'
});

const fullDateFormat = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: 'full',
  timeStyle: 'long'
});

const wholeDollars = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0
});

const dollarsAndCents = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2
});

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/**
 * @param {unknown} value
 * @returns {value is number}
 */
function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * @param {string | null | undefined} iso
 * @returns {Date | null}
 */
function parseDate(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * "Tue, Nov 24, 8:00 AM" in the viewer's local time zone.
 * @param {string | null | undefined} iso
 */
export function formatPickup(iso) {
  const d = parseDate(iso);
  return d ? pickupFormat.format(d) : DASH;
}

/**
 * Long form for tooltips: "Tuesday, November 24, 2026 at 8:00:00 AM CST".
 * @param {string | null | undefined} iso
 */
export function formatFullDate(iso) {
  const d = parseDate(iso);
  return d ? fullDateFormat.format(d) : '';
}

/**
 * "$2,150" for whole dollars, "$2,150.50" otherwise.
 * @param {number | null | undefined} amount
 */
export function formatMoney(amount) {
  if (!isNumber(amount)) return DASH;
  return Number.isInteger(amount) ? wholeDollars.format(amount) : dollarsAndCents.format(amount);
}

/**
 * Dollars per mile, always with cents: "$2.75".
 * @param {number | null | undefined} amount
 */
export function formatRatePerMile(amount) {
  return isNumber(amount) ? dollarsAndCents.format(amount) : DASH;
}

/**
 * "42,000"
 * @param {number | null | undefined} n
 */
export function formatInteger(n) {
  return isNumber(n) ? integer.format(n) : DASH;
}

/**
 * "42,000 lb"
 * @param {number | null | undefined} pounds
 */
export function formatWeight(pounds) {
  return isNumber(pounds) ? `${integer.format(pounds)} lb` : DASH;
}

/**
 * "Dallas, TX", falling back to the separate city/state fields.
 * @param {string | null | undefined} place
 * @param {string | null | undefined} city
 * @param {string | null | undefined} state
 */
export function formatPlace(place, city, state) {
  if (place) return place;
  const parts = [city, state].filter(Boolean);
  return parts.length ? parts.join(', ') : DASH;
}

/**
 * "available" -> "Available"
 * @param {string | null | undefined} status
 */
export function formatStatus(status) {
  if (!status) return DASH;
  return status.charAt(0).toUpperCase() + status.slice(1);
}
