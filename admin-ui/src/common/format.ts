/** Number formatting without Intl: its first use loads locale data, which the list's first paint cannot afford. */

/** 5351 → "5,351". */
export function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 asset", "5,351 assets". */
export function countOf(count: number, noun: string): string {
  return `${thousands(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago" without Intl; null for a value that is not an instant. */
export function ago(iso: string, now: number = Date.now()): string | null {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${thousands(Math.round(hours / 24))} d ago`;
}
