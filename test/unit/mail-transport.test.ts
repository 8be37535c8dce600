import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnections, mailTransport } from '../../activities';
import type { Config } from '../../config';

// An inbox that counts the SMTP connections its clients open.
let server: SMTPServer;
let port = 0;
let connections = 0;
let received = 0;
let closed = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onConnect: (_session, callback) => {
      connections++;
      callback();
    },
    onClose: () => {
      closed++;
    },
    onData: (stream, _session, callback) => {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the worker's SMTP transport", () => {
  it('sends a run of emails over one kept-open connection, closed with the worker', async () => {
    const config = {
      profile: 'development',
      email: { smtp: { host: '127.0.0.1', port, secure: false } },
    } as Pick<Config, 'email' | 'profile'>;
    const transport = mailTransport(config);
    for (let i = 0; i < 5; i++) {
      await transport.sendMail({ from: 'noreply@example.cn', to: 'ops@example.cn', subject: `n${i}`, text: 'hi' });
    }
    expect(received).toBe(5);
    expect(connections).toBe(1);
    expect(closed).toBe(0);
    await closeConnections();
    // Closed with the worker, so its process can exit.
    const deadline = Date.now() + 2_000;
    while (closed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(1);
  });
});
