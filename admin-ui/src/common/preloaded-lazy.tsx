/**
 * React.lazy for code that is usually loaded before it first renders (main.tsx starts an asset page's chunks
 * while the app boots). React.lazy suspends on its first render even when the module is already there (the
 * import() promise resolves a tick later), and React shows content that a Suspense retry revealed only after its
 * fallback throttle (up to 300 ms): the asset page and its runtime plot each paid that on every visit. Here a
 * component whose module has already loaded renders directly; one mounted before it has, lazily as before. The
 * choice is made once per mounted instance, so a component never remounts when its module arrives.
 */
import { lazy, useState, type ComponentType, type JSX } from "react";

export type PreloadedLazy<P extends object> = ((props: P) => JSX.Element) & {
  /** Starts loading the module (once); the component renders directly once it has. */
  preload: () => Promise<unknown>;
};

export function preloadedLazy<P extends object>(load: () => Promise<ComponentType<P>>): PreloadedLazy<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<{ default: ComponentType<P> }> | null = null;
  const preload = () =>
    (loading ??= load().then((component) => {
      loaded = component;
      return { default: component };
    }));
  const Lazy = lazy(preload);
  function PreloadedComponent(props: P): JSX.Element {
    const [Direct] = useState(() => loaded);
    return Direct === null ? <Lazy {...props} /> : <Direct {...props} />;
  }
  return Object.assign(PreloadedComponent, { preload });
}
