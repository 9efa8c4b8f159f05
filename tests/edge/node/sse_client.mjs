// graphql-sse's own client in its "distinct connections" mode (one HTTP request per
// operation), as Hive Gateway and browsers use it. Runs the operation argv[3] at argv[2] and
// prints each result as one JSON line, until MGW_SSE_RESULTS results or the operation ends.
import { createClient } from "graphql-sse";

const [url, query] = process.argv.slice(2);
const headers = JSON.parse(process.env.MGW_SSE_HEADERS || "{}");
const wanted = Number(process.env.MGW_SSE_RESULTS || "1");
const client = createClient({ url, singleConnection: false, headers, retryAttempts: 0 });

let seen = 0;
await new Promise((resolve) => {
  const dispose = client.subscribe(
    { query },
    {
      next: (result) => {
        console.log(JSON.stringify(result));
        seen += 1;
        if (seen >= wanted) {
          dispose();
          resolve();
        }
      },
      error: (error) => {
        console.log(JSON.stringify({ clientError: String((error && error.message) || error) }));
        resolve();
      },
      complete: resolve,
    },
  );
});
client.dispose();
