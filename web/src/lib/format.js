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

const oneDecimal = new Intl.NumberFormat(LOCALE, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1
});

const compactMoney = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1
});

const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit'
});

const timeFormat = new Intl.DateTimeFormat(LOCALE, {
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit'
});

const shortTimeFormat = new Intl.DateTimeFormat(LOCALE, { hour: 'numeric', minute: '2-digit' });

/**
 * A 0..1 share as a percentage with one decimal: 0.3125 -> "31.3%".
 * @param {number | null | undefined} share
 */
export function formatShare(share) {
  return isNumber(share) ? `${oneDecimal.format(share * 100)}%` : DASH;
}

/**
 * A percentage value with a sign: 4.9 -> "+4.9%", -1.25 -> "−1.3%".
 * @param {number | null | undefined} pct
 */
export function formatSignedPercent(pct) {
  if (!isNumber(pct)) return DASH;
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '';
  return `${sign}${oneDecimal.format(Math.abs(pct))}%`;
}

/**
 * A dollar difference with a sign: 100.5 -> "+$100.50".
 * @param {number | null | undefined} amount
 */
export function formatSignedMoney(amount) {
  if (!isNumber(amount)) return DASH;
  const sign = amount > 0 ? '+' : amount < 0 ? '−' : '';
  return sign + formatMoney(Math.abs(amount));
}

/**
 * Whole dollars, always: "$123,457".
 * @param {number | null | undefined} amount
 */
export function formatWholeMoney(amount) {
  return isNumber(amount) ? wholeDollars.format(amount) : DASH;
}

/**
 * "$12.3K" for chart axes.
 * @param {number | null | undefined} amount
 */
export function formatCompactMoney(amount) {
  return isNumber(amount) ? compactMoney.format(amount) : DASH;
}

/**
 * One decimal: 1.66 -> "1.7".
 * @param {number | null | undefined} n
 */
export function formatDecimal(n) {
  return isNumber(n) ? oneDecimal.format(n) : DASH;
}

/**
 * Seconds as "4m 05s", "1h 02m", "45s".
 * @param {number | null | undefined} seconds
 */
export function formatDuration(seconds) {
  if (!isNumber(seconds) || seconds < 0) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(rest).padStart(2, '0')}s`;
}

/**
 * "Nov 24, 8:05 AM" in local time.
 * @param {string | null | undefined} iso
 */
export function formatDateTime(iso) {
  const d = parseDate(iso);
  return d ? dateTimeFormat.format(d) : DASH;
}

/**
 * "8:05:12 AM" in local time.
 * @param {string | null | undefined} iso
 */
export function formatTime(iso) {
  const d = parseDate(iso);
  return d ? timeFormat.format(d) : DASH;
}

/**
 * "8:05 AM" from a Date or timestamp.
 * @param {Date | number} value
 */
export function formatClock(value) {
  return shortTimeFormat.format(value);
}

/**
 * The premium of an agreed rate over the posted rate, as "+$150 (+7.1%)".
 * @param {number | null | undefined} agreed
 * @param {number | null | undefined} posted
 */
export function formatPremium(agreed, posted) {
  if (!isNumber(agreed) || !isNumber(posted) || posted === 0) return '';
  const diff = agreed - posted;
  return `${formatSignedMoney(diff)} (${formatSignedPercent((diff / posted) * 100)})`;
}
