/** react-admin's layout: the plain app frame (frame.tsx) with the app's state, an error boundary and Suspense. */
import { Component, Suspense, useState, type ErrorInfo, type ReactNode } from "react";
import { useLoading, useRefresh } from "react-admin";
import { useLocation, useNavigate } from "react-router-dom";
import { ErrorState, LoadingLines } from "../common/states.tsx";
import { AppFrame, initialSidebarOpen, saveSidebarOpen } from "./frame.tsx";

/** A page that throws shows what failed and a way back, instead of a blank frame. */
class PageErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null; resetKey: string }> {
  override state = { error: null as Error | null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  // Navigating elsewhere clears the error: the next page gets its chance.
  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; resetKey: string }) {
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("page failed to render", error, info.componentStack);
  }

  override render() {
    if (this.state.error !== null) {
      return (
        <div className="page-error">
          <ErrorState error={this.state.error} title="This page failed to render" onRetry={() => this.setState({ error: null })} />
        </div>
      );
    }
    return this.props.children;
  }
}

export function TributaryLayout({ children }: { children: ReactNode }) {
  const [sidebarOpen, setSidebarOpen] = useState(initialSidebarOpen);
  const refresh = useRefresh();
  const loading = useLoading();
  const location = useLocation();
  const navigate = useNavigate();
  const toggle = () => {
    saveSidebarOpen(!sidebarOpen);
    setSidebarOpen(!sidebarOpen);
  };
  // On a phone the open menu covers the page: following one of its links closes it.
  const go = (to: string) => {
    if (sidebarOpen && window.matchMedia("(max-width: 599px)").matches) setSidebarOpen(false);
    void navigate(to);
  };
  return (
    <AppFrame titleContainerId="react-admin-title" sidebarOpen={sidebarOpen} onToggleSidebar={toggle} onRefresh={refresh} loading={loading} pathname={location.pathname} navigate={go}>
      <PageErrorBoundary resetKey={location.pathname}>
        <Suspense fallback={<LoadingLines lines={6} height={28} />}>{children}</Suspense>
      </PageErrorBoundary>
    </AppFrame>
  );
}
