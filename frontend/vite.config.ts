import { defineConfig } from "vite";

// The build is committed in ../frontend-dist and embedded in the binary (rust-embed), so it must
// be deterministic: hashed names, no source maps, no build timestamps.
export default defineConfig({
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
  build: {
    outDir: "../frontend-dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsDir: "assets",
    target: "es2022",
    modulePreload: { polyfill: false },
  },
});
