// Accounts in a real browser (issue 7): sign up, read the mail the real
// porchd sent through SMTP, open its link, choose a password, see the name
// in the header; log out; a wrong password is refused and says so; log
// in; reset the password through the mailed link; log in by mailed link;
// axe on the logged-in account page.  Exported helpers (signUp, logIn)
// let the ticket and vote journeys start with an account.
"use strict";

const PASSWORD = "correct horse battery";

// The first URL in a mail's text under base + path.
function linkIn(mail, base, path) {
  const m = mail.text.match(new RegExp(base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + path.replace(/[?]/g, "\\?") + "\\S*"));
  if (!m) throw new Error("no " + path + " link in the mail: " + mail.text.slice(0, 300));
  return m[0];
}

// The header's account button text once portal.js filled it ("" when it
// shows the login link instead).
async function headerName(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector(".site-header .account");
    return s && (s.querySelector(".account-name") || s.querySelector("a.account-login"));
  });
  const n = page.locator(".site-header .account .account-name");
  return (await n.count()) ? (await n.textContent()).trim() : "";
}

// Signs up name/email in page and follows the mail to a chosen password;
// ends logged in on the page the verification leads to.
async function signUp(t, page, name, email, password) {
  const after = t.smtp.messages().length;
  await page.goto(t.base + "/account/signup/");
  await page.fill("#signup-name", name);
  await page.fill("#signup-email", email);
  await page.click("#signup-form button[type=submit]");
  await page.waitForFunction(() => /Check your inbox/.test(document.getElementById("portal-status").textContent));
  const mail = await t.smtp.waitMail(email, { kind: "verify", after });
  await page.goto(linkIn(mail, t.base, "/account/verify/?token="));
  await page.fill("#verify-password", password || PASSWORD);
  await page.fill("#verify-password2", password || PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/account/verify/")),
    page.click("#verify-form button[type=submit]")]);
  return mail;
}

async function logIn(t, page, email, password, next) {
  await page.goto(t.base + "/account/login/" + (next ? "?next=" + encodeURIComponent(next) : ""));
  await page.fill("#login-email", email);
  await page.fill("#login-password", password || PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/account/login/")),
    page.click("#login-form button[type=submit]")]);
}

async function logOutFromHeader(t, page) {
  await page.click(".site-header .account-btn");
  await Promise.all([page.waitForURL(t.base + "/"), page.click(".site-header #account-menu button")]);
}

