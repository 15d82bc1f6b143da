// The local mode of the editing interface: one server on this computer for the admin page
// (CASELOG_ADMIN_PAGE, a folder written by `caselog admin-config -o`) and Decap's git proxy API
// (/api/v1), which reads and commits in the checkout at GIT_REPO_DIRECTORY.
"use strict";
const path = require("path");
const express = require("express");
const { registerLocalGit } = require("decap-server/dist/middlewares");

async function main() {
  const page = path.resolve(process.env.CASELOG_ADMIN_PAGE);
  const port = parseInt(process.env.PORT || "8081", 10);
  const host = process.env.BIND_HOST || "127.0.0.1";
  const app = express();
  await registerLocalGit(app, { logLevel: process.env.LOG_LEVEL || "warn" });
  app.use("/admin", express.static(page, { index: "index.html" }));
  app.get("/", (req, res) => res.redirect("/admin/"));
  const server = app.listen(port, host, () => {
    // caselog reads this line to know the server is up
    console.log(`listening on http://${host}:${server.address().port}/`);
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
