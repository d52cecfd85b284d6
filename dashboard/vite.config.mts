/** Vite build of the dashboard, served by the relayer at /dashboard/ (src/relayer/http/dashboard.ts). */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/dashboard/",
  plugins: [react()],
  // `npm run dev:dashboard`: hot reload at http://127.0.0.1:5173/dashboard/ against the relayer of `npm start`.
  server: { host: "127.0.0.1", port: 5173, proxy: { "/core": "http://127.0.0.1:8080" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // ethers is most of the bundle; one chunk keeps the page to two requests.
    chunkSizeWarningLimit: 1500,
  },
});
