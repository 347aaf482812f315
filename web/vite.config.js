import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The built app is embedded in the carrier-sales binary and served under a
// strict CSP (`script-src 'self'`), so the build must not produce inline
// scripts, inline styles or data: URLs.
export default defineConfig({
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URLs.
    assetsInlineLimit: 0,
    // Single-chunk app: the modulepreload polyfill is not needed.
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false
  },
  server: {
    proxy: {
      // Host header is kept as-is (no changeOrigin) so the Origin/Host
      // pair the API sees is consistent during development.
      '/api': {
        target: 'http://127.0.0.1:8080'
      }
    }
  }
});