module.exports = async function (t) {
  const { check } = t;
  if (!t.hasPage("/account/signup") || !t.hasPage("/account/verify")) {
    process.stderr.write("    accounts: the theme has no sign-up pages yet: not tested\n");
    return;
  }
  const B = t.base;
  const email = "ada." + process.pid + "@example.test";
  const name = "Ada Lovelace";
  const page = await t.newPage();

  await check("logged out, the header offers 'Log in'", async () => {
    await page.goto(B + "/docs/");
    const n = await headerName(page);
    const login = await page.locator(".site-header .account a.account-login").isVisible();
    return !n && login ? "" : "header name " + JSON.stringify(n) + ", login link visible " + login;
  });
  let signed = false;
  await check("sign up -> mail -> verify link -> choose a password -> logged in with the name in the header", async () => {
    await signUp(t, page, name, email);
    signed = true;
    if (new URL(page.url()).pathname != "/account/") return "landed on " + page.url();
    await page.waitForSelector("#account-details:not([hidden])");
    const shown = [await page.textContent("#account-name"), await page.textContent("#account-email")];
    if (shown[0] != name || shown[1] != email) return "the account page shows " + shown.join(", ");
    const n = await headerName(page);
    return n == name ? "" : "the header shows " + JSON.stringify(n);
  });
  if (!signed) { await page.context().close(); return; }
  await check("the name stays in the header on other pages", async () => {
    await page.goto(B + "/faq/");
    const n = await headerName(page);
    return n == name ? "" : "the header shows " + JSON.stringify(n);
  });
  await check("axe: the account page, logged in, has no violations", async () => {
    await page.goto(B + "/account/");
    await page.waitForSelector("#account-details:not([hidden])");
    return t.axe(page);
  });
  await check("log out from the header menu: back home, 'Log in' again", async () => {
    await logOutFromHeader(t, page);
    const n = await headerName(page);
    if (n) return "still shows " + n;
    const me = await page.evaluate(() => fetch("/api/auth/me").then((r) => r.text().then((t) => r.status + " " + t)));
    return /^200 \{\s*"user"\s*:\s*null\s*\}$/.test(me) ? "" : "/api/auth/me answers " + me;
  });
  await check("a wrong password is refused with a message, and the form stays", async () => {
    await page.goto(B + "/account/login/");
    await page.fill("#login-email", email);
    await page.fill("#login-password", "not the password");
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#portal-error:not([hidden])");
    const msg = (await page.textContent("#portal-error")).trim();
    return msg && new URL(page.url()).pathname == "/account/login/" ? "" : "message " + JSON.stringify(msg);
  });
  await check("log in with the password; ?next= brings the customer back", async () => {
    await logIn(t, page, email, PASSWORD, "/faq/");
    if (new URL(page.url()).pathname != "/faq/") return "landed on " + page.url();
    return (await headerName(page)) == name ? "" : "the header does not show the name";
  });
  await check("log out from the account page", async () => {
    await page.goto(B + "/account/");
    await page.waitForSelector("#account-details:not([hidden])");
    await Promise.all([page.waitForURL(B + "/"), page.click("#logout")]);
    return (await headerName(page)) ? "still logged in" : "";
  });
  const NEWPASS = "a brand new passphrase";
  await check("reset the password through the mailed link; logged in; the new password works, the old one not", async () => {
    const after = t.smtp.messages().length;
    await page.goto(B + "/account/login/");
    await Promise.all([page.waitForURL(B + "/account/reset/"), page.click("a[href='/account/reset/']")]);
    await page.fill("#reset-email", email);
    await page.click("#reset-request-form button[type=submit]");
    await page.waitForFunction(() => /we sent it a link/.test(document.getElementById("portal-status").textContent));
    const mail = await t.smtp.waitMail(email, { kind: "reset", after });
    await page.goto(linkIn(mail, B, "/account/reset/?token="));
    // portal.js (deferred) swaps the forms; under load give it a moment.
    await page.waitForSelector("#reset-form", { state: "visible", timeout: 10000 }).catch(() => null);
    if (await page.locator("#reset-request-form").isVisible()) return "the link shows the request form";
    await page.fill("#reset-password", NEWPASS);
    await page.fill("#reset-password2", NEWPASS + "x");
    await page.click("#reset-form button[type=submit]");
    await page.waitForSelector("#reset-password2[aria-invalid=true]");
    await page.fill("#reset-password2", NEWPASS);
    await Promise.all([page.waitForURL(B + "/account/"), page.click("#reset-form button[type=submit]")]);
    if ((await headerName(page)) != name) return "not logged in after the reset";
    await logOutFromHeader(t, page);
    await page.goto(B + "/account/login/");
    await page.fill("#login-email", email);
    await page.fill("#login-password", PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#portal-error:not([hidden])");
    await logIn(t, page, email, NEWPASS);
    return (await headerName(page)) == name ? "" : "the new password did not log in";
  });
  await check("log in by mailed link (magic link)", async () => {
    await logOutFromHeader(t, page);
    const after = t.smtp.messages().length;
    await page.goto(B + "/account/login/");
    await page.fill("#magic-email", email);
    await page.click("#magic-form button[type=submit]");
    await page.waitForFunction(() => /login link is on its way/.test(document.getElementById("portal-status").textContent));
    const mail = await t.smtp.waitMail(email, { kind: "magic", after });
    await Promise.all([page.waitForURL(B + "/account/"), page.goto(linkIn(mail, B, "/account/magic/?token="))]);
    if ((await headerName(page)) != name) return "the header does not show the name";
    // the link works once
    const again = await t.newPage();
    await again.goto(linkIn(mail, B, "/account/magic/?token="));
    await again.waitForSelector("#portal-error:not([hidden])");
    const retry = await again.locator("#magic-retry").isVisible();
    await again.context().close();
    return retry ? "" : "a used link does not offer the login page";
  });
  await check("no script errors in the account journeys", async () => (page.errors.length ? page.errors.join("; ") : ""));
  await page.context().close();
};

module.exports.PASSWORD = PASSWORD;
module.exports.signUp = signUp;
module.exports.logIn = logIn;
module.exports.headerName = headerName;
module.exports.linkIn = linkIn;
