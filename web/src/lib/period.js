// The reporting period shared by the overview and the calls list. It lives in
// the URL query (?period=7d, or ?period=custom&from=2026-11-01&to=2026-11-15)
// so a reload or a shared link keeps it. Days are the viewer's local days.

/** @typedef {'today' | '7d' | '30d' | 'custom'} Preset */

/**
 * @typedef {object} PeriodChoice
 * @property {Preset} preset
 * @property {string} [fromDate] YYYY-MM-DD, custom only
 * @property {string} [toDate]   YYYY-MM-DD (inclusive), custom only
 */

/**
 * @typedef {object} PeriodRange
 * @property {string} from RFC 3339 (UTC)
 * @property {string} to   RFC 3339 (UTC), exclusive end
 * @property {'day' | 'hour'} bucket the natural bucket for the daily series
 */

const DEFAULT_PRESET = /** @type {Preset} */ ('7d');

/** @type {{ value: Preset, label: string, short: string }[]} */
export const PRESETS = [
  { value: 'today', label: 'Today', short: 'Today' },
  { value: '7d', label: 'Last 7 days', short: '7 days' },
  { value: '30d', label: 'Last 30 days', short: '30 days' }
];

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * @param {string | null | undefined} value
 * @returns {Date | null} local midnight of that date
 */
export function parseLocalDate(value) {
  if (!value || !DATE_RE.test(value)) return null;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d
    ? date
    : null;
}

/**
 * @param {Date} date
 * @returns {string} YYYY-MM-DD in local time
 */
export function toDateInput(date) {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/**
 * @param {Date} date
 * @param {number} days
 */
function addDays(date, days) {
  const out = new Date(date);
  out.setDate(out.getDate() + days);
  return out;
}

/**
 * @param {Date} date
 */
function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

/**
 * RFC 3339 in UTC without milliseconds: "2026-11-21T06:00:00Z".
 * @param {Date} date
 */
function toRfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Read the period from the URL query.
 * @param {URLSearchParams} params
 * @returns {PeriodChoice}
 */
export function periodFromQuery(params) {
  const preset = params.get('period');
  if (preset === 'custom') {
    const from = parseLocalDate(params.get('from'));
    const to = parseLocalDate(params.get('to'));
    if (from && to) {
      // Tolerate a reversed range.
      const [a, b] = from <= to ? [from, to] : [to, from];
      return { preset: 'custom', fromDate: toDateInput(a), toDate: toDateInput(b) };
    }
    return { preset: DEFAULT_PRESET };
  }
  if (preset === 'today' || preset === '7d' || preset === '30d') return { preset };
  return { preset: DEFAULT_PRESET };
}

/**
 * Query parameters that encode `period` (null removes a parameter).
 * @param {PeriodChoice} period
 * @returns {Record<string, string | null>}
 */
export function periodToQuery(period) {
  if (period.preset === 'custom') {
    return { period: 'custom', from: period.fromDate ?? null, to: period.toDate ?? null };
  }
  return { period: period.preset === DEFAULT_PRESET ? null : period.preset, from: null, to: null };
}

/**
 * The query string ("?period=30d" or "") that carries the period to another page.
 * @param {PeriodChoice} period
 */
export function periodSearch(period) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(periodToQuery(period))) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/**
 * Whole local days: today = [today 00:00, tomorrow 00:00), 7 days = the last 7
 * days including today, custom = fromDate 00:00 to the day after toDate 00:00.
 * @param {PeriodChoice} period
 * @param {Date} [now]
 * @returns {PeriodRange}
 */
export function periodRange(period, now = new Date()) {
  const tomorrow = addDays(startOfDay(now), 1);
  let from;
  let to = tomorrow;
  switch (period.preset) {
    case 'today':
      from = startOfDay(now);
      break;
    case '30d':
      from = addDays(tomorrow, -30);
      break;
    case 'custom': {
      from = parseLocalDate(period.fromDate) ?? addDays(tomorrow, -7);
      const last = parseLocalDate(period.toDate);
      to = last ? addDays(last, 1) : tomorrow;
      break;
    }
    default:
      from = addDays(tomorrow, -7);
  }
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000);
  return { from: toRfc3339(from), to: toRfc3339(to), bucket: days <= 2 ? 'hour' : 'day' };
}

const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' });

/**
 * "Today", "Last 7 days", "Nov 1 – Nov 15".
 * @param {PeriodChoice} period
 */
export function periodLabel(period) {
  if (period.preset === 'custom') {
    const from = parseLocalDate(period.fromDate);
    const to = parseLocalDate(period.toDate);
    if (from && to) {
      return from.getTime() === to.getTime()
        ? dayFormat.format(from)
        : `${dayFormat.format(from)} – ${dayFormat.format(to)}`;
    }
  }
  return PRESETS.find((p) => p.value === period.preset)?.label ?? 'Last 7 days';
}
