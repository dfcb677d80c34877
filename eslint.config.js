// ESLint flat config for the whole repository.
//
// The rules that matter most here are the zone rules: the protocol core in src/ must stay platform-neutral
// (WebCrypto + Uint8Array, no Node, no Electron, no DOM, no React) and must never reach into the programs built
// around it. A wrong import should fail lint, not review (see shared STYLE.md, "The shape of the house").
// test/lint/zones.test.ts proves each zone rule fires.

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

const TS_FILES = ['**/*.{ts,tsx,mts,cts}'];
const JS_FILES = ['**/*.{js,mjs,cjs}'];
const TEST_FILES = ['test/**/*.{ts,tsx}', '**/*.test.{ts,tsx}'];

/** Node builtins the core must not import, by bare name (the `node:` prefix is caught by a pattern). */
const NODE_BUILTINS = [
  'fs', 'path', 'crypto', 'net', 'os', 'child_process', 'stream', 'buffer', 'http', 'https', 'tls', 'dgram',
  'url', 'util', 'events', 'worker_threads',
];
/** Packages that tie code to one platform; each belongs behind a port, in main/, relay/, cli/ or renderer/. */
const PLATFORM_PACKAGES = ['electron', 'react', 'react-dom', 'ws', 'node-datachannel', '@napi-rs/keyring'];

const CORE_MESSAGE =
  'src/ is the platform-neutral core (WebCrypto + Uint8Array only). Define a port in src/ports/ and implement it ' +
  'in main/, relay/, cli/ or renderer/.';

/** Everything that is not test code and not src/testing itself: none of it may import the in-memory fakes. */
const NOT_TEST_CODE = [
  'src/!(testing)/**', 'src/*', 'main', 'preload', 'renderer', 'relay', 'cli', 'bench', 'scripts', '*',
];

export default defineConfig([
  globalIgnores([
    '**/node_modules/', 'dist/', 'out/', 'reports/', 'test-results/', 'playwright-report/', 'coverage/',
  ]),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // Plain JavaScript: config files, .ci/ helpers, build scripts. All of it runs in Node.
  {
    files: JS_FILES,
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  // TypeScript everywhere: type-aware rules, so a forgotten `await` on a transfer or a handshake is an error.
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },

  // Import zones, for every file that can import anything.
  {
    files: [...TS_FILES, ...JS_FILES],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads only .js files when it follows imports, and no-cycle sees nothing.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', {
        basePath: root,
        zones: [
          {
            target: 'src',
            from: ['main', 'preload', 'renderer', 'relay', 'cli', 'test', 'bench', 'scripts'],
            message: 'src/ is the core; the programs around it import it, never the other way round.',
          },
          {
            target: NOT_TEST_CODE,
            from: 'src/testing',
            message: 'src/testing/ holds in-memory fakes for tests; production code takes real adapters.',
          },
          {
            target: 'renderer',
            from: ['main', 'preload', 'relay', 'cli'],
            message: 'The renderer reaches main only through the preload API (window.sealdrop, typed by src/ipc/api.ts).',
          },
          {
            target: 'preload',
            from: ['main', 'renderer', 'relay', 'cli'],
            message: 'The preload is a thin bridge: electron and the IPC contract in src/ipc/, nothing else.',
          },
        ],
      }],
    },
  },

  // The core, src/ including src/testing/ (which also runs in the Chromium test, so it must be as neutral).
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', {
        paths: [...NODE_BUILTINS, ...PLATFORM_PACKAGES].map((name) => ({ name, message: CORE_MESSAGE })),
        patterns: [
          { group: ['node:*'], message: CORE_MESSAGE },
          // Subpaths such as fs/promises, react-dom/client, electron/main. Patterns with a slash are anchored,
          // so a local file like ./util/x is not caught by 'util/*'.
          { group: [...NODE_BUILTINS, ...PLATFORM_PACKAGES].map((name) => `${name}/*`), message: CORE_MESSAGE },
          { group: ['@mui/*'], message: CORE_MESSAGE },
        ],
      }],
      // no-restricted-imports does not see dynamic import(); this does, for literal specifiers.
      'no-restricted-syntax': ['error', {
        // esquery regexes cannot contain a literal '/', hence the regex escape for it.
        selector: `ImportExpression > Literal[value=/^(node:|(${[...NODE_BUILTINS, ...PLATFORM_PACKAGES]
          .map((name) => name.replace('/', '\\u002F'))
          .join('|')})(\\u002F|$))/]`,
        message: CORE_MESSAGE,
      }],
      // tsconfig loads both Node and DOM typings (one project for everything), so tsc alone would let these
      // through. Timers and Date stay allowed: they are wrapped by the Clock port but are present everywhere.
      'no-restricted-globals': ['error',
        ...['Buffer', 'process', 'require', 'module', 'exports', '__dirname', '__filename', 'global',
          'setImmediate', 'clearImmediate'].map((name) => ({ name, message: `${name} is Node-only. ${CORE_MESSAGE}` })),
        ...['window', 'document', 'localStorage', 'sessionStorage'].map(
          (name) => ({ name, message: `${name} is DOM-only. ${CORE_MESSAGE}` })),
      ],
    },
  },

  // Who may load 'electron' at run time (ADR 0004 §1): main/app/index.ts and the preload only. The security
  // module and the IPC registration take Electron's objects as arguments and use its types, so tests load them in
  // plain Node; services, adapters and transfer code never touch Electron; tests must not load it either (there
  // is no Electron binary in CI; vi.mock replaces the module where a test needs it).
  {
    files: ['main/app/security.ts', 'main/app/ipc.ts', 'main/!(app)/**/*.ts', 'test/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{
          name: 'electron',
          allowTypeImports: true,
          message: "Only main/app/index.ts and preload/ load 'electron'; take Electron objects as arguments and use `import type`.",
        }],
        patterns: [{
          group: ['electron/*'],
          allowTypeImports: true,
          message: "Only main/app/index.ts and preload/ load 'electron'; take Electron objects as arguments and use `import type`.",
        }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The sandboxed renderer has no Electron; use the preload API.' }],
        patterns: [{ group: ['electron/*'], message: 'The sandboxed renderer has no Electron; use the preload API.' }],
      }],
    },
  },

  // Tests: a few relaxations that cost nothing in test code.
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // expect(obj.method) and vi.spyOn pass methods around unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
]);
