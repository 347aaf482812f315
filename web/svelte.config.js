/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  compilerOptions: {
    // Runes mode everywhere; legacy component syntax is a compile error.
    runes: true
  }
};
