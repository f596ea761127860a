// PostGraphile v5 over the aftercare tables (schema public), for the
// side-by-side benchmark. Production settings: no GraphiQL, no explain, no
// watch. It runs as the database owner without row-level security, so it
// does no authorisation at all (aftercare and the raw pgx floor do).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

/** @type {GraphileConfig.Preset} */
export default {
  // The connection-filter plugin gives `filter:` ranges and lists (startsAt
  // after now, status not delivered) that aftercare's `where:` has.
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PG_POOL_MAX || 10) },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PORT || 5678),
    graphqlPath: "/graphql",
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};
