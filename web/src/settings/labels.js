// Words for outbound webhooks, shared by the settings page's cards.

/** What each event type means to a manager. */
export const EVENT_LABELS = {
  'booking.created': 'Booking created',
  'booking.confirmed': 'Booking confirmed',
  'booking.released': 'Booking released',
  'call.finalized': 'Call finalized',
  'callback.requested': 'Callback requested',
  'load.withdrawn': 'Load withdrawn'
};

/** @param {string} type */
export function eventLabel(type) {
  return EVENT_LABELS[/** @type {keyof typeof EVENT_LABELS} */ (type)] ?? type;
}

/** @param {string[]} events an endpoint's list, `['*']` for all */
export function eventsLabel(events) {
  return events.length === 1 && events[0] === '*' ? 'All events' : events.map(eventLabel).join(', ');
}

/** A URL without its scheme, for a narrow cell. @param {string} url */
export function shortUrl(url) {
  return url.replace(/^https?:\/\//, '');
}
