/** The locations resource: one list view with load status and diagnostics, registered in App.tsx. */
import { LocationList } from "./location-list.tsx";

export const locationViews = { list: LocationList };
