// When porchd cannot be reached (issue 7): the same built site served by a
// plain static server (python3 -m http.server, no /api at all, as on a CDN
// while porchd is down) still reads, and the portal parts say clearly that
// the help server is unavailable instead of waiting forever.
"use strict";
const { spawn } = require("child_process");

function staticServer(dir) {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir],
      { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("http.server did not start")), 10000);
    p.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/port (\d+)/);
      if (m) { clearTimeout(timer); resolve({ proc: p, base: "http://127.0.0.1:" + m[1] }); }
    });
  });
}

module.exports = async function (t) {
  const { check } = t;
  if (!t.hasPage("/account/login") || !t.hasPage("/tickets/new")) {
    process.stderr.write("    offline: no portal pages yet: not tested\n");
    return;
  }
  const srv = await staticServer(t.site);
  const page = await t.newPage();
  const unavailable = () => page.waitForFunction(() => {
    const e = document.getElementById("portal-error");
    return e && !e.hidden && /unavailable right now/.test(e.textContent);
  });
  try {
    await check("without porchd, docs still read and search still works", async () => {
      await page.goto(srv.base + "/docs/backups/retention/");
      if ((await page.textContent("main h1")).trim() != "Retention rules") return "no docs page";
      await page.goto(srv.base + "/search/?q=restore");
      await page.waitForSelector(".ps-page .ps-item");
    });
    await check("without porchd, the login page says the help server is unavailable", async () => {
      await page.goto(srv.base + "/account/login/");
      await unavailable();
    });
    await check("without porchd, the ticket form says so and keeps the draft", async () => {
      await page.goto(srv.base + "/tickets/new/");
      await unavailable();
      return /draft is kept/.test(await page.textContent("#portal-error")) ? "" : "no word about the draft";
    });
  } finally {
    await page.context().close();
    srv.proc.kill();
  }
};
