// Bundles the viewer (src/viewer.js + three.js from node_modules) into one classic script,
// dist/viewer.js, that `graspqp view` inlines into each index.html. A classic (non-module) script
// inlined into the page is what works from file:// in Chromium, which blocks ES modules and fetches
// there. Run with `npm run build` (scripts/install_deps.sh does it after `npm ci`).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const threeVersion = JSON.parse(readFileSync(join(here, 'node_modules/three/package.json'), 'utf8')).version;
const result = await build({
  absWorkingDir: here,
  entryPoints: ['src/viewer.js'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'eof',
  loader: { '.css': 'text' },
  define: { __THREE_VERSION__: JSON.stringify(threeVersion) },
  banner: { js: `/* graspqp viewer; bundles three.js ${threeVersion} (MIT License, Copyright 2010-2025 three.js authors) */` },
  write: false,
  logLevel: 'warning',
});
const text = result.outputFiles[0].text;
if (/<\/script/i.test(text)) console.warn('build.mjs: note: the bundle contains "</script"; graspqp escapes it when inlining');
mkdirSync(join(here, 'dist'), { recursive: true });
const out = join(here, 'dist/viewer.js');
const tmp = `${out}.tmp.${process.pid}`;
writeFileSync(tmp, text);
renameSync(tmp, out);
console.log(`web/dist/viewer.js: ${(text.length / 1024).toFixed(0)} KiB (three.js ${threeVersion})`);
