/**
 * Limits that keep one hostile or careless query from tying up the server. Each is checked before execution
 * and rejects the query with `QUERY_LIMIT_EXCEEDED` and `extensions.limit` naming the limit:
 *
 * - depth, aliases, tokens, directives and cost come from graphql-armor; its errors carry no code, so each
 *   protection reports our coded error instead (see `reject`);
 * - list nesting is ours. The graph is dense (a source read by a hundred models), so every nested list of
 *   objects can multiply the result by the fan-out: `downstream { upstream { downstream { … } } }` grows as
 *   fan-out^nesting while its depth and armor's cost stay small. Lineage itself is one flat list, so the
 *   closure of any asset needs no nesting at all.
 */
import { EnvelopArmor } from "@escape.tech/graphql-armor";
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { queryLimitExceeded, type QueryLimitName } from "./errors.ts";

/** The configurable limits. */
export interface QueryLimits {
  /** Deepest field nesting. A lineage node's upstream-of-upstream with a relation is depth 6. */
  readonly maxDepth: number;
  /** Aliases per operation. */
  readonly maxAliases: number;
  /** Tokens per document (GraphiQL's introspection query is under 200; a 500-row catalog page about 60). */
  readonly maxTokens: number;
  /** Directives per operation. */
  readonly maxDirectives: number;
  /** graphql-armor's static cost: objects 2, scalars 1, ×1.5 per level, × a literal `first`. */
  readonly maxCost: number;
  /** Lists of objects nested in one another (`assets.nodes.upstream` is 2). */
  readonly maxListNesting: number;
}

/** The defaults: generous for a catalog UI, and each far below what would slow the server down. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 3000,
  maxDirectives: 30,
  maxCost: 100_000,
  maxListNesting: 4,
};

/**
 * The armor callbacks: report a coded error through the validation context when there is one (validation
 * rules), and throw it otherwise (the token limit runs inside the parser, where throwing is the only way out).
 */
function reject(limit: QueryLimitName, max: number) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    const message = error.message.replace(/^Syntax Error: /, "");
    const coded = queryLimitExceeded(limit, max, message);
    if (context === null) throw coded;
    context.reportError(coded);
  };
}

/**
 * The deepest nesting of object lists below a selection set. Fragments are measured once each (memoised by
 * name), so a document that spreads fragments into each other is measured in linear time.
 */
function createListNestingMeasure(context: ValidationContext) {
  const fragmentNesting = new Map<string, number>();
  const inProgress = new Set<string>();

  function isObjectList(type: GraphQLOutputType): boolean {
    let current: GraphQLOutputType = type;
    while (isNonNullType(current)) current = current.ofType;
    return isListType(current) && isCompositeType(getNamedType(current));
  }

  function measure(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType | null): number {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet === undefined || parentType === null) continue;
        const fields = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields() : null;
        const field = fields?.[selection.name.value];
        if (field === undefined) continue; // unknown fields are reported by graphql's own rules
        const named = getNamedType(field.type);
        const childType = isCompositeType(named) ? named : null;
        const nested = measure(selection.selectionSet, childType) + (isObjectList(field.type) ? 1 : 0);
        deepest = Math.max(deepest, nested);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? context.getSchema().getType(selection.typeCondition.name.value)
          : parentType;
        deepest = Math.max(deepest, measure(selection.selectionSet, condition && isCompositeType(condition) ? condition : null));
      } else {
        deepest = Math.max(deepest, measureFragment(selection.name.value));
      }
    }
    return deepest;
  }

  function measureFragment(name: string): number {
    const known = fragmentNesting.get(name);
    if (known !== undefined) return known;
    // A fragment cycle is invalid and reported by graphql's NoFragmentCycles rule; here it only must not loop.
    if (inProgress.has(name)) return 0;
    const fragment = context.getFragment(name);
    if (fragment === undefined || fragment === null) return 0;
    inProgress.add(name);
    const type = context.getSchema().getType(fragment.typeCondition.name.value);
    const nesting = measure(fragment.selectionSet, type && isCompositeType(type) ? type : null);
    inProgress.delete(name);
    fragmentNesting.set(name, nesting);
    return nesting;
  }

  return measure;
}

/** A validation rule rejecting operations whose object lists nest deeper than `max`. */
export function maxListNestingRule(max: number): ValidationRule {
  return (context) => {
    const measure = createListNestingMeasure(context);
    return {
      OperationDefinition(operation) {
        const rootType = context.getSchema().getRootType(operation.operation) ?? null;
        const nesting = measure(operation.selectionSet, rootType);
        if (nesting > max) {
          context.reportError(
            queryLimitExceeded(
              "listNesting",
              max,
              `Lists of objects may nest at most ${max} deep, found ${nesting}. Ask for lineage instead of nesting upstream/downstream.`,
            ),
          );
        }
      },
    };
  };
}

/** The yoga plugins enforcing `limits`. */
export function createQueryLimitPlugins(limits: QueryLimits = DEFAULT_QUERY_LIMITS): Plugin[] {
  const armor = new EnvelopArmor({
    // Fragments organise a client's code; they add no depth or cost of their own, so they are flattened.
    maxDepth: {
      n: limits.maxDepth,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [reject("depth", limits.maxDepth)],
    },
    maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: [reject("aliases", limits.maxAliases)] },
    maxTokens: { n: limits.maxTokens, propagateOnRejection: false, onReject: [reject("tokens", limits.maxTokens)] },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [reject("directives", limits.maxDirectives)],
    },
    costLimit: {
      maxCost: limits.maxCost,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [reject("cost", limits.maxCost)],
    },
    // The schema is public (introspection is on for GraphiQL), so "did you mean" suggestions leak nothing and help.
    blockFieldSuggestion: { enabled: false },
  });
  const nestingPlugin: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(maxListNestingRule(limits.maxListNesting));
    },
  };
  return [...(armor.protect().plugins as Plugin[]), nestingPlugin];
}
