// Serves dynalite, the DynamoDB implementation srplan's tests use, on the loopback interface only.
//
// Usage: node scripts/dynalite-serve.cjs NODE_MODULES_DIR PORT
//
// dynalite 4 throws from a request's 'error' handler when a client goes away in the middle of a
// request ("aborted", ECONNRESET), which ends the whole process. srplan's crash and fault tests
// kill clients and cut connections on purpose, exactly as happens to a real DynamoDB endpoint, so
// this wrapper keeps the server up through such a client-side abort (and only that: any other
// uncaught error still ends the process). SIGTERM and SIGINT close the server and exit 0.
"use strict";
const path = require("node:path");

const [modulesDir, portArg] = process.argv.slice(2);
const port = Number(portArg);
if (!modulesDir || !Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node dynalite-serve.cjs NODE_MODULES_DIR PORT");
  process.exit(2);
}

process.on("uncaughtException", (err) => {
  if (err && err.code === "ECONNRESET" && err.message === "aborted") {
    return; // a client vanished mid-request; its request is simply dropped
  }
  console.error(err);
  process.exit(1);
});

const dynalite = require(path.resolve(modulesDir, "dynalite"));
const server = dynalite({}).listen(port, "127.0.0.1", () => {
  console.log(`Dynalite listening at: http://127.0.0.1:${server.address().port}`);
});

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
