/**
 * Where `tributary serve` listens and how it guards itself, from its flags and tributary.yaml (`server:`,
 * `auth:`), and what it must say about it: a flag wins over the file, the file over the default.
 */
import type { TributaryConfig } from "../config.ts";
import { bindsBeyondLoopback } from "./network.ts";
import { proxyAuthenticator } from "./proxy.ts";
import type { SecurityOptions } from "./security.ts";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 3000;
export const DEFAULT_REQUESTS_PER_MINUTE = 1200;

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly security: SecurityOptions;
  /** Lines to print on stderr once listening (a loud warning when exposed without auth). */
  readonly warnings: readonly string[];
}

/**
 * The settings in effect. `auth.anonymous` defaults to viewer on the embedded store (one person's laptop) and to
 * none on a Postgres server (a team's install: everyone needs a token); the host and port from flags, else
 * `server.host` / `server.port`, else 127.0.0.1:3000.
 */
export function resolveServerSettings(
  flags: { readonly host?: string | undefined; readonly port?: number | undefined },
  config: TributaryConfig | null,
  env: Readonly<Record<string, string | undefined>>,
): ServerSettings {
  const host = flags.host ?? config?.server.host ?? DEFAULT_HOST;
  const port = flags.port ?? config?.server.port ?? DEFAULT_PORT;
  const onPostgres = Boolean(env["DATABASE_URL"] || config?.storage.database_url);
  const anonymous = config?.auth.anonymous ?? (onPostgres ? "none" : "viewer");
  const allowedHosts = [...(config?.server.allowed_hosts ?? [])];
  const proxy = config?.auth.proxy;
  // A specific address to bind is a name clients use to reach it.
  if (bindsBeyondLoopback(host) && host !== "0.0.0.0" && host !== "::" && !allowedHosts.includes(host)) allowedHosts.push(host);
  const security: SecurityOptions = {
    anonymous: anonymous === "none" ? null : "viewer",
    allowedHosts,
    requestsPerMinute: config?.server.rate_limit_per_minute ?? DEFAULT_REQUESTS_PER_MINUTE,
    introspection: config?.server.introspection ?? true,
    ...(proxy
      ? {
          authenticators: [
            proxyAuthenticator({
              header: proxy.header,
              roleHeader: proxy.role_header ?? null,
              roles: proxy.roles,
              defaultRole: proxy.default_role === "none" ? null : proxy.default_role,
              trustedProxies: proxy.trusted_proxies,
            }),
          ],
        }
      : {}),
  };
  const warnings: string[] = [];
  if (bindsBeyondLoopback(host)) {
    if (security.anonymous !== null) {
      warnings.push(
        `WARNING: listening on ${host}, beyond this machine, and anyone who reaches it may read the whole catalog, runs and logs without a token ` +
          `(auth.anonymous: ${anonymous}). Set auth.anonymous: none in tributary.yaml and give people tokens (tributary token create), ` +
          `or bind 127.0.0.1.`,
      );
    }
    if (config?.server.allowed_hosts === undefined || config.server.allowed_hosts.length === 0) {
      warnings.push(
        `note: only requests naming a loopback host${allowedHosts.length > 0 ? ` or ${allowedHosts.join(", ")}` : ""} are answered (Host check); ` +
          `list the names people use in server.allowed_hosts.`,
      );
    }
  }
  return { host, port, security, warnings };
}
