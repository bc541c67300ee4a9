import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { precompress } from "./precompress.js";

// Built files go to dist/ and are served by `redflare serve` at "/" (SPA fallback; API under /api): assets/ holds
// content-hashed names (cached for good), each text file with a precompressed .br and .gz copy beside it.
export default defineConfig({
  base: "/",
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries in their own long-cached chunks: a release of our code does not re-download them.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: "mantine", test: /node_modules[\\/]@mantine[\\/](core|hooks)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: "http://127.0.0.1:8000", changeOrigin: false },
    },
  },
});
