/**
 * One local SIP endpoint over UDP or TCP: a bound socket (or connections) that sends text
 * messages and hands parsed ones back. Probes own one for their lifetime and close it.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { parseMessage, StreamFramer, type SipMessage, type Transport } from './message';

export interface Peer {
  address: string;
  port: number;
}

export interface SipEndpoint {
  readonly transport: Transport;
  /** The address and port others reach us at (Via, Contact). */
  readonly local: Peer;
  send(text: string, to: Peer): Promise<void>;
  onMessage(handler: (message: SipMessage, from: Peer) => void): void;
  /** Transport errors after opening (a TCP connection reset, say). */
  onError(handler: (error: Error) => void): void;
  close(): void;
}

export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

/** The local address the kernel would use to reach `host` (no packet is sent). */
function routeSource(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.connect(port, host, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}

export interface EndpointOptions {
  transport: Transport;
  remote: Peer;
  localAddress?: string;
  /** A fixed local port (a gateway's signalling port); an ephemeral one by default. */
  localPort?: number;
}

export async function openEndpoint(options: EndpointOptions): Promise<SipEndpoint> {
  return options.transport === 'udp' ? openUdp(options) : openTcp(options);
}

async function openUdp(options: EndpointOptions): Promise<SipEndpoint> {
  const address = options.localAddress ?? (await routeSource(options.remote.address, options.remote.port));
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  const handlers: ((m: SipMessage, from: Peer) => void)[] = [];
  const errorHandlers: ((e: Error) => void)[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port: options.localPort ?? 0, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (err) => errorHandlers.forEach((h) => h(err)));
  socket.on('message', (data, rinfo) => {
    let message: SipMessage;
    try {
      message = parseMessage(data.toString('utf8'));
    } catch {
      return; // Not SIP (or a keep-alive): nothing to do with it.
    }
    handlers.forEach((h) => h(message, { address: rinfo.address, port: rinfo.port }));
  });
  const local = { address, port: socket.address().port };
  let closed = false;
  return {
    transport: 'udp',
    local,
    send: (text, to) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new Error('endpoint closed'));
        socket.send(Buffer.from(text, 'utf8'), to.port, to.address, (err) => (err ? reject(err) : resolve()));
      }),
    onMessage: (h) => handlers.push(h),
    onError: (h) => errorHandlers.push(h),
    close: () => {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

async function openTcp(options: EndpointOptions): Promise<SipEndpoint> {
  const handlers: ((m: SipMessage, from: Peer) => void)[] = [];
  const errorHandlers: ((e: Error) => void)[] = [];
  const connections = new Map<string, Promise<net.Socket>>();
  let closed = false;

  const connect = (to: Peer): Promise<net.Socket> => {
    const key = `${to.address}|${to.port}`;
    const existing = connections.get(key);
    if (existing) return existing;
    const opening = new Promise<net.Socket>((resolve, reject) => {
      // Only the first connection can have the fixed port (one socket per local address and port).
      const localPort = connections.size === 0 ? options.localPort : undefined;
      const socket = net.connect({ host: to.address, port: to.port, localAddress: options.localAddress, localPort });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', (err) => errorHandlers.forEach((h) => h(err)));
        resolve(socket);
      });
      socket.once('error', (err) => {
        connections.delete(key);
        reject(new UnreachableError(`TCP ${to.address}:${to.port}: ${err.message}`));
      });
      const framer = new StreamFramer();
      socket.on('data', (chunk: Buffer) => {
        let texts: string[];
        try {
          texts = framer.push(chunk);
        } catch (err) {
          socket.destroy(err as Error);
          return;
        }
        for (const text of texts) {
          let message: SipMessage;
          try {
            message = parseMessage(text);
          } catch {
            continue;
          }
          handlers.forEach((h) => h(message, to));
        }
      });
      socket.on('close', () => connections.delete(key));
    });
    connections.set(key, opening);
    return opening;
  };

  // The first connection fixes the local address and port that go into Via and Contact.
  const first = await connect(options.remote);
  const local = { address: first.localAddress ?? options.localAddress ?? '0.0.0.0', port: first.localPort ?? 0 };
  return {
    transport: 'tcp',
    local,
    send: async (text, to) => {
      if (closed) throw new Error('endpoint closed');
      const socket = await connect(to);
      await new Promise<void>((resolve, reject) =>
        socket.write(text, 'utf8', (err) => (err ? reject(err) : resolve())),
      );
    },
    onMessage: (h) => handlers.push(h),
    onError: (h) => errorHandlers.push(h),
    close: () => {
      if (closed) return;
      closed = true;
      for (const pending of connections.values())
        void pending.then(
          (s) => s.destroy(),
          () => undefined,
        );
      connections.clear();
    },
  };
}
