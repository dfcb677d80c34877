/**
 * Proves the import zones in eslint.config.js fire: each forbidden import below must fail lint with the rule that
 * owns it, and a clean core import must not.
 *
 * Two deliberate departures from a plain `npx eslint` run, both to keep this fast and independent of which files
 * exist yet:
 * - type-aware rules are switched off (`disableTypeChecked`): the zone rules are syntactic, and the project service
 *   would otherwise type-check the whole program for each snippet;
 * - after the real TypeScript resolver, a lexical fallback resolves relative specifiers to `<path>.ts`.
 *   `import-x/no-restricted-paths` ignores imports it cannot resolve, and `main/x.ts` or `src/testing/fake-clock.ts`
 *   may not exist; in a real run such an import already fails `tsc`, so the fallback only matters here.
 *
 * `import-x/no-cycle` follows real files, so its check lints a two-file cycle written to a temporary directory.
 */

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

const lexicalFallback = {
  interfaceVersion: 3 as const,
  name: 'lexical-fallback-for-zone-test',
  resolve(modulePath: string, sourceFile: string) {
    if (!modulePath.startsWith('.')) return { found: false as const };
    return { found: true as const, path: `${path.resolve(path.dirname(sourceFile), modulePath)}.ts` };
  },
};

const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    { files: ['**/*.{ts,tsx}'], ...tseslint.configs.disableTypeChecked },
    {
      settings: {
        'import-x/resolver-next': [
          createTypeScriptImportResolver({ project: path.join(root, 'tsconfig.json') }),
          lexicalFallback,
        ],
      },
    },
  ],
});

async function lint(code: string, filePath: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  if (!result) throw new Error('ESLint returned no result');
  return result.messages;
}

const ruleIds = (messages: Linter.LintMessage[]): (string | null)[] =>
  messages.filter((m) => m.severity === 2).map((m) => m.ruleId);

describe('import zones', () => {
  const core = 'src/crypto/example.ts';

  it.each([
    ['a node: builtin', `import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n`, 'no-restricted-imports'],
    ['a bare node builtin', `import { createHash } from 'crypto';\nexport const f = createHash;\n`, 'no-restricted-imports'],
    ['a builtin subpath', `import { readFile } from 'fs/promises';\nexport const f = readFile;\n`, 'no-restricted-imports'],
    ['electron', `import 'electron';\n`, 'no-restricted-imports'],
    ['react', `import x from 'react';\nexport const y = x;\n`, 'no-restricted-imports'],
    ['ws', `import { WebSocket } from 'ws';\nexport const y = WebSocket;\n`, 'no-restricted-imports'],
    ['the keychain', `import { Entry } from '@napi-rs/keyring';\nexport const y = Entry;\n`, 'no-restricted-imports'],
    ['a dynamic node: import', `export const m = () => import('node:net');\n`, 'no-restricted-syntax'],
    ['main/', `import { x } from '../../main/x';\nexport const y = x;\n`, 'import-x/no-restricted-paths'],
    ['test/', `import { x } from '../../test/helpers';\nexport const y = x;\n`, 'import-x/no-restricted-paths'],
    ['src/testing/ from production core', `import { x } from '../testing/fake-clock';\nexport const y = x;\n`,
      'import-x/no-restricted-paths'],
  ])('src/ may not import %s', async (_what, code, rule) => {
    expect(ruleIds(await lint(code, core))).toContain(rule);
  });

  it('src/ may not use Node globals', async () => {
    expect(ruleIds(await lint(`export const b = Buffer.from('x');\n`, core))).toContain('no-restricted-globals');
  });

  it('main/ may not import src/testing/', async () => {
    const messages = await lint(`import { x } from '../src/testing/fake-clock';\nexport const y = x;\n`, 'main/x.ts');
    expect(ruleIds(messages)).toContain('import-x/no-restricted-paths');
  });

  it('the renderer may not import main/', async () => {
    const messages = await lint(`import { x } from '../main/window';\nexport const y = x;\n`, 'renderer/app.ts');
    expect(ruleIds(messages)).toContain('import-x/no-restricted-paths');
  });

  it('test/ and src/testing/ may import src/testing/', async () => {
    const fromTest = await lint(`import { x } from '../src/testing/fake-clock';\nexport const y = x;\n`, 'test/x.test.ts');
    const fromFakes = await lint(`import { x } from './fake-clock';\nexport const y = x;\n`, 'src/testing/linked.ts');
    expect(ruleIds(fromTest)).toEqual([]);
    expect(ruleIds(fromFakes)).toEqual([]);
  });

  it('main/ may import the core', async () => {
    const messages = await lint(`import { concatBytes } from '../src/bytes';\nexport const y = concatBytes;\n`, 'main/x.ts');
    expect(ruleIds(messages)).toEqual([]);
  });

  it('a clean core import passes', async () => {
    const code = `import { concatBytes } from '../bytes';\nimport { fail } from '../errors';\nexport const y = [concatBytes, fail];\n`;
    expect(ruleIds(await lint(code, core))).toEqual([]);
  });
});

describe('import cycles in src/', () => {
  it('a two-module cycle fails import-x/no-cycle', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-cycle-'));
    try {
      mkdirSync(path.join(dir, 'src'));
      writeFileSync(path.join(dir, 'src', 'a.ts'), `import { b } from './b';\nexport const a = (): number => b() + 1;\n`);
      writeFileSync(path.join(dir, 'src', 'b.ts'), `import { a } from './a';\nexport const b = (): number => a();\n`);
      const cycleLint = new ESLint({
        cwd: dir,
        overrideConfigFile: path.join(root, 'eslint.config.js'),
        overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
      });
      const [result] = await cycleLint.lintFiles(['src/a.ts']);
      expect(ruleIds(result?.messages ?? [])).toContain('import-x/no-cycle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
