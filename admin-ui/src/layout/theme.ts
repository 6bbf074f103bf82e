/** react-admin's default MUI theme, quieter: a calm blue, grey surfaces, system fonts, roomier tables. */
import { defaultTheme, type RaThemeOptions } from "react-admin";

export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    mode: "light",
    primary: { main: "#1f4fd1" },
    secondary: { main: "#0f1b3d" },
    background: { default: "#f6f7f9", paper: "#ffffff" },
    text: { primary: "#101828", secondary: "#475467" },
    divider: "#eaecf0",
  },
  shape: { borderRadius: 8 },
  typography: {
    fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h5: { fontWeight: 600, letterSpacing: "-0.01em" },
    h6: { fontWeight: 600, fontSize: "1.05rem" },
    subtitle2: { fontWeight: 600 },
  },
  components: {
    ...defaultTheme.components,
    MuiPaper: { styleOverrides: { root: { backgroundImage: "none" } }, defaultProps: { elevation: 0 } },
    MuiCard: { styleOverrides: { root: { border: "1px solid #eaecf0" } } },
    MuiTableCell: { styleOverrides: { head: { fontWeight: 600, color: "#475467", backgroundColor: "#f9fafb" } } },
  },
};
