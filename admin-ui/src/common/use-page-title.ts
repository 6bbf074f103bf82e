/** Names the browser tab after the page ("orders · Tributary"), so tabs, history and bookmarks say what they hold. */
import { useEffect } from "react";
import { documentTitle } from "../layout/frame.tsx";

export function usePageTitle(title: string | null): void {
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
}
