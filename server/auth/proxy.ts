/**
 * An OIDC proxy in front of Tributary (oauth2-proxy, an ingress with OIDC) signs people in and passes who they
 * are in headers (`X-Forwarded-Email`, `X-Forwarded-Groups`). `auth.proxy` maps those to a caller: the user is
 * the caller's name, and the strongest role any of their email or groups maps to is their role. The headers are
 * believed only on connections from `trusted_proxies` (CIDRs): from anywhere else anyone could send them, so there
 * they are ignored (and the request is a token's or anonymous, as if they were absent).
 */
import { BlockList, isIP } from "node:net";
import { AuthenticationError, type Authenticator } from "./caller.ts";
import { ROLES, type ApiTokenRole } from "./tokens.ts";

export interface ProxyAuthOptions {
  /** The header naming the signed-in user (its email, usually). */
  readonly header: string;
  /** A header listing the user's groups (or roles), comma-separated; each is looked up in `roles`. */
  readonly roleHeader: string | null;
  /** Email or group → role (compared without case). */
  readonly roles: Readonly<Record<string, ApiTokenRole>>;
  /** The role of a signed-in user no entry of `roles` matches; null: none (refused). */
  readonly defaultRole: ApiTokenRole | null;
  /** Addresses (CIDRs, or single addresses) of the proxies whose headers are believed. */
  readonly trustedProxies: readonly string[];
}

/** A CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address, parsed; null when it is neither. */
export function parseCidr(text: string): { readonly address: string; readonly prefix: number; readonly family: "ipv4" | "ipv6" } | null {
  const [address = "", prefixText, ...rest] = text.trim().split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** A test of whether an address is in one of the CIDRs (an IPv4-mapped IPv6 address counts as its IPv4 one). */
export function addressMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed === null) throw new Error(`"${cidr}" is not a CIDR or an IP address`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (address) => {
    const plain = address.toLowerCase().startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const version = isIP(plain);
    return version !== 0 && list.check(plain, version === 4 ? "ipv4" : "ipv6");
  };
}

const MAX_REMEMBERED_UNTRUSTED = 1000;

/** The authenticator for `auth.proxy`. */
export function proxyAuthenticator(options: ProxyAuthOptions): Authenticator {
  const trusted = addressMatcher(options.trustedProxies);
  const roles = new Map(Object.entries(options.roles).map(([who, role]) => [who.trim().toLowerCase(), role]));
  /** Addresses already warned about (once each: a scanner must not fill the log). */
  const warned = new Set<string>();
  return {
    async authenticate(request, _access, context) {
      const user = request.headers.get(options.header)?.trim();
      if (!user) return null;
      if (!trusted(context.remoteAddress)) {
        if (!warned.has(context.remoteAddress) && warned.size < MAX_REMEMBERED_UNTRUSTED) {
          warned.add(context.remoteAddress);
          context.logger.warn(
            { component: "security", header: options.header, remoteAddress: context.remoteAddress },
            `ignored ${options.header} from an address that is not in auth.proxy.trusted_proxies`,
          );
        }
        return null;
      }
      if (user.length > 320) throw new AuthenticationError(`The ${options.header} header is too long.`);
      const groups = options.roleHeader === null ? [] : (request.headers.get(options.roleHeader) ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "");
      let role: ApiTokenRole | null = null;
      for (const who of [user, ...groups]) {
        const mapped = roles.get(who.toLowerCase());
        if (mapped !== undefined && (role === null || ROLES.indexOf(mapped) > ROLES.indexOf(role))) role = mapped;
      }
      return { kind: "proxy", name: user, role: role ?? options.defaultRole, tokenId: null };
    },
  };
}
