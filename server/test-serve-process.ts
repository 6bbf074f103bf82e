/**
 * A `tributary serve` process with the shop test catalog instead of real connectors, for the test that sends
 * it signals (cli.test.ts). Run as `node --import tsx server/test-serve-process.ts`.
 */
import { createCatalogService } from "../catalog/service.ts";
import { main } from "./cli.ts";
import { shopDefinitions } from "./test-support.ts";

const code = await main(["node", "tributary", "serve", "--port", "0", "--manifest", "target/manifest.json"], {
  deps: {
    async createCatalogService(_request, onProgress) {
      const providers = shopDefinitions().map((definitions) => ({
        location: definitions.location,
        load: async () => definitions,
      }));
      return Object.assign(createCatalogService({ providers, onProgress }), {
        async close() {
          process.stderr.write("wiring closed\n");
        },
      });
    },
  },
});
process.exit(code);
