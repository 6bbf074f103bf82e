/** The shape of one schema module: its SDL and its resolvers, merged by ./schema.ts. */
import type { createSchema } from "graphql-yoga";

type SchemaDefinition = Parameters<typeof createSchema>[0];

/** One part of the schema (assets, lineage, locations…). */
export interface SchemaModule {
  readonly typeDefs: string;
  readonly resolvers: NonNullable<Exclude<SchemaDefinition["resolvers"], readonly unknown[]>>;
}
