/** The runs resource: its list and run page, loaded on first use (registered in App.tsx). */
import { lazy, Suspense } from "react";
import { LoadingLines } from "../common/states.tsx";

const LazyRunList = lazy(() => import("./run-list.tsx").then((module) => ({ default: module.RunList })));
const LazyRunShow = lazy(() => import("./run-show.tsx").then((module) => ({ default: module.RunShow })));

function RunList() {
  return (
    <Suspense fallback={<LoadingLines lines={6} height={36} />}>
      <LazyRunList />
    </Suspense>
  );
}

function RunShow() {
  return (
    <Suspense fallback={<LoadingLines lines={6} height={28} />}>
      <LazyRunShow />
    </Suspense>
  );
}

export const runViews = { list: RunList, show: RunShow };
