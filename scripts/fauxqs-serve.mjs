// Serves fauxqs, the SQS implementation srplan's tests use, on the loopback interface only.
//
// Usage: node scripts/fauxqs-serve.mjs NODE_MODULES_DIR PORT
//
// fauxqs 1.9.2's startFauxqs always listens on 0.0.0.0 (its host option only names the host in
// queue URLs), so this builds the same application with buildApp and listens on 127.0.0.1 itself.
// Queue URLs keep fauxqs' default form, http://sqs.REGION.localhost:PORT/000000000000/NAME; SDK
// clients send every request to their configured endpoint, so that host name need not resolve.
// SIGTERM and SIGINT close the server and exit 0.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modulesDir, portArg] = process.argv.slice(2);
const port = Number(portArg);
if (!modulesDir || !Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node fauxqs-serve.mjs NODE_MODULES_DIR PORT");
  process.exit(2);
}

const entry = pathToFileURL(path.join(modulesDir, "fauxqs", "dist", "app.js")).href;
const { buildApp } = await import(entry);
const app = buildApp({ logger: false });
const address = await app.listen({ port, host: "127.0.0.1" });
console.log(`fauxqs listening at ${address}`);

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.close().finally(() => process.exit(0));
  });
}
