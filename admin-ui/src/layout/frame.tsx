/**
 * The app frame (app bar, menu, content area) as plain elements styled by catalog.css. react-admin's layout is
 * replaced by this one (layout/index.tsx supplies its state) because the first paint (boot/first-paint.tsx)
 * draws the very same frame before react-admin has loaded: one component, so the two cannot drift apart.
 */
import type { MouseEvent, ReactNode } from "react";

/** Material icons (Apache-2.0) as paths: plain SVG, no icon components. */
export const ICONS = {
  menu: "M3 18h18v-2H3zm0-5h18v-2H3zm0-7v2h18V6z",
  refresh:
    "M17.65 6.35C16.2 4.9 14.21 4 12 4c-4.42 0-7.99 3.58-7.99 8s3.57 8 7.99 8c3.73 0 6.84-2.55 7.73-6h-2.08c-.82 2.33-3.04 4-5.65 4-3.31 0-6-2.69-6-6s2.69-6 6-6c1.66 0 3.14.69 4.22 1.78L13 11h7V4z",
  search:
    "M15.5 14h-.79l-.28-.27C15.41 12.59 16 11.11 16 9.5 16 5.91 13.09 3 9.5 3S3 5.91 3 9.5 5.91 16 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14",
  catalog: "M20 3H5c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h15c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2m0 2v3H5V5zm-5 14h-5v-9h5zM5 10h3v9H5zm12 9v-9h3v9z",
  locations: "M2 20h20v-4H2zm2-3h2v2H4zM2 4v4h20V4zm4 3H4V5h2zm-4 7h20v-4H2zm2-3h2v2H4z",
  api: "m14 12-2 2-2-2 2-2zm-2-6 2.12 2.12 2.5-2.5L12 1 7.38 5.62l2.5 2.5zm-6 6 2.12-2.12-2.5-2.5L1 12l4.62 4.62 2.5-2.5zm12 0-2.12 2.12 2.5 2.5L23 12l-4.62-4.62-2.5 2.5zm-6 6-2.12-2.12-2.5 2.5L12 23l4.62-4.62-2.5-2.5z",
  filter: "M10 18h4v-2h-4zM3 6v2h18V6zm3 7h12v-2H6z",
  runs: "M8 5v14l11-7z",
  schedules: "M11.99 2C6.47 2 2 6.48 2 12s4.47 10 9.99 10C17.52 22 22 17.52 22 12S17.52 2 11.99 2M12 20c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8m.5-13H11v6l5.25 3.15.75-1.23-4.5-2.67z",
  backfills: "M5.33 20H4c-1.1 0-2-.9-2-2V6c0-1.1.9-2 2-2h1.33c1.1 0 2 .9 2 2v12c0 1.1-.89 2-2 2M22 18V6c0-1.1-.9-2-2-2h-1.33c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2H20c1.11 0 2-.9 2-2m-7.33 0V6c0-1.1-.9-2-2-2h-1.33c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h1.33c1.1 0 2-.9 2-2",
  close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
} as const;

export function Icon({ path, size = 24 }: { path: string; size?: number }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width={size} height={size} fill="currentColor" aria-hidden focusable="false">
      <path d={path} />
    </svg>
  );
}

interface MenuItem {
  readonly label: string;
  readonly to: string;
  readonly icon: string;
  /** A page outside the app (GraphiQL): the browser loads it. */
  readonly external?: boolean;
}

export const MENU: readonly MenuItem[] = [
  { label: "Catalog", to: "/assets", icon: ICONS.catalog },
  { label: "Runs", to: "/runs", icon: ICONS.runs },
  { label: "Schedules", to: "/schedules", icon: ICONS.schedules },
  { label: "Backfills", to: "/backfills", icon: ICONS.backfills },
  { label: "Locations", to: "/locations", icon: ICONS.locations },
  { label: "GraphQL API", to: "/graphql", icon: ICONS.api, external: true },
];

/** Where the menu's open/closed choice is kept, for the app and the first paint alike. */
const SIDEBAR_KEY = "tributary.sidebar";

/**
 * Whether the menu shows its labels: on a phone never at first (open, it covers the page); elsewhere the saved
 * choice, else open where the catalog's facets and columns still fit beside it.
 */
export function initialSidebarOpen(): boolean {
  if (window.matchMedia("(max-width: 599px)").matches) return false;
  try {
    const saved = window.localStorage.getItem(SIDEBAR_KEY);
    if (saved === "open" || saved === "closed") return saved === "open";
  } catch {
    // Storage can be disabled; the default below applies.
  }
  return window.matchMedia("(min-width: 1280px)").matches;
}

/** The browser tab's title: the page's, then the product's. */
export function documentTitle(page: string | null): string {
  return page === null || page === "" ? "Tributary" : `${page} · Tributary`;
}

export function saveSidebarOpen(open: boolean): void {
  try {
    window.localStorage.setItem(SIDEBAR_KEY, open ? "open" : "closed");
  } catch {
    // Not saved; the menu still toggles.
  }
}

export interface AppFrameProps {
  /** The page's title in the app bar (the first paint's). */
  readonly title?: string;
  /**
   * The id react-admin pages portal their title into (`react-admin-title`): the app's frame only, so a page
   * rendered while the first paint is up never portals into the first paint's frame.
   */
  readonly titleContainerId?: string;
  readonly sidebarOpen: boolean;
  readonly onToggleSidebar?: () => void;
  readonly onRefresh?: () => void;
  /** A request is running: the app bar shows a progress line. */
  readonly loading?: boolean;
  /** The path of the current page, to mark its menu item. */
  readonly pathname: string;
  /** Opens an in-app path without reloading; without it, links load the page. */
  readonly navigate?: (to: string) => void;
  readonly children: ReactNode;
}

export function AppFrame({ title, titleContainerId, sidebarOpen, onToggleSidebar, onRefresh, loading = false, pathname, navigate, children }: AppFrameProps) {
  const follow = (item: MenuItem) => (event: MouseEvent) => {
    if (navigate === undefined || item.external === true || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(item.to);
  };
  return (
    <div className={`app-frame ${sidebarOpen ? "sidebar-open" : "sidebar-closed"}`}>
      <a className="skip-link" href="#main-content">
        Skip to content
      </a>
      <header className="app-bar">
        <button type="button" className="icon-button" aria-label={sidebarOpen ? "Close menu" : "Open menu"} aria-expanded={sidebarOpen} onClick={onToggleSidebar}>
          <Icon path={ICONS.menu} />
        </button>
        <img className="app-logo" src="/favicon.svg" alt="" width={22} height={22} />
        <span className="app-name">Tributary</span>
        <span className="app-title" id={titleContainerId}>
          {title}
        </span>
        <button type="button" className="icon-button" aria-label="Refresh" title="Refresh" onClick={onRefresh}>
          <Icon path={ICONS.refresh} />
        </button>
        {loading && <span className="app-progress" role="progressbar" aria-label="Loading" />}
      </header>
      <nav className="app-menu" aria-label="Main">
        {MENU.map((item) => {
          const active = !item.external && (pathname === item.to || pathname.startsWith(`${item.to}/`) || (pathname === "/" && item.to === "/assets"));
          return (
            <a key={item.to} href={item.to} className={active ? "active" : undefined} aria-current={active ? "page" : undefined} title={item.label} onClick={follow(item)}>
              <Icon path={item.icon} />
              <span className="label">{item.label}</span>
            </a>
          );
        })}
      </nav>
      {sidebarOpen && <div className="app-menu-backdrop" onClick={onToggleSidebar} aria-hidden />}
      <main id="main-content" className="app-content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
