/**
 * The protocol of a worker in its own process (`worker-process.ts`, the bench's baseline worker):
 * prints `worker-ready` once polling, answers `{type: 'rss'}` on the IPC channel (when there is
 * one) with its process.memoryUsage() and what `report` adds (after a garbage collection when asked
 * to `collect`), and exits when the worker stops.
 */
import type { Worker } from '@temporalio/worker';

export function serveWorkerProcess(create: () => Promise<Worker>, report: () => object = () => ({})): void {
  process.on('message', (message: { type?: string; collect?: boolean }) => {
    if (message?.type !== 'rss') return;
    // Started with --expose-gc by WorkerProcess.
    if (message.collect) (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: 'rss', ...process.memoryUsage(), ...report() });
  });
  create()
    .then(async (worker) => {
      const running = worker.run();
      console.log('worker-ready');
      await running;
      // The connection and the runtime's log forwarding would keep the process alive.
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
