/**
 * The locations resource: one list view with load status and diagnostics, registered in App.tsx. It loads on
 * first use, so the catalog list's first page needs less JavaScript.
 */
import { createElement, lazy, Suspense } from "react";
import { LoadingLines } from "../common/states.tsx";

const LazyLocationList = lazy(() => import("./location-list.tsx").then((module) => ({ default: module.LocationList })));

function LocationList() {
  return createElement(Suspense, { fallback: createElement(LoadingLines, { lines: 4, height: 64 }) }, createElement(LazyLocationList));
}

export const locationViews = { list: LocationList };
