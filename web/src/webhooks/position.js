// Where reading a rejected body failed, in the browser's terms. The server reports
// the JSON parser's position: lines counted from 1 at each "\n", columns counted
// in bytes (UTF-8) from 1, 0 meaning before the line's first byte. A body that ends
// too early ("EOF while parsing ...") is reported at its last character; what is
// missing is what follows it, so that is where the mark goes.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @typedef {object} ErrorPosition
 * @property {string[]} lines the body split at "\n"
 * @property {number} line 0-based index of the line where reading failed
 * @property {number} at index in that line of the first character not read
 * @property {number} offset the same place as an index in the whole body
 */

/**
 * @param {string} body
 * @param {number} line 1-based
 * @param {number} column 1-based byte column (0: start of the line)
 * @param {string} message the parser's message
 * @returns {ErrorPosition}
 */
export function errorPosition(body, line, column, message) {
  const lines = body.split('\n');
  if (/^EOF while parsing/.test(message)) {
    const last = lines.length - 1;
    return { lines, line: last, at: lines[last].length, offset: body.length };
  }
  const index = Math.min(Math.max(Math.trunc(line) || 1, 1), lines.length) - 1;
  const bytes = encoder.encode(lines[index]);
  const before = Math.min(Math.max((Math.trunc(column) || 0) - 1, 0), bytes.length);
  // A column in the middle of a character decodes to one replacement character: still one place.
  const at = Math.min(decoder.decode(bytes.subarray(0, before)).length, lines[index].length);
  let offset = at;
  for (let i = 0; i < index; i += 1) offset += lines[i].length + 1;
  return { lines, line: index, at, offset };
}

/**
 * The parser's message without the position it already gives separately:
 * "expected `,` or `}` at line 2 column 38" -> "expected `,` or `}`".
 * @param {string} message
 */
export function errorReason(message) {
  return message.replace(/ at line \d+ column \d+$/, '') || message;
}
