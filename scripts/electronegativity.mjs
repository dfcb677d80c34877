#!/usr/bin/env node
// Electronegativity (@doyensec/electronegativity) over the desktop app's sources: main/, preload/ and renderer/,
// scanned together so its global checks (navigation limits, permission handler, CSP) see the whole app at once.
// Writes reports/electronegativity.json and exits non-zero on any HIGH finding that is not an accepted, documented
// false positive (docs/security/electronegativity.md), or on any file it could not parse (unparsed = unchecked).
//
// Findings on what we learnt running it (see the doc for details):
// - No build is needed: it parses TypeScript and TSX sources itself (typescript-estree, then Babel).
// - It must be told the Electron version: it reads it from a package.json inside the scanned folder, finds none in
//   main/ and silently assumes 0.1.0, whose insecure defaults (no context isolation, Node integration on) turn
//   into false findings. The option is `electronVersionOverride` (the README's `electronVersion` is not read).
// - It is kept offline: AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK downloads Electron's release list and is excluded
//   (Electron is pinned in package.json and updated on purpose), and the tool's start-up download of translations
//   is answered locally with "unavailable", so it uses the English strings it ships.
//
// Usage: node scripts/electronegativity.mjs

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGETS = ['main', 'preload', 'renderer'];
const REPORT = path.join(ROOT, 'reports', 'electronegativity.json');
const require = createRequire(import.meta.url);

/** Checks excluded from every run, each because it needs the network. */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

/**
 * Findings reviewed and accepted as false positives. Each entry matches one finding exactly — check id, file, and a
 * fragment of the flagged code or, for a whole-app finding, of its description — and names its section in
 * docs/security/electronegativity.md. It stays in the report, marked accepted. Add an entry only for a finding
 * that is provably wrong, never to make a real one go away.
 * @type {{ id: string, file: string, fragment: string, doc: string }[]}
 */
const ACCEPTED = [
  {
    id: 'CSP_GLOBAL_CHECK',
    file: 'N/A',
    fragment: 'No CSP has been detected',
    doc: 'csp_global_check-no-csp-has-been-detected',
  },
];

function offlineTranslations() {
  // i18n.js fetches `${i18nSource}/${LANG}.json` with got on every run and falls back to its bundled locales when
  // the request fails; make it fail without a request.
  const i18n = require.resolve('@doyensec/electronegativity/dist/locales/i18n.js');
  const gotPath = createRequire(i18n).resolve('got');
  const unavailable = () => Promise.reject(new Error('translations are not downloaded in CI'));
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: Object.assign(unavailable, { default: unavailable }) };
}

function stageSources() {
  const stage = mkdtempSync(path.join(tmpdir(), 'sealdrop-electronegativity-'));
  for (const target of TARGETS) {
    cpSync(path.join(ROOT, target), path.join(stage, target), {
      recursive: true,
      filter: (source) => !source.split(path.sep).includes('node_modules'),
    });
  }
  return stage;
}

function acceptedEntry(issue) {
  return ACCEPTED.find(
    (entry) =>
      entry.id === issue.id &&
      entry.file === issue.file &&
      (String(issue.sample ?? '').includes(entry.fragment) || String(issue.description ?? '').includes(entry.fragment)),
  );
}

async function main() {
  offlineTranslations();
  const run = require('@doyensec/electronegativity');
  const toolVersion = JSON.parse(readFileSync(require.resolve('@doyensec/electronegativity/package.json'), 'utf8')).version;
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

  const stage = stageSources();
  let result;
  const log = console.log;
  // The tool's one line about the (deliberately failed) translation download is noise here.
  console.log = (...args) => {
    if (!String(args[0]).startsWith('Could not retrieve updated translations')) log(...args);
  };
  try {
    result = await run({
      input: stage,
      isSarif: false,
      customScan: [],
      excludeFromScan: EXCLUDED_CHECKS,
      isRelative: true,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    });
  } finally {
    console.log = log;
    rmSync(stage, { recursive: true, force: true });
  }

  const issues = result.issues.map((issue) => ({
    id: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    file: issue.file,
    line: issue.location.line,
    column: issue.location.column,
    manualReview: Boolean(issue.manualReview),
    description: issue.description,
    sample: issue.sample === undefined ? null : String(issue.sample).slice(0, 500),
    accepted: acceptedEntry(issue)?.doc ?? null,
  }));
  const parseErrors = result.errors.map((error) => ({ file: path.relative(stage, error.file), message: error.message, tolerable: error.tolerable }));

  mkdirSync(path.dirname(REPORT), { recursive: true });
  writeFileSync(
    REPORT,
    `${JSON.stringify({ tool: `@doyensec/electronegativity ${toolVersion}`, electronVersion, scanned: TARGETS, excludedChecks: EXCLUDED_CHECKS, checks: { global: result.globalChecks, atomic: result.atomicChecks }, parseErrors, issues }, null, 2)}\n`,
  );

  const bySeverity = (name) => issues.filter((issue) => issue.severity === name);
  console.log(`electronegativity ${toolVersion}, Electron ${electronVersion}: ${result.globalChecks} global and ${result.atomicChecks} atomic checks over ${TARGETS.join('/, ')}/`);
  for (const severity of ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']) {
    for (const issue of bySeverity(severity)) {
      const where = issue.file === 'N/A' ? '(whole app)' : `${issue.file}:${issue.line}`;
      console.log(`  ${severity.padEnd(13)} ${issue.confidence.padEnd(9)} ${issue.id} ${where}${issue.accepted ? `  [accepted false positive: docs/security/electronegativity.md#${issue.accepted}]` : ''}`);
    }
  }
  console.log(`report: ${path.relative(ROOT, REPORT)}`);

  const failures = [];
  for (const issue of bySeverity('HIGH').filter((issue) => !issue.accepted)) {
    failures.push(`HIGH ${issue.id} at ${issue.file}:${issue.line}: ${issue.description}`);
  }
  for (const error of parseErrors.filter((error) => !error.tolerable)) failures.push(`could not parse ${error.file}: ${error.message}`);
  if (failures.length > 0) {
    console.error(`\nelectronegativity: ${failures.length} blocking finding(s):`);
    for (const failure of failures) console.error(`  - ${failure}`);
    process.exit(1);
  }
  console.log('electronegativity: no HIGH findings, and nothing unparsed');
}

main().catch((error) => {
  console.error('electronegativity: the scan itself failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
