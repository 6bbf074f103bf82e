/**
 * `tributary token create | list | revoke`: API tokens, managed straight in the store (the embedded one in
 * --data-dir, or the Postgres server of DATABASE_URL / storage.database_url), so the first admin token needs no
 * token. Whoever can open the store can already do anything, which is why these commands are the way in.
 * A token is printed once, on stdout alone (`export TRIBUTARY_TOKEN=$(tributary token create …)`), and
 * only its sha256 is stored.
 */
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { isStoreError, openCatalogStore, type CatalogStore } from "../catalog/store/index.ts";
import { loadConfig } from "./config.ts";
import { formatStartupError } from "./report.ts";
import type { ConsoleOutput } from "./serve.ts";
import { createAccessStore, ROLES, type AccessStore, type ApiTokenRecord, type ApiTokenRole } from "./auth/tokens.ts";

interface StoreFlags {
  readonly config?: string;
  readonly dataDir: string;
}

/** Who is at the keyboard, for the audit log; null when the OS does not say. */
function localUser(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

/** Opens the store the server uses: tributary.yaml's storage (given, or in the working directory), else --data-dir. */
async function openStore(flags: StoreFlags, cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<CatalogStore> {
  const configFile = flags.config ?? (existsSync(join(cwd, "tributary.yaml")) ? join(cwd, "tributary.yaml") : null);
  const loaded = configFile ? await loadConfig(resolve(cwd, configFile)) : null;
  const databaseUrl = env["DATABASE_URL"] || loaded?.config.storage.database_url || null;
  const dataDir = loaded?.dataDir ?? resolve(cwd, flags.dataDir);
  return openCatalogStore({ databaseUrl, dataDir });
}

function parseRole(value: string): ApiTokenRole {
  const role = value.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(role)) throw new InvalidArgumentError(`one of ${ROLES.join(", ")}`);
  return role as ApiTokenRole;
}

function row(token: ApiTokenRecord): string[] {
  return [token.id, token.name, token.role, token.createdAt.slice(0, 19).replace("T", " "), token.lastUsedAt?.slice(0, 19).replace("T", " ") ?? "never", token.revokedAt ? `revoked ${token.revokedAt.slice(0, 19).replace("T", " ")}` : "active"];
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((r) => r[index]!.length)));
  return [header, ...rows].map((cells) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join("  ").trimEnd());
}

/** Adds `token create`, `token list` and `token revoke`. */
export function addTokenCommands(
  program: Command,
  environment: { readonly output: ConsoleOutput; readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string },
  setExitCode: (code: number) => void,
): void {
  const { output, env, cwd } = environment;
  const withStore = async (flags: StoreFlags, work: (access: AccessStore) => Promise<number>): Promise<void> => {
    let store: CatalogStore;
    try {
      store = await openStore(flags, cwd, env);
    } catch (error) {
      if (isStoreError(error, "data_dir_locked")) {
        output.err(`error: ${error.message}`);
        output.err(
          "The embedded store is open in a running `tributary serve`: stop it to manage tokens here, or, with an admin token, " +
            "use the server's GraphQL (createApiToken, revokeApiToken, apiTokens). A Postgres store can be managed while serving.",
        );
      } else {
        output.err(formatStartupError(error));
      }
      setExitCode(1);
      return;
    }
    try {
      setExitCode(await work(createAccessStore(store.client)));
    } finally {
      await store.close();
    }
  };
  const storeOptions = (command: Command) =>
    command
      .option("--config <file>", "tributary.yaml whose storage holds the tokens (default ./tributary.yaml when there is one)")
      .option("--data-dir <dir>", "the embedded store's directory (unless DATABASE_URL or storage.database_url names a Postgres server)", ".tributary");

  const token = program.command("token").description("API tokens: create (shown once), list, revoke");

  storeOptions(
    token
      .command("create")
      .description("create a token and print it once on stdout; only its hash is stored")
      .addOption(new Option("--role <role>", `what it may do: ${ROLES.join(", ")}`).argParser(parseRole).makeOptionMandatory())
      .requiredOption("--name <name>", "who or what uses it (shown in lists, on runs and in the audit log)"),
  ).action(async (flags: StoreFlags & { role: ApiTokenRole; name: string }) => {
    await withStore(flags, async (access) => {
      let created: Awaited<ReturnType<AccessStore["createToken"]>>;
      try {
        created = await access.createToken({ name: flags.name, role: flags.role, createdBy: localUser() });
      } catch (error) {
        output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
      const { record } = created;
      await access.recordAudit({ action: "token.create", outcome: "ok", actor: localUser(), actorKind: "local", role: null, details: { tokenId: record.id, name: record.name, role: record.role } });
      output.out(created.token);
      output.err(`Created ${record.role} token "${record.name}" (${record.id}). It is shown this once: keep it secret; send it as Authorization: Bearer <token>, or set TRIBUTARY_TOKEN for the CLI.`);
      return 0;
    });
  });

  storeOptions(token.command("list").description("list tokens (never the tokens themselves)").option("--all", "include revoked tokens")).action(
    async (flags: StoreFlags & { all?: boolean }) => {
      await withStore(flags, async (access) => {
        const tokens = await access.listTokens({ includeRevoked: flags.all === true });
        if (tokens.length === 0) {
          output.err("No tokens yet: tributary token create --role viewer|operator|admin --name <name>");
          return 0;
        }
        for (const line of table(["ID", "NAME", "ROLE", "CREATED (UTC)", "LAST USED", "STATE"], tokens.map(row))) output.out(line);
        return 0;
      });
    },
  );

  storeOptions(token.command("revoke").description("revoke a token by id (tok_…) or name; it stops working at once").argument("<id-or-name>")).action(
    async (idOrName: string, flags: StoreFlags) => {
      await withStore(flags, async (access) => {
        const revoked = await access.revokeToken(idOrName);
        if (revoked === null) {
          output.err(`error: no working token has the id or name "${idOrName}" (tributary token list)`);
          return 1;
        }
        await access.recordAudit({ action: "token.revoke", outcome: "ok", actor: localUser(), actorKind: "local", role: null, details: { tokenId: revoked.id, name: revoked.name, role: revoked.role } });
        output.out(`Revoked ${revoked.role} token "${revoked.name}" (${revoked.id})`);
        return 0;
      });
    },
  );
}

/**
 * For `tributary demo`: an operator token named "demo" in the demo's store, replacing the previous one, so the
 * person trying the demo can launch runs from the CLI (TRIBUTARY_TOKEN) and sign in the web UI with it.
 * Null (and nothing printed) when the store cannot be opened; serving reports why.
 */
export async function mintDemoToken(dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<string | null> {
  let store: CatalogStore;
  try {
    store = await openCatalogStore({ databaseUrl: env["DATABASE_URL"] || null, dataDir });
  } catch {
    return null;
  }
  try {
    const access = createAccessStore(store.client);
    await access.revokeToken("demo");
    const { token, record } = await access.createToken({ name: "demo", role: "operator", createdBy: localUser() });
    await access.recordAudit({ action: "token.create", outcome: "ok", actor: localUser(), actorKind: "local", role: null, details: { tokenId: record.id, name: record.name, role: record.role } });
    return token;
  } finally {
    await store.close();
  }
}
