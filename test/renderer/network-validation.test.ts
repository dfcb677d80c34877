import { describe, expect, it } from 'vitest';
import { parseStunLines, relayUrlProblem, turnServerProblem } from '../../renderer/features/settings/network-validation';

describe('network settings checks', () => {
  it('accepts relay addresses the way links do (ws/wss, no credentials, no fragment)', () => {
    expect(relayUrlProblem('wss://relay.example.org')).toBeNull();
    expect(relayUrlProblem('https://relay.example.org')).not.toBeNull();
    expect(relayUrlProblem('wss://user:pw@relay.example.org')).not.toBeNull();
    expect(relayUrlProblem('wss://relay.example.org#x')).not.toBeNull();
  });

  it('reads STUN servers one per line and names the first bad one', () => {
    expect(parseStunLines('stun:a.example:3478\n\n stuns:b.example \n', 8)).toEqual({ urls: ['stun:a.example:3478', 'stuns:b.example'] });
    const bad = parseStunLines('stun:a\nturn:b', 8);
    expect('problem' in bad && bad.problem).toContain('turn:b');
    expect(parseStunLines('stun:a\nstun:b\nstun:c', 2)).toHaveProperty('problem');
  });

  it('wants a turn:/turns: address with credentials', () => {
    expect(turnServerProblem({ url: 'turn:t.example:3478', username: 'u', credential: 'p' })).toBeNull();
    expect(turnServerProblem({ url: 'stun:t.example', username: 'u', credential: 'p' })).not.toBeNull();
    expect(turnServerProblem({ url: 'turns:t.example', username: '', credential: 'p' })).not.toBeNull();
  });
});
