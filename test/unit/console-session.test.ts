import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../api/console';

const principal = { name: 'agent', role: 'support' as const };

describe('console sessions', () => {
  it('end after two idle hours, and after twelve hours however busy', () => {
    let now = 0;
    const store = new SessionStore(() => now);
    const idle = store.create(principal, 'a'.repeat(64));
    const busy = store.create(principal, 'b'.repeat(64));
    now = 2 * 60 * 60 * 1000 - 1;
    expect(store.get(busy.id)).toBeDefined();
    now += 2;
    expect(store.get(idle.id)).toBeUndefined();
    // A session used every hour still ends at twelve hours.
    for (let hour = 3; hour < 12; hour++) {
      now = hour * 60 * 60 * 1000;
      expect(store.get(busy.id)).toBeDefined();
    }
    now = 12 * 60 * 60 * 1000 + 1;
    expect(store.get(busy.id)).toBeUndefined();
  });

  it('keys sessions by a hash of the cookie value, with a fresh CSRF token each', () => {
    const store = new SessionStore();
    const one = store.create(principal, 'a'.repeat(64));
    const two = store.create(principal, 'a'.repeat(64));
    expect(one.id).not.toBe(two.id);
    expect(one.session.csrfToken).not.toBe(two.session.csrfToken);
    expect(one.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.get(`${one.id}x`)).toBeUndefined();
    store.delete(one.id);
    expect(store.get(one.id)).toBeUndefined();
    expect(store.get(two.id)?.principal).toEqual(principal);
  });
});
