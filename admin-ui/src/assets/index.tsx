/**
 * The catalog resource: its list and show views, registered in App.tsx. The asset page (markdown, the lineage
 * graph and its layout library) loads on first use, so the list's first page needs less JavaScript.
 */
import { lazy, Suspense } from "react";
import { LoadingLines } from "../common/states.tsx";
import { AssetList } from "./asset-list.tsx";

const LazyAssetShow = lazy(() => import("./asset-show.tsx").then((module) => ({ default: module.AssetShow })));

function AssetShow() {
  return (
    <Suspense fallback={<LoadingLines lines={6} height={28} />}>
      <LazyAssetShow />
    </Suspense>
  );
}

export const assetViews = { list: AssetList, show: AssetShow };
