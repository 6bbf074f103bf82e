/**
 * The handshake between the first paint (boot/first-paint.tsx, drawn by the entry before react-admin loads) and
 * the app that replaces it: the app calls {@link dismissFirstPaint} once its own view has drawn, and the entry
 * then removes the first paint. A module of its own, free of React, so both chunks share it.
 */

let dismiss: (() => void) | null = null;

/** Registers what removes the first paint (main.tsx); called at most once. */
export function onDismissFirstPaint(remove: () => void): void {
  dismiss = remove;
}

/** The app's view has drawn: the first paint can go (nothing happens when there is none). */
export function dismissFirstPaint(): void {
  const remove = dismiss;
  dismiss = null;
  remove?.();
}
