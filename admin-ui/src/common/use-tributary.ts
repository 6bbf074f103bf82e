/** The data provider with Tributary's custom methods, typed. */
import { useDataProvider } from "react-admin";
import type { TributaryDataProvider } from "../data-provider/index.ts";

export function useTributary(): TributaryDataProvider {
  return useDataProvider<TributaryDataProvider>();
}
