// Wording shared by the carrier page's lists: each holds the latest rows (at most 100,
// as the API caps them) of a longer history.

import { formatInteger } from '../lib/format.js';

/**
 * "3 negotiations, latest first" or "Latest 100 of 240".
 * @param {number} listed rows shown
 * @param {number} total rows the carrier has
 * @param {string} one
 * @param {string} many
 */
export function listedSubtitle(listed, total, one, many) {
  if (total > listed) return `Latest ${formatInteger(listed)} of ${formatInteger(total)}`;
  return `${formatInteger(total)} ${total === 1 ? one : many}, latest first`;
}
