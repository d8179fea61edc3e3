/**
 * A panel's data: loading, ready or failed, for the request its inputs describe. An answer
 * that arrives after the inputs changed again (or after the panel left the page) is dropped,
 * so a slow old answer never overwrites a newer one.
 */
import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { state: 'loading'; data?: T } | { state: 'ready'; data: T } | { state: 'error'; error: Error; data?: T };

export function useLoad<T>(work: () => Promise<T>, inputs: readonly unknown[]): Loaded<T> & { reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    // The previous figures stay (dimmed) while the new ones load: the layout does not jump.
    setLoaded((before) => ({ state: 'loading', ...(before.data !== undefined ? { data: before.data } : {}) }));
    work().then(
      (data) => live && setLoaded({ state: 'ready', data }),
      (error: unknown) => live && setLoaded({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
    // The inputs are the dependencies: `work` is a new closure on every render.
  }, [...inputs, generation]);
  return { ...loaded, reload: () => setGeneration((n) => n + 1) };
}
