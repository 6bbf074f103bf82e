/** The app frame: app bar with the product name, and a menu of resources plus a link to GraphiQL. */
import ApiIcon from "@mui/icons-material/Api";
import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { AppBar, Layout, Menu, TitlePortal } from "react-admin";

// alwaysOn: no hide-on-scroll, whose scroll listener reads the scroll position (a forced layout) on mount.
function TributaryAppBar() {
  return (
    <AppBar color="secondary" userMenu={false} alwaysOn>
      <Box component="img" src="/favicon.svg" alt="" sx={{ width: 22, height: 22, mr: 1 }} />
      <Typography variant="h6" component="span" sx={{ mr: 2, fontWeight: 700 }}>
        Tributary
      </Typography>
      <TitlePortal variant="body1" sx={{ opacity: 0.85 }} />
    </AppBar>
  );
}

function TributaryMenu() {
  return (
    <Menu>
      <Menu.ResourceItems />
      <Menu.Item to="/graphql" reloadDocument primaryText="GraphQL API" leftIcon={<ApiIcon />} />
    </Menu>
  );
}

export function TributaryLayout({ children }: { children: ReactNode }) {
  return (
    <Layout appBar={TributaryAppBar} menu={TributaryMenu}>
      {children}
    </Layout>
  );
}
