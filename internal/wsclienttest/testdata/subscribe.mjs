// Subscribes to one work order's progress with graphql-ws, the client the
// owner app uses, and prints each event as one JSON line on stdout.
//
//	node subscribe.mjs <ws-url> <token> <workOrderID> <after|""> <count>
//
// It exits 0 after <count> events. On any error (GraphQL errors in a
// result, an "error" message, a closed socket, a premature "complete") it
// prints {"error": ...} as one line and exits 1.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, workOrderID, afterArg, countArg] = process.argv.slice(2);
const want = Number.parseInt(countArg, 10);
if (!url || !token || !workOrderID || !(want > 0)) {
  console.error('usage: node subscribe.mjs <ws-url> <token> <workOrderID> <after|""> <count>');
  process.exit(2);
}
const variables = { id: workOrderID };
if (afterArg !== undefined && afterArg !== '') variables.after = Number.parseInt(afterArg, 10);

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  lazy: true,
  retryAttempts: 0, // report a failure instead of hiding it behind retries
});

let done = false;
let unsubscribe;
function finish(code, line) {
  if (done) return;
  done = true;
  if (line !== undefined) process.stdout.write(JSON.stringify(line) + '\n');
  // Let stdout drain, close the socket politely, then exit.
  unsubscribe?.();
  client.dispose();
  process.exitCode = code;
  setTimeout(() => process.exit(code), 200).unref();
}

function describe(err) {
  if (Array.isArray(err)) return err; // GraphQL errors from an "error" message
  if (err && typeof err === 'object' && 'code' in err && 'reason' in err) {
    return { closeCode: err.code, reason: err.reason }; // a CloseEvent
  }
  if (err instanceof Error) return { message: err.message };
  return err;
}

let seen = 0;
unsubscribe = client.subscribe(
  {
    query: `subscription($id: ID!, $after: Int) {
      workOrderProgress(workOrderID: $id, after: $after) { seq toStatus message }
    }`,
    variables,
  },
  {
    next(result) {
      if (result.errors?.length) {
        finish(1, { error: result.errors });
        return;
      }
      process.stdout.write(JSON.stringify(result.data.workOrderProgress) + '\n');
      if (++seen >= want) finish(0);
    },
    error(err) {
      finish(1, { error: describe(err) });
    },
    complete() {
      finish(seen >= want ? 0 : 1, seen >= want ? undefined : { error: { message: `completed after ${seen} of ${want} events` } });
    },
  },
);

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => finish(1, { error: { message: `killed by ${sig} after ${seen} events` } }));
}
