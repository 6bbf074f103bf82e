/** The only registry of the UI: the data provider, the theme, the layout and the resources. */
import { QueryClient } from "@tanstack/react-query";
import { Admin, Resource } from "react-admin";
import { BrowserRouter } from "react-router-dom";
import { assetViews } from "./assets/index.tsx";
import { backfillViews } from "./backfills/index.tsx";
import { LIST_SORT, LIST_PAGE_SIZE } from "./assets/list-defaults.ts";
import { createTributaryDataProvider } from "./data-provider/index.ts";
import type { FirstPage } from "./data-provider/prefetch.ts";
import { TributaryLayout } from "./layout/index.tsx";
import { theme } from "./layout/theme.ts";
import { locationViews } from "./locations/index.ts";
import { runViews } from "./runs/index.tsx";
import { scheduleViews } from "./schedules/index.ts";

const dataProvider = createTributaryDataProvider("/graphql");
const queryClient = new QueryClient();

/**
 * Puts the catalog list's first page (prefetched by main.tsx) into react-admin's query cache under the key its
 * list asks for, so the list mounts with its rows instead of a loading state and a request.
 */
export async function seedFirstPage({ filter }: FirstPage): Promise<void> {
  const params = { pagination: { page: 1, perPage: LIST_PAGE_SIZE }, sort: LIST_SORT, filter };
  const { data, total, pageInfo } = await dataProvider.getList("assets", params);
  queryClient.setQueryData(["assets", "getList", params], { data, total, pageInfo, meta: undefined });
}

export function App() {
  return (
    <BrowserRouter>
      <Admin
        dataProvider={dataProvider}
        queryClient={queryClient}
        theme={theme}
        layout={TributaryLayout}
        title="Tributary"
        disableTelemetry
        requireAuth={false}
      >
        <Resource name="assets" options={{ label: "Catalog" }} recordRepresentation="key" {...assetViews} />
        <Resource name="runs" recordRepresentation="id" {...runViews} />
        <Resource name="schedules" recordRepresentation="name" {...scheduleViews} />
        <Resource name="backfills" recordRepresentation="id" {...backfillViews} />
        <Resource name="locations" recordRepresentation="name" {...locationViews} />
      </Admin>
    </BrowserRouter>
  );
}
