/**
 * Network defaults: which Host and Origin headers the server answers (against DNS rebinding: a web page whose
 * name resolves to 127.0.0.1 sends its own name as Host), and whether an address is loopback.
 */
import { isIP } from "node:net";

/** Names that always reach this machine only. */
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** True for loopback host names and addresses (localhost, *.localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (LOOPBACK_NAMES.has(name) || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (name.startsWith("::ffff:")) return isLoopbackHost(name.slice(7));
  return false;
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower-cased, without the port; null when malformed. */
export function hostName(header: string): string | null {
  const value = header.trim().toLowerCase();
  if (value === "") return null;
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? null : value.slice(1, end);
  }
  const colon = value.indexOf(":");
  if (colon >= 0 && value.indexOf(":", colon + 1) >= 0) return isIP(value) === 6 ? value : null; // a bare IPv6 address
  const name = colon < 0 ? value : value.slice(0, colon);
  return /^[a-z0-9.-]+$/.test(name) ? name : null;
}

/**
 * Whether a host name may be served: loopback always, a name in `allowed` (exactly, or under `.example.com`
 * for an entry starting with a dot), anything when `allowed` holds `*`.
 */
export function isAllowedHost(name: string, allowed: readonly string[]): boolean {
  if (isLoopbackHost(name)) return true;
  for (const entry of allowed) {
    const rule = entry.trim().toLowerCase().replace(/^\[|\]$/g, "");
    if (rule === "*" || rule === name) return true;
    if (rule.startsWith(".") && (name.endsWith(rule) || name === rule.slice(1))) return true;
  }
  return false;
}

/** The host name of an Origin header (`http://name:port`); null for `null`, a malformed value or another scheme. */
export function originHostName(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return null;
  }
}

/** True when binding `host` exposes the server beyond this machine (0.0.0.0, ::, a LAN address, a name). */
export function bindsBeyondLoopback(host: string): boolean {
  return !isLoopbackHost(host);
}
