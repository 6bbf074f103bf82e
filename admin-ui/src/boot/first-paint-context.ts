/**
 * True inside the first paint (boot/first-paint.tsx). The parts it shares with the app (table, facets, search,
 * count) then leave out the marks by which tests, tools and assistive technology find the app's live elements
 * (`data-asset-key`, `data-facet`, `aria-live`, the search box's label): for a frame or two both are in the
 * page, and each of those must still name exactly one element.
 */
import { createContext, useContext } from "react";

export const FirstPaintContext = createContext(false);

export function useIsFirstPaint(): boolean {
  return useContext(FirstPaintContext);
}
