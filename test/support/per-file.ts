import { afterAll, beforeAll } from 'vitest';

/**
 * Something a test file makes before its tests and releases after them (when it was made). The
 * function returned gives it inside a test or a hook declared later, and throws before then.
 */
export function perFile<T>(make: () => Promise<T>, release: (made: T) => Promise<unknown>, what: string): () => T {
  let made: { value: T } | undefined;
  beforeAll(async () => {
    made = { value: await make() };
  });
  afterAll(async () => {
    if (made) await release(made.value);
  });
  return () => {
    if (!made) throw new Error(`${what} is made before the tests: use it inside one`);
    return made.value;
  };
}
