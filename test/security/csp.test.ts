/**
 * The Content-Security-Policy, parsed: no 'unsafe-eval' or 'unsafe-inline' anywhere, no remote origin in any
 * directive, script-src exactly 'self', and the only style allowance beyond 'self' a per-document nonce.
 */

import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, documentContentSecurityPolicy } from '../../main/app/security';

function parse(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(directives.has(name), `duplicate directive ${name}`).toBe(false);
    directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

const NONCE = 'q83vEjRWeJq83vEjRWeJqw==';
const policies = { 'every response': CONTENT_SECURITY_POLICY, 'an HTML document': documentContentSecurityPolicy(NONCE) };

describe.each(Object.entries(policies))('the policy of %s', (_name, policy) => {
  const directives = parse(policy);
  const allSources = [...directives.values()].flat();

  it('denies by default', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
  });

  it("runs scripts from 'self' only", () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('worker-src')).toEqual(["'self'"]);
    expect(directives.has('script-src-elem')).toBe(false);
    expect(directives.has('script-src-attr')).toBe(false);
  });

  it("allows no 'unsafe-*' keyword, no wildcard and no remote origin anywhere", () => {
    for (const source of allSources) {
      expect(source.toLowerCase()).not.toContain('unsafe');
      expect(source).not.toContain('*');
      expect(source).not.toMatch(/^(https?|wss?|ftp|file):/i);
      expect(source, `${source} is not a keyword, nonce or local scheme`).toMatch(/^('self'|'none'|'nonce-[A-Za-z0-9+/=]+'|data:|blob:)$/);
    }
  });

  it('lets the page open no connection, embed nothing and be embedded nowhere', () => {
    expect(directives.get('connect-src')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    // frame-src and child-src fall back to default-src 'none'.
    expect(directives.has('frame-src')).toBe(false);
    expect(directives.has('child-src')).toBe(false);
  });

  it('allows images and the camera preview from the app and local blobs only', () => {
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives.get('media-src')).toEqual(["'self'", 'blob:']);
    expect(directives.get('font-src')).toEqual(["'self'"]);
  });
});

describe('style-src', () => {
  it("is 'self' alone for every response but the HTML document", () => {
    expect(parse(CONTENT_SECURITY_POLICY).get('style-src')).toEqual(["'self'"]);
  });

  it('adds exactly the document nonce for Emotion', () => {
    expect(parse(documentContentSecurityPolicy(NONCE)).get('style-src')).toEqual(["'self'", `'nonce-${NONCE}'`]);
    // The nonce never reaches script-src.
    expect(parse(documentContentSecurityPolicy(NONCE)).get('script-src')).toEqual(["'self'"]);
  });

  it('refuses a nonce that could inject directives', () => {
    for (const nonce of ["abc'; script-src *", 'short', "q83vEjRWeJq83vEjRWeJqw==' 'unsafe-inline", '']) {
      expect(() => documentContentSecurityPolicy(nonce)).toThrow();
    }
  });
});
