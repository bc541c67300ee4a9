import type { Plugin } from "vite";

/** Writes a .br and a .gz copy beside every text file of the build (see precompress.js). */
export function precompress(): Plugin;
