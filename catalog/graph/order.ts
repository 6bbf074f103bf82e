/**
 * Orders of the catalog ({@link AssetOrder}): an asset's value for an order's field, and the comparison every
 * sorted view and every cursor of that order follows. Strings compare by UTF-16 code units (as ids do), so an
 * order, and a cursor's position in it, is the same on every server and locale.
 */
import type { AssetOrder, AssetOrderField, CatalogAsset, OrderPosition } from "./types.ts";

/** The default order: by id, ascending. */
export const KEY_ORDER: AssetOrder = { field: "KEY", direction: "ASC" };

export const ASSET_ORDER_FIELDS: readonly AssetOrderField[] = ["KEY", "GROUP", "TOOL", "UPSTREAM_COUNT", "DOWNSTREAM_COUNT", "HAS_POLICY"];

export function isKeyOrder(order: AssetOrder | null | undefined): boolean {
  return order === null || order === undefined || (order.field === "KEY" && order.direction === "ASC");
}

/** The value an order sorts an asset by; null (sorted last) when the asset has none. */
export function assetOrderValue(asset: CatalogAsset, field: AssetOrderField): string | number | null {
  switch (field) {
    case "KEY":
      return asset.id;
    case "GROUP":
      return asset.group;
    case "TOOL":
      return asset.materializer?.tool ?? null;
    case "UPSTREAM_COUNT":
      return asset.upstreamIds.length;
    case "DOWNSTREAM_COUNT":
      return asset.downstreamIds.length;
    case "HAS_POLICY":
      return asset.policy === null ? 0 : 1;
  }
}

export function orderPosition(asset: CatalogAsset, order: AssetOrder): OrderPosition {
  return { value: assetOrderValue(asset, order.field), id: asset.id };
}

/** Negative when `a` comes before `b` in `order`: by value (nulls last), then by id, both in the order's direction. */
export function comparePositions(order: AssetOrder, a: OrderPosition, b: OrderPosition): number {
  const sign = order.direction === "DESC" ? -1 : 1;
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    return a.value < b.value ? -sign : sign;
  }
  return a.id < b.id ? -sign : a.id > b.id ? sign : 0;
}
