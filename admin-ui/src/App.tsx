/** The only registry of the UI: the data provider, the theme, the layout and the resources. */
import StorageIcon from "@mui/icons-material/Storage";
import TableChartOutlinedIcon from "@mui/icons-material/TableChartOutlined";
import { Admin, Resource } from "react-admin";
import { BrowserRouter } from "react-router-dom";
import { assetViews } from "./assets/index.tsx";
import { createTributaryDataProvider } from "./data-provider/index.ts";
import { TributaryLayout } from "./layout/index.tsx";
import { theme } from "./layout/theme.ts";
import { locationViews } from "./locations/index.ts";

const dataProvider = createTributaryDataProvider("/graphql");

export function App() {
  return (
    <BrowserRouter>
      <Admin
        dataProvider={dataProvider}
        theme={theme}
        layout={TributaryLayout}
        title="Tributary"
        disableTelemetry
        requireAuth={false}
      >
        <Resource name="assets" options={{ label: "Catalog" }} icon={TableChartOutlinedIcon} recordRepresentation="key" {...assetViews} />
        <Resource name="locations" icon={StorageIcon} recordRepresentation="name" {...locationViews} />
      </Admin>
    </BrowserRouter>
  );
}
