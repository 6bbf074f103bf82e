/**
 * The catalog resource: its list and show views, registered in App.tsx. The asset page (markdown, the lineage
 * graph and its layout library) loads on first use, so the list's first page needs less JavaScript.
 */
import { Suspense } from "react";
import { preloadedLazy } from "../common/preloaded-lazy.tsx";
import { LoadingLines } from "../common/states.tsx";
import { AssetList } from "./asset-list.tsx";

const LazyAssetShow = preloadedLazy(() => import("./asset-show.tsx").then((module) => module.AssetShow));
// Opened on an asset's page, main.tsx has already fetched this chunk: have it ready before the route renders.
if (window.location.pathname.startsWith("/assets/")) void LazyAssetShow.preload();

function AssetShow() {
  return (
    <Suspense fallback={<LoadingLines lines={6} height={28} />}>
      <LazyAssetShow />
    </Suspense>
  );
}

export const assetViews = { list: AssetList, show: AssetShow };
