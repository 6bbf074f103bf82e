/**
 * API tokens: how one is made, recognised and checked. A token is `trb_` and 48 hex digits (192 random bits):
 * the prefix makes a leaked token easy to recognise (a secret scanner, a log grep), and the store keeps only
 * its sha256, which is what a request's token is compared by (an indexed lookup, so no timing to exploit).
 */
import { createHash, randomBytes } from "node:crypto";
import * as access from "../../catalog/store/index.ts";
import type { ApiTokenRecord, ApiTokenRole, AuditEvent, AuditEventInput, AuditFilter, SqlClient } from "../../catalog/store/index.ts";

export type { ApiTokenRecord, ApiTokenRole, AuditEvent, AuditEventInput, AuditFilter } from "../../catalog/store/index.ts";

/** Every token starts with this. */
export const TOKEN_PREFIX = "trb_";
/** A whole token (anchored); {@link TOKEN_SEARCH} finds one inside text. */
export const TOKEN_PATTERN = /^trb_[0-9a-f]{48}$/;
export const TOKEN_SEARCH = /trb_[0-9a-f]{48}/;

/** The roles, weakest first. */
export const ROLES: readonly ApiTokenRole[] = ["viewer", "operator", "admin"];

/** True when `role` includes everything `required` may do. */
export function roleAllows(role: ApiTokenRole | null, required: ApiTokenRole): boolean {
  return role !== null && ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** A new token (shown once, never stored) and its public id. */
export function generateToken(): { token: string; id: string } {
  return { token: `${TOKEN_PREFIX}${randomBytes(24).toString("hex")}`, id: `tok_${randomBytes(6).toString("hex")}` };
}

/** sha256 of a token, hex: what the store keeps and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** How often a token's last-used time is written at most (each request would be a write otherwise). */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Tokens and the audit log in the store. */
export interface AccessStore {
  /** Makes a token; returns it once with its record. An existing working token of that name is refused. */
  createToken(input: { readonly name: string; readonly role: ApiTokenRole; readonly createdBy: string | null }): Promise<{ token: string; record: ApiTokenRecord }>;
  /** The working token a request presented, or null (unknown, malformed or revoked). Records its use. */
  verifyToken(token: string): Promise<ApiTokenRecord | null>;
  listTokens(options?: { readonly includeRevoked?: boolean }): Promise<ApiTokenRecord[]>;
  /** Revokes by id or name; null when no working token has it. */
  revokeToken(idOrName: string): Promise<ApiTokenRecord | null>;
  recordAudit(event: AuditEventInput): Promise<AuditEvent>;
  listAudit(filter: AuditFilter): Promise<AuditEvent[]>;
}

/** The access store on a store's client. */
export function createAccessStore(client: SqlClient, options: { readonly now?: () => Date } = {}): AccessStore {
  const now = options.now ?? (() => new Date());
  const lastTouched = new Map<string, number>();
  return {
    async createToken({ name, role, createdBy }) {
      if (name.trim() === "" || name.length > 100) throw new Error("A token's name is 1 to 100 characters");
      if (!ROLES.includes(role)) throw new Error(`A token's role is one of ${ROLES.join(", ")}`);
      const { token, id } = generateToken();
      const record = await access.createApiToken(client, { id, name: name.trim(), role, tokenHash: hashToken(token), createdBy });
      return { token, record };
    },
    async verifyToken(token) {
      if (!TOKEN_PATTERN.test(token)) return null;
      const record = await access.findActiveApiToken(client, hashToken(token));
      if (record === null) return null;
      const at = now();
      const previous = lastTouched.get(record.id) ?? 0;
      if (at.getTime() - previous >= LAST_USED_RESOLUTION_MS) {
        lastTouched.set(record.id, at.getTime());
        await access.touchApiToken(client, record.id, at);
      }
      return record;
    },
    listTokens: (options) => access.listApiTokens(client, options),
    async revokeToken(idOrName) {
      return access.revokeApiToken(client, idOrName);
    },
    recordAudit: (event) => access.recordAuditEvent(client, event),
    listAudit: (filter) => access.listAuditEvents(client, filter),
  };
}
