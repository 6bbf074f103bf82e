/** The backfills resource: its list and backfill page, loaded on first use (registered in App.tsx). */
import { lazy, Suspense } from "react";
import { LoadingLines } from "../common/states.tsx";

const LazyBackfillList = lazy(() => import("./backfill-list.tsx").then((module) => ({ default: module.BackfillList })));
const LazyBackfillShow = lazy(() => import("./backfill-show.tsx").then((module) => ({ default: module.BackfillShow })));

function BackfillList() {
  return (
    <Suspense fallback={<LoadingLines lines={6} height={36} />}>
      <LazyBackfillList />
    </Suspense>
  );
}

function BackfillShow() {
  return (
    <Suspense fallback={<LoadingLines lines={6} height={28} />}>
      <LazyBackfillShow />
    </Suspense>
  );
}

export const backfillViews = { list: BackfillList, show: BackfillShow };
