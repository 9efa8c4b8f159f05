// Compose the gateway's subgraph SDL (stdin) with a second subgraph that extends Customer by
// email, using Apollo's own composer; print the supergraph SDL, or the errors and exit 1.
const { composeServices } = require("@apollo/composition");
const { parse } = require("graphql");

const sdl = require("fs").readFileSync(0, "utf8");
const loyalty = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Customer @key(fields: "email") { email: String! loyaltyPoints: Int }
  type Query { topLoyal: [Customer!]! }
`;
const result = composeServices([
  { name: "marketing", typeDefs: parse(sdl), url: "http://marketing.test/graphql" },
  { name: "loyalty", typeDefs: parse(loyalty), url: "http://loyalty.test/graphql" },
]);
if (result.errors && result.errors.length) {
  console.error(result.errors.map((e) => e.message).join("\n"));
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
