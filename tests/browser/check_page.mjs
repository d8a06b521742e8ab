#!/usr/bin/env node
// Opens a page written by `graspqp view` in headless Chromium from a file:// URL, like a person
// double-clicking index.html, and checks that it works: no console errors, no failed requests, no
// request leaving the page (offline), the 3D canvas is not blank (luminance variance above a
// threshold) and the toggles change the picture. Prints one JSON line with the findings; exit 0 when
// every check passed, 1 when one failed, 2 on bad usage or when Chromium cannot start.
//
// usage: node check_page.mjs --page DIR/index.html --screenshot OUT.png [--chromium /usr/bin/chromium]
//                            [--min-variance 20] [--timeout-ms 90000]
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodePng, imageStats, diffFraction } from './png.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '../../web');

function parseArgs(argv) {
  const a = { chromium: process.env.GRASPQP_CHROMIUM || '/usr/bin/chromium', minVariance: 20, timeoutMs: 90000 };
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--page') { a.page = v; ++i; }
    else if (k === '--screenshot') { a.screenshot = v; ++i; }
    else if (k === '--chromium') { a.chromium = v; ++i; }
    else if (k === '--min-variance') { a.minVariance = Number(v); ++i; }
    else if (k === '--timeout-ms') { a.timeoutMs = Number(v); ++i; }
    else { console.error(`check_page: unknown argument ${k}`); process.exit(2); }
  }
  if (!a.page || !a.screenshot) { console.error('usage: check_page.mjs --page FILE --screenshot OUT.png'); process.exit(2); }
  return a;
}

const args = parseArgs(process.argv.slice(2));
let chromium;
try {
  chromium = createRequire(join(webDir, 'package.json'))('playwright-core').chromium;
} catch (e) {
  console.error(`check_page: playwright-core is not installed in ${webDir}/node_modules (run scripts/install_deps.sh): ${e.message}`);
  process.exit(2);
}
if (!existsSync(args.chromium)) { console.error(`check_page: no Chromium at ${args.chromium}`); process.exit(2); }

const result = { page: resolve(args.page), ok: false, errors: [], checks: {} };
const fail = (msg) => result.errors.push(msg);
const profile = mkdtempSync(join(tmpdir(), 'graspqp-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: args.chromium,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      // WebGL without a GPU: ANGLE on SwiftShader (software).
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    ],
    timeout: 60000,
  });
} catch (e) {
  console.error(`check_page: cannot start Chromium: ${e.message}`);
  rmSync(profile, { recursive: true, force: true });
  process.exit(2);
}

try {
  const page = context.pages()[0] || await context.newPage();
  const pageUrl = pathToFileURL(resolve(args.page)).href;
  page.on('console', (m) => { if (m.type() === 'error') fail(`console error: ${m.text()}`); });
  let pageFailed;
  const pageFailure = new Promise((_, reject) => { pageFailed = reject; });
  pageFailure.catch(() => {});
  page.on('pageerror', (e) => { fail(`page error: ${e.message}`); pageFailed(new Error('the page threw before it was ready')); });
  page.on('requestfailed', (r) => fail(`request failed: ${r.url()} (${r.failure() && r.failure().errorText})`));
  page.on('request', (r) => {
    const u = r.url();
    if (u !== pageUrl && !u.startsWith('data:') && !u.startsWith('blob:')) fail(`the page requested ${u} (it must be self-contained)`);
  });

  const t0 = Date.now();
  await page.goto(pageUrl, { waitUntil: 'load', timeout: args.timeoutMs });
  // Ready (or failed) as the viewer reports it, or an uncaught exception, whichever comes first.
  await Promise.race([
    page.waitForFunction(() => document.documentElement.dataset.graspqpReady || document.documentElement.dataset.graspqpError,
      null, { timeout: args.timeoutMs }),
    pageFailure,
  ]);
  result.checks.load_ms = Date.now() - t0;
  const state = await page.evaluate(() => ({
    ready: document.documentElement.dataset.graspqpReady || null,
    error: document.documentElement.dataset.graspqpError || null,
    mode: window.graspqp && window.graspqp.data.mode,
    three: window.graspqp && window.graspqp.threeVersion,
    grasps: window.graspqp && window.graspqp.data.grasps ? window.graspqp.data.grasps.length : null,
    webgl2: !!document.createElement('canvas').getContext('webgl2'),
  }));
  Object.assign(result.checks, state);
  if (!state.ready) fail(`the viewer did not start: ${state.error}`);

  // The page rebuilds the .glb files it shows from its embedded data: they must be the files on disk.
  if (state.ready) {
    const shown = await page.evaluate(() => {
      const d = window.graspqp.data;
      const bytes = d.mode === 'hand' ? window.graspqp.glb() : window.graspqp.glb(window.graspqp.current());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      return { file: d.mode === 'hand' ? d.file : d.grasps.find((g) => g.index === window.graspqp.current()).file, b64: btoa(s) };
    });
    const onDisk = join(dirname(resolve(args.page)), shown.file);
    const same = existsSync(onDisk) && Buffer.from(shown.b64, 'base64').equals(readFileSync(onDisk));
    result.checks.glb_matches_file = same;
    if (!same) fail(`the page's copy of ${shown.file} differs from ${onDisk}`);
  }

  const canvas = page.locator('#gq-view canvas');
  const shot = async () => decodePng(await canvas.screenshot({ timeout: 30000 }));
  if (state.ready) {
    const first = await shot();
    const stats = imageStats(first);
    result.checks.canvas = stats;
    if (stats.width < 100 || stats.height < 100) fail(`canvas is only ${stats.width}x${stats.height}`);
    if (!(stats.variance > args.minVariance)) fail(`canvas looks blank: luminance variance ${stats.variance.toFixed(2)} <= ${args.minVariance}`);
    if (!(stats.foreground > 0.02)) fail(`canvas looks blank: only ${(100 * stats.foreground).toFixed(2)}% of it differs from the background`);

    // The toggles change the picture: hide the object (grasps) or the links (hand).
    const key = state.mode === 'hand' ? 'links' : 'object';
    await page.evaluate((k) => window.graspqp.set(k, false), key);
    const hidden = await shot();
    result.checks.toggle_changed = diffFraction(first, hidden);
    if (!(result.checks.toggle_changed > 0.005)) fail(`hiding the ${key} did not change the picture`);
    await page.evaluate((k) => window.graspqp.set(k, true), key);
    // Switching grasps works.
    if (state.mode === 'grasps' && state.grasps > 1) {
      const before = await page.evaluate(() => window.graspqp.current());
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((b) => window.graspqp.current() !== b, before, { timeout: 30000 });
      result.checks.next_grasp = await page.evaluate(() => window.graspqp.current());
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction((b) => window.graspqp.current() === b, before, { timeout: 30000 });
    }
  }
  await page.screenshot({ path: args.screenshot, fullPage: false });
  result.screenshot = resolve(args.screenshot);
} catch (e) {
  fail(`check failed: ${e.message.split('\n')[0]}`);
} finally {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
result.ok = result.errors.length === 0;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
