import { defineConfig } from "vitest/config";

// The console is served by `rampart server` from web/dist: hashed file names under /assets/ (the
// server caches them for a year), no inline scripts (the server's CSP forbids them).
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
