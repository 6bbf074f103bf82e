/** The schedules resource: one list view, loaded on first use (registered in App.tsx). */
import { createElement, lazy, Suspense } from "react";
import { LoadingLines } from "../common/states.tsx";

const LazyScheduleList = lazy(() => import("./schedule-list.tsx").then((module) => ({ default: module.ScheduleList })));

function ScheduleList() {
  return createElement(Suspense, { fallback: createElement(LoadingLines, { lines: 4, height: 48 }) }, createElement(LazyScheduleList));
}

export const scheduleViews = { list: ScheduleList };
