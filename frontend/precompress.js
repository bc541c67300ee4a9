// Build step: next to every text file of the build (scripts, styles, the page), a Brotli (.br) and a gzip (.gz) copy,
// compressed once here at their strongest, so `redflare serve` answers compressed bytes without spending CPU on any
// request (src/redflare/web/ui.py picks the copy by the browser's Accept-Encoding). Plain JavaScript with a
// declaration beside it (precompress.d.ts): the config's type check needs no Node.js typings this way.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const TEXT = /\.(js|mjs|css|html|svg|json|txt)$/;
const SMALLEST = 1024; // below a packet, compressing saves nothing worth a second file

const toBrotli = promisify(brotliCompress);
const toGzip = promisify(gzip);

/** @returns {import("vite").Plugin} */
export function precompress() {
  return {
    name: "redflare-precompress",
    apply: "build",
    async writeBundle(options, bundle) {
      const outDir = options.dir ?? "dist";
      const names = Object.keys(bundle).filter((name) => TEXT.test(name));
      await Promise.all(
        names.map(async (name) => {
          const path = join(outDir, name);
          const bytes = await readFile(path);
          if (bytes.length < SMALLEST) return;
          const [br, gz] = await Promise.all([
            toBrotli(bytes, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
              },
            }),
            toGzip(bytes, { level: constants.Z_BEST_COMPRESSION }),
          ]);
          // A copy no smaller than the file is left out: the server then sends the file as it is.
          if (br.length < bytes.length) await writeFile(`${path}.br`, br);
          if (gz.length < bytes.length) await writeFile(`${path}.gz`, gz);
        }),
      );
    },
  };
}
