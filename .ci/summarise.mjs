// Turns one test runner's JSON report and exit code into two numbers, "PASSED FAILED", on stdout.
//
//   node .ci/summarise.mjs vitest     reports/vitest.json     <exit code>
//   node .ci/summarise.mjs playwright reports/playwright.json <exit code>
//
// A runner that failed without a readable report (crash, timeout, config error) counts as one failure, and so does
// a non-zero exit whose report shows no failing test (an unhandled error, a test file that failed to load): a red
// step must never add up to zero failures. Explanations go to stderr so the caller can read stdout as two numbers.

import { readFileSync } from 'node:fs';

const [kind, reportPath, exitArg] = process.argv.slice(2);
const exitCode = Number(exitArg ?? '1');

function readReport() {
  try {
    return JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch (error) {
    console.error(`[ci] ${kind}: no readable report at ${reportPath} (${error.message})`);
    return undefined;
  }
}

function count(n) {
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** vitest's json reporter: Jest-compatible totals plus per-file results. */
function vitest(report) {
  const passed = count(report.numPassedTests);
  let failed = count(report.numFailedTests);
  if (failed === 0 && (exitCode !== 0 || report.success === false)) {
    const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed');
    for (const file of brokenFiles) console.error(`[ci] vitest: ${file.name} failed: ${file.message ?? ''}`);
    failed = Math.max(1, brokenFiles.length);
  }
  return [passed, failed];
}

/**
 * Playwright's json reporter: `stats.expected` passed as written, `stats.flaky` passed only on a retry,
 * `stats.unexpected` failed, `stats.skipped` did not run. `errors` holds failures outside any test
 * (global setup, a test file that does not load).
 */
function playwright(report) {
  const stats = report.stats ?? {};
  const flaky = count(stats.flaky);
  if (flaky > 0) console.error(`[ci] playwright: ${flaky} test(s) passed only on retry (flaky)`);
  const skipped = count(stats.skipped);
  if (skipped > 0) console.error(`[ci] playwright: ${skipped} test(s) skipped`);
  const passed = count(stats.expected) + flaky;
  let failed = count(stats.unexpected);
  const errors = report.errors ?? [];
  for (const error of errors) console.error(`[ci] playwright: ${error.message ?? JSON.stringify(error)}`);
  if (failed === 0 && (exitCode !== 0 || errors.length > 0)) failed = Math.max(1, errors.length);
  return [passed, failed];
}

const summarisers = { vitest, playwright };
const summarise = summarisers[kind];
if (!summarise) {
  console.error(`[ci] unknown report kind ${kind}`);
  console.log('0 1');
} else {
  const report = readReport();
  const [passed, failed] = report === undefined ? [0, 1] : summarise(report);
  console.log(`${passed} ${failed}`);
}
