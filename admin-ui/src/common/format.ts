/** Number formatting without Intl: its first use loads locale data, which the list's first paint cannot afford. */

/** 5351 → "5,351". */
export function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 asset", "5,351 assets". */
export function countOf(count: number, noun: string): string {
  return `${thousands(count)} ${noun}${count === 1 ? "" : "s"}`;
}
