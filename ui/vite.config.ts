import { defineConfig } from 'vitest/config';

// Vite bundles this file before running it and fills in import.meta.dirname (this folder), so the
// root is ui/ whichever directory the command is started from.
const uiDir = import.meta.dirname;

export default defineConfig({
  root: uiDir,
  base: './',
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
});
