// Light/dark follows the system (prefers-color-scheme). Charts draw on a
// canvas, so they read the colours from the CSS variables and redraw when the
// scheme changes.

const media = window.matchMedia('(prefers-color-scheme: dark)');

export const theme = $state({ dark: media.matches });

media.addEventListener('change', (e) => {
  theme.dark = e.matches;
});

/**
 * The current value of a CSS custom property on :root, e.g. cssVar('--accent').
 * @param {string} name
 * @param {string} [fallback]
 */
export function cssVar(name, fallback = '#888') {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}
