/**
 * What the administrator's email points at: a bare sign-in page for an instance's console, not
 * part of the contract.
 */
import express from 'express';
import { escapeHtml } from '../common/http';
import { signsIn } from './operations';
import type { ContactCenterStore } from './store';

export function mountConsole(app: express.Express, store: ContactCenterStore): void {
  // Sign in with the admin email and password.
  app.get('/console', (_req, res) => {
    res.type('html').send(consolePage());
  });
  app.post('/console/sign-in', express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
    const instance =
      typeof email === 'string' && typeof password === 'string'
        ? Object.values(store.data.instances).find((i) => signsIn(i, email, password))
        : undefined;
    res
      .status(instance ? 200 : 401)
      .type('html')
      .send(
        consolePage(
          instance ? `Signed in to ${instance.centerName} (${instance.instanceId}).` : 'Wrong email or password.',
        ),
      );
  });
}

function consolePage(message?: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Contact center console</title>
<h1>Contact center console</h1>${message ? `<p>${escapeHtml(message)}</p>` : ''}
<form method="post" action="/console/sign-in">
<label>Administrator email <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<button>Sign in</button></form>`;
}
