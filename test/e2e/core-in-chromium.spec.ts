/**
 * The protocol core in Chromium: the same published vectors, frozen vectors and in-memory transfers the Node suites
 * run, executed inside a real page over the browser's own WebCrypto (test/e2e/browser-entry.ts, bundled by
 * scripts/build-core-bundle.mjs with no Node polyfills).
 *
 * WebCrypto exists only in a secure context, and about:blank or setContent is not one, so the bundle is served
 * from http://127.0.0.1 (a loopback origin is potentially trustworthy: W3C Secure Contexts §3.2) by a small static
 * server that each worker starts on an ephemeral port. The page does the work and the comparing; this file reads
 * the vector files, hands them in, and asserts on the counts and codes that come back.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import type { SealdropTests, TransferReport, VectorRun } from './browser-entry';

const root = resolve(import.meta.dirname, '../..');
const bundleDir = join(root, 'dist/browser');
const publishedDir = join(root, 'test/vectors/published');
const frozenDir = join(root, 'test/vectors');

// ---------------------------------------------------------------- serving the bundle

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Serves dist/browser/ read-only on 127.0.0.1, on a port the OS picks. Nothing outside that folder is reachable. */
async function serveBundle(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = resolve(bundleDir, `.${path === '/' ? '/index.html' : path}`);
    const type = CONTENT_TYPES[extname(file)];
    if (request.method !== 'GET' || !file.startsWith(bundleDir + sep) || !type || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(readFileSync(file));
  });
  await new Promise<void>((ready, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', ready);
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------- fixtures

const test = base.extend<{ core: Page }, { origin: string }>({
  origin: [
    async ({}, use) => {
      if (!existsSync(join(bundleDir, 'core-bundle.js')) || !existsSync(join(bundleDir, 'index.html'))) {
        throw new Error('dist/browser/core-bundle.js or index.html is missing: run npm run build:core-bundle');
      }
      const { server, origin } = await serveBundle();
      await use(origin);
      await new Promise((closed) => server.close(closed));
    },
    { scope: 'worker' },
  ],

  /** The page with the bundle loaded and window.sealdropTests ready; uncaught page errors fail the test. */
  core: async ({ page, origin }, use) => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/index.html`);
    await page
      .waitForFunction(() => window.sealdropTests !== undefined, null, { timeout: 10_000 })
      .catch(() => {
        throw new Error(`the bundle did not set window.sealdropTests; page errors: ${pageErrors.join(' | ') || 'none'}`);
      });
    await use(page);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  },
});

/** Calls one of the page's test functions; the argument and the result cross the bridge as JSON. */
function inPage<K extends keyof SealdropTests>(page: Page, name: K, ...args: Parameters<SealdropTests[K]>) {
  return page.evaluate(
    ([fn, fnArgs]) => {
      const tests = window.sealdropTests as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return tests[fn]!(...fnArgs);
    },
    [name, args] as const,
  ) as ReturnType<SealdropTests[K]>;
}

/** Puts counts and timings in the report (reports/playwright.json) and on the console. */
function record(title: string, value: unknown): void {
  const description = JSON.stringify(value);
  test.info().annotations.push({ type: title, description });
  console.log(`[core-in-chromium] ${title}: ${description}`);
}

// ---------------------------------------------------------------- reading vector files

/** Every *.json file in `dir` (not recursive), parsed, by file name. */
function readVectorFiles(dir: string): Record<string, unknown> {
  if (!existsSync(dir)) return {};
  const names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  return Object.fromEntries(names.map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown]));
}

/**
 * Cases per file as the files say, counted without knowing their schema: one per element of every array that is a
 * top-level field of the file or a field of a top-level object (`vectors`, `valid`, `invalid`, `control.records`).
 * The page counts the cases it actually ran; a runner that ignores an array, or a page that ran nothing, differs.
 */
function caseCounts(files: Record<string, unknown>): Record<string, number> {
  const arraysIn = (value: unknown): unknown[][] =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.values(value).filter((field): field is unknown[] => Array.isArray(field))
      : [];
  return Object.fromEntries(
    Object.entries(files).map(([name, file]) => {
      const nested = Object.values(file as object).flatMap(arraysIn);
      return [name, [...arraysIn(file), ...nested].reduce((n, array) => n + array.length, 0)];
    }),
  );
}

function expectAllPassed(run: VectorRun, files: Record<string, unknown>): void {
  const counts = caseCounts(files);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  expect(run.failures, 'vectors that failed in Chromium').toEqual([]);
  expect(run.failed).toBe(0);
  // Held against the files read here: a page that ran nothing, or skipped a file, cannot pass.
  expect(run.perFile).toEqual(counts);
  expect(run.passed).toBe(total);
}

// ---------------------------------------------------------------- tests

test('the page is a secure context in Chromium, with WebCrypto', async ({ core, browserName }) => {
  expect(browserName).toBe('chromium');
  const env = await core.evaluate(() => ({
    secure: window.isSecureContext,
    subtle: typeof crypto.subtle?.digest === 'function',
    userAgent: navigator.userAgent,
    // User-Agent Client Hints (Chromium only, secure contexts only): the engine names itself.
    brands: ((navigator as { userAgentData?: { brands: { brand: string }[] } }).userAgentData?.brands ?? []).map(
      (b) => b.brand,
    ),
  }));
  expect(env.secure, 'window.isSecureContext').toBe(true);
  expect(env.subtle, 'crypto.subtle').toBe(true);
  expect(env.userAgent).toMatch(/(HeadlessChrome|Chrome|Chromium)\/\d+/);
  expect(env.brands).toContain('Chromium');
  record('browser', { userAgent: env.userAgent, brands: env.brands, version: core.context().browser()?.version() });
});

test('published vectors (RFC 8032, 7748, 5869, 4231, GCM) pass through the wrappers in Chromium', async ({ core }) => {
  const files = readVectorFiles(publishedDir);
  expect(Object.keys(files).length, `vector files in ${publishedDir}`).toBeGreaterThan(0);
  for (const [name, count] of Object.entries(caseCounts(files))) expect(count, `${name} has vectors`).toBeGreaterThan(0);
  const run = await inPage(core, 'runPublishedVectors', files);
  record('published vectors', { passed: run.passed, failed: run.failed, perFile: run.perFile, ms: run.ms });
  expectAllPassed(run, files);
});

test('frozen vectors (test/vectors/*.json) pass in Chromium', async ({ core }) => {
  const files = readVectorFiles(frozenDir);
  expect(Object.keys(files).sort(), 'the frozen vector files').toEqual(
    ['fingerprints.json', 'frames.json', 'handshake.json', 'links.json', 'manifest.json', 'stream.json'],
  );
  const run = await inPage(core, 'runFrozenVectors', files);
  record('frozen vectors', { passed: run.passed, failed: run.failed, perFile: run.perFile, ms: run.ms });
  expectAllPassed(run, files);
});

function summary(report: TransferReport) {
  const { files, sender, receiver, dataFrames, expectedDataFrames, ms } = report;
  return { sender, receiver, files, dataFrames, expectedDataFrames, ms };
}

test('in-memory transfer in the page: an empty file, an empty folder and 2 MiB arrive identical, at Level 3', async ({ core }) => {
  const report = await inPage(core, 'runMemoryTransfer');
  record('memory transfer', summary(report));
  expect(report.receiver).toMatchObject({ ok: true, code: null, level: 3, verifiedBy: 'link-fingerprint' });
  expect(report.sender).toMatchObject({ ok: true, code: null, level: 3 });
  expect(report.files.map((f) => [f.path, f.size])).toEqual([['empty.txt', 0], ['big.bin', 2 * 1024 * 1024]]);
  expect(report.files.filter((f) => !f.identical), 'files not committed identical to the source').toEqual([]);
  expect(report.allFilesIdentical).toBe(true);
  expect(report.directoriesCreated).toEqual(['empty-folder']);
  expect(report.pendingParts).toBe(0);
  // Every chunk crossed the transport exactly once: the bytes really went through STREAM, nothing was resent.
  expect(report.dataFrames).toBe(report.expectedDataFrames);
});

test('tampered transfer in the page: one flipped bit in a DATA frame fails with CHUNK_AUTH_FAILED', async ({ core }) => {
  const report = await inPage(core, 'runTamperedTransfer');
  record('tampered transfer', summary(report));
  expect(report.receiver.ok).toBe(false);
  expect(report.receiver.code).toBe('CHUNK_AUTH_FAILED');
  expect(report.sender.ok).toBe(false);
  expect(report.files.find((f) => f.path === 'big.bin')?.committed, 'big.bin committed after tampering').toBe(false);
});
