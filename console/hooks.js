// @ts-check
/**
 * What the pages share beyond a single call: the hash route, polling while a view is shown, and
 * the documents every page reads and each tab fetches once (form metadata, the OpenAPI document).
 */
import { useEffect, useState } from 'preact/hooks';
import { call } from './lib.js';

/** @type {Promise<any> | null} */
let metaPromise = null;
/** Who takes each action, the materials lists, the stages: fetched once. */
export const loadMeta = () => (metaPromise ??= call('GET', '/console/api/meta').then((a) => a.body));

/** @type {Promise<any> | null} */
let openApi = null;
/** The OpenAPI document, fetched once. */
export function loadOpenApi() {
  openApi ??= fetch('/v1/openapi.json').then((r) => r.json());
  return openApi;
}

/**
 * What a loader answers, once the view is shown (null until then).
 * @param {() => Promise<any>} load
 */
export function useLoaded(load) {
  const [value, setValue] = useState(/** @type {any} */ (null));
  useEffect(() => {
    load().then(setValue);
  }, []);
  return value;
}

/** The current hash route. */
export function useRoute() {
  const [route, setRoute] = useState(window.location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setRoute(window.location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Calls `load` now and every `ms` while the view is shown (two agents see the same queue). */
export function usePolling(
  /** @type {() => Promise<void>} */ load,
  /** @type {number} */ ms,
  /** @type {unknown[]} */ deps,
) {
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      if (!stopped) await load();
    };
    void tick();
    const timer = setInterval(tick, ms);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, deps);
}
