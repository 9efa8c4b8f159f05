// Runs graphql-http's server audits (GraphQL over HTTP spec, MUSTs and SHOULDs) against the
// URL given as the first argument and prints one JSON array of {id, name, status, reason}.
// Headers named in the MGW_AUDIT_HEADERS environment variable (a JSON object) are added to
// every request: the serve profile wants an API key, and CSRF protection a header.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const extra = JSON.parse(process.env.MGW_AUDIT_HEADERS || '{}');

async function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers || {});
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn });
const out = [];
for (const result of results) {
  out.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
  });
}
process.stdout.write(JSON.stringify(out));
