/* Porch portal: the parts of the default theme that talk to porchd
   (docs/api.md): the header's account menu, the account and ticket pages,
   roadmap votes and "Was this helpful?". Pages are built by the generator;
   this file only fills them in. Nothing here is needed to read the docs.
   No dependencies; every answer of the server is shown with textContent. */
(function () {
  "use strict";
  var D = document, W = window, S = D.currentScript || {}, data = S.dataset || {};
  var API = data.api || "/api", BASE = (data.base || "/").replace(/\/$/, "");
  var params = new URLSearchParams(location.search);
  var LS = store("localStorage"), SS = store("sessionStorage");
  var UNREACHABLE = " is unavailable right now: we cannot reach the help server. Please try again in a few minutes.";

  function $(id) { return D.getElementById(id); }
  function url(p) { return BASE + p; }
  function el(tag, cls, text) {
    var e = D.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function store(kind) { try { return W[kind]; } catch (e) { return null; } }
  function get(st, k) { try { return st ? JSON.parse(st.getItem(k)) : null; } catch (e) { return null; } }
  function put(st, k, v) {
    try { if (st) { if (v == null) st.removeItem(k); else st.setItem(k, JSON.stringify(v)); } } catch (e) { /* full or private */ }
  }
  function uuid() {
    if (W.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16), s = "";
    crypto.getRandomValues(a);
    for (var i = 0; i < 16; i++) s += (a[i] + 256).toString(16).slice(1);
    return s;
  }
  function show(x, on) { if (x) x.hidden = !on; }
  /* fn once the browser is idle (after load), so it adds no blocking
     time to the page's start. */
  function idle(fn) {
    if (W.requestIdleCallback) requestIdleCallback(function () { fn(); }, { timeout: 2000 });
    else setTimeout(fn, 200);
  }

  /* ------------------------------------------------------------ the API */
  var csrf = get(SS, "porch-csrf");
  /* The token of the session, and a note that this browser has one, so
     reading pages does not ask porchd who is logged in when no one is. */
  function setCsrf(t) {
    csrf = t;
    put(SS, "porch-csrf", t);
    put(LS, "porch-in", t ? 1 : null);
    /* The head's script marks <html> from porch-in: parts for visitors
       ([data-logged-out]) stay hidden until porchd says who it is. */
    D.documentElement.classList.toggle("porch-in", !!t);
  }
  /* fetch with the session cookie and the CSRF token; resolves with the
     answer's JSON, rejects with an Error carrying status, code, fields.
     status 0 or a non-JSON answer means porchd could not be reached. */
  /* fresh: skip the browser's cached copy (counts the visitor just changed). */
  function api(method, route, body, headers, fresh) {
    var h = headers || {}, o = { method: method, credentials: "include", headers: h };
    if (fresh) o.cache = "no-cache";
    if (method != "GET" && csrf) h["X-CSRF-Token"] = csrf;
    if (body instanceof FormData) o.body = body;
    else if (body !== undefined) { h["Content-Type"] = "application/json"; o.body = JSON.stringify(body); }
    return fetch(API + route, o).then(function (r) {
      return r.text().then(function (t) {
        var j;
        try { j = t ? JSON.parse(t) : {}; } catch (e) { j = null; }
        if (j && j.csrf) setCsrf(j.csrf);
        if (r.ok && j) return j;
        var err = new Error(j && j.message || "The help server answered with an error (" + r.status + ").");
        err.status = r.status;
        err.code = j && j.error || "unreachable";
        err.fields = j && j.fields;
        err.retry = r.headers.get("Retry-After");
        throw err;
      });
    }, function () {
      var err = new Error("offline");
      err.status = 0;
      err.code = "unreachable";
      throw err;
    });
  }
  /* No answer, or one that is not porchd's JSON (a proxy's error page). */
  function down(e) { return !e || e.code == "unreachable"; }

  /* The logged-in account, asked once per page: null when logged out.
     Unless forced (pages of an account), only when this browser logged in. */
  var meP, main = D.querySelector("main[data-portal]");
  function me(force) {
    if (!meP && !force && get(LS, "porch-in") != 1) return Promise.resolve(null);
    return meP || (meP = api("GET", "/auth/me").then(function (j) {
      if (!j.user) setCsrf(null);
      return j.user || null;
    }, function (e) {
      if (e.status == 401) { setCsrf(null); return null; }
      throw e;
    }));
  }

  /* next= only when it is a path of this site: one "/", not "//" or "/\". */
  function safeNext(n) {
    return typeof n == "string" && /^\/(?![\/\\])/.test(n) && !/[\\\u0000-\u001f]/.test(n) ? n : null;
  }
  function here() { return location.pathname + location.search; }
  function loginURL(next) { return url("/account/login/") + "?next=" + encodeURIComponent(next || here()); }
  function goNext() {
    var n = safeNext(params.get("next")) || safeNext(get(LS, "porch-next")) || url("/account/");
    put(LS, "porch-next", null);
    location.assign(n);
  }

  /* ------------------------------------------------------ messages, forms */
  function status(t, link) {
    var s = $("portal-status");
    if (!s) return;
    s.textContent = t || "";
    if (link) { s.appendChild(D.createTextNode(" ")); s.appendChild(link); }
  }
  function alertMsg(t) {
    var a = $("portal-error");
    if (!a) return;
    a.textContent = t || "";
    a.hidden = !t;
  }
  function link(href, text) { var a = el("a", "", text); a.href = href; return a; }
  function labelOf(input) {
    var l = input.id && D.querySelector("label[for='" + input.id + "']");
    return l ? l.textContent.replace(/\s*\*\s*$/, "").trim() : input.name;
  }
  /* Shows msg (or clears it) in the field's error paragraph, tied to the
     input with aria-describedby and aria-invalid. */
  function fieldError(input, msg) {
    var id = (input.type == "radio" ? input.name.replace(/\W/g, "-") : input.id) + "-error", p = $(id);
    if (input.type == "radio") p = $("ticket-type-error") || p;
    if (!p && !msg) return;
    if (!p) {
      p = el("p", "field-error");
      p.id = id;
      input.parentNode.appendChild(p);
    }
    id = p.id;
    p.textContent = msg || "";
    p.hidden = !msg;
    var list = input.type == "radio" ? D.querySelectorAll("input[name='" + input.name + "']") : [input];
    Array.prototype.forEach.call(list, function (x) {
      var d = (x.getAttribute("aria-describedby") || "").split(" ").filter(function (y) { return y && y != id; });
      if (msg) d.push(id);
      if (d.length) x.setAttribute("aria-describedby", d.join(" ")); else x.removeAttribute("aria-describedby");
      if (msg) x.setAttribute("aria-invalid", "true"); else x.removeAttribute("aria-invalid");
    });
  }
  function live(x) { return x.name && !x.matches(":disabled") && x.type != "hidden" && x.type != "submit" && x.type != "button" && !x.closest("[hidden],.hp"); }
  function problem(x) {
    var v = x.value, n = Array.from ? Array.from(v).length : v.length;
    if (x.type == "radio") {
      return x.required && !x.form.querySelector("input[name='" + x.name + "']:checked") ? "Please choose one." : "";
    }
    if (x.required && (x.type == "checkbox" ? !x.checked : x.type == "file" ? !x.files.length : !v.trim()))
      return x.type == "checkbox" ? "Please tick this box." : x.tagName == "SELECT" ? "Please choose one." :
        x.type == "file" ? "Please attach a file." : "Please fill this in.";
    if (!v || x.type == "file" || x.type == "checkbox") return "";
    if (x.type == "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim())) return "Enter an email address, like name@example.com.";
    if (x.minLength > 0 && n < x.minLength) return "Please write at least " + x.minLength + " characters (you have " + n + ").";
    if (x.maxLength > 0 && n > x.maxLength) return "Please keep it to " + x.maxLength + " characters (you have " + n + ").";
    return "";
  }
  /* Checks the form's live fields; shows every problem; focuses the first
     bad field. Returns true when all is well. */
  function validate(form) {
    var first = null, seen = {};
    Array.prototype.forEach.call(form.elements, function (x) {
      if (!live(x) || x.type == "radio" && seen[x.name]) return;
      seen[x.name] = 1;
      var m = problem(x);
      fieldError(x, m);
      if (m && !first) first = x;
    });
    if (first) {
      alertMsg("Please correct the marked field" + (form.querySelectorAll("[aria-invalid]").length > 1 ? "s." : "."));
      first.focus();
    }
    return !first;
  }
  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (x) { fieldError(x, ""); });
    alertMsg("");
  }
  /* An error answer: field messages next to their fields, "unavailable"
     when porchd cannot be reached, else the server's sentence. */
  function showError(e, what, form, find) {
    if (down(e)) { alertMsg(what + UNREACHABLE); return; }
    var first = null, rest = [];
    var byCode = { invalid_email: "email", invalid_name: "name", password_too_short: "password", password_too_long: "password" };
    var fields = e.fields || {};
    if (byCode[e.code]) { fields = {}; fields[byCode[e.code]] = e.message; }
    Object.keys(fields).forEach(function (k) {
      var x = form && (find ? find(k) : form.querySelector("[name='" + k + "']"));
      if (x) { fieldError(x, fields[k]); if (!first) first = x; } else rest.push(fields[k]);
    });
    var msg = e.code == "invalid_fields" || first ? "Please correct the marked fields." : e.message;
    if (e.status == 429 && e.retry) msg += " Try again in " + e.retry + " seconds.";
    alertMsg(rest.length ? msg + " " + rest.join(" ") : msg);
    if (first) first.focus();
  }
  /* Runs fn(values) on submit after validation, with the button busy. */
  function onSubmit(form, what, fn) {
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors(form);
      if (!validate(form)) return;
      var b = form.querySelector("[type=submit]"), v = {};
      Array.prototype.forEach.call(form.elements, function (x) { if (x.name) v[x.name] = x.value; });
      if (b) b.disabled = true;
      Promise.resolve().then(function () { return fn(v); }).catch(function (e) { showError(e, what, form); })
        .then(function () { if (b) b.disabled = false; });
    });
  }
  function samePasswords(form, prefix) {
    var a = $(prefix + "-password"), b = $(prefix + "-password2");
    if (a.value == b.value) return true;
    fieldError(b, "The two passwords are not the same.");
    alertMsg("Please correct the marked field.");
    b.focus();
    return false;
  }
  function fmtTime(t) {
    var d = new Date(t * 1000), e = el("time", "", d.toLocaleString(D.documentElement.lang || undefined,
      { dateStyle: "medium", timeStyle: "short" }));
    e.dateTime = d.toISOString();
    return e;
  }

  /* ------------------------------------------------- the header's account */
  function header() {
    var slot = D.querySelector(".site-header .account");
    if (!slot) return;
    var login = slot.querySelector("a");
    if (login && !/^\/account\//.test(location.pathname.slice(BASE.length))) login.href = loginURL();
    me().then(function (u) {
      if (!u) return;
      slot.textContent = "";
      var btn = el("button", "account-btn"), menu = el("ul", "account-menu");
      btn.type = "button";
      btn.appendChild(el("span", "account-name", u.name || u.email));
      btn.setAttribute("aria-expanded", "false");
      btn.setAttribute("aria-controls", "account-menu");
      menu.id = "account-menu";
      menu.hidden = true;
      [["/tickets/", "My tickets"], ["/account/", "Account"]].forEach(function (x) {
        var li = el("li");
        li.appendChild(link(url(x[0]), x[1]));
        menu.appendChild(li);
      });
      var out = el("button", "", "Log out"), li = el("li");
      out.type = "button";
      out.addEventListener("click", function () { logout("/auth/logout"); });
      li.appendChild(out);
      menu.appendChild(li);
      function toggle(on) { menu.hidden = !on; btn.setAttribute("aria-expanded", String(on)); }
      btn.addEventListener("click", function () { toggle(menu.hidden); });
      slot.addEventListener("keydown", function (e) { if (e.key == "Escape" && !menu.hidden) { toggle(false); btn.focus(); } });
      D.addEventListener("click", function (e) { if (!slot.contains(e.target)) toggle(false); });
      slot.append(btn, menu);
    }, function () {
      if (login) login.title = "Sign-in" + UNREACHABLE;
    });
  }
  function logout(route) {
    return api("POST", route).then(function () {
      setCsrf(null);
      location.assign(url("/"));
    }, function (e) { alertMsg(down(e) ? "Logging out" + UNREACHABLE : e.message); if (!$("portal-error")) W.alert(e.message); });
  }

  /* ------------------------------------------------------- account pages */
  var pages = {};
  pages.account_login = function () {
    var n = safeNext(params.get("next"));
    if (n) put(LS, "porch-next", n);
    me(true).then(function (u) {
      if (u) status("You are logged in as " + (u.name || u.email) + ".", link(n || url("/account/"), "Continue"));
    }, function () { alertMsg("Sign-in" + UNREACHABLE); });
    onSubmit($("login-form"), "Sign-in", function (v) {
      return api("POST", "/auth/login", { email: v.email.trim(), password: v.password }).then(goNext);
    });
    var mf = $("magic-form");
    onSubmit(mf, "Sign-in", function (v) {
      return api("POST", "/auth/magic", { email: v.email.trim() }).then(function () {
        mf.reset();
        status("If " + v.email.trim() + " has an account here, a login link is on its way. Open it in this browser.");
      });
    });
  };
  pages.account_signup = function () {
    var f = $("signup-form"), n = safeNext(params.get("next"));
    if (n) put(LS, "porch-next", n);
    me(true).catch(function () { alertMsg("Sign-up" + UNREACHABLE); });
    onSubmit(f, "Sign-up", function (v) {
      return api("POST", "/auth/signup", { email: v.email.trim(), name: v.name.trim() }).then(function () {
        f.hidden = true;
        status("Check your inbox: we sent a link to " + v.email.trim() + ". Open it to choose your password.");
      });
    });
  };
  /* Pages opened from a mailed link: no token means the link was cut. */
  function token() {
    var t = params.get("token");
    if (!t) alertMsg("This page opens from the link in our email, and the link seems incomplete. Copy the whole link from the email into the address bar.");
    return t;
  }
  pages.account_verify = function () {
    var f = $("verify-form"), t = token();
    if (!t) { f.hidden = true; return; }
    onSubmit(f, "Choosing a password", function (v) {
      if (!samePasswords(f, "verify")) return;
      return api("POST", "/auth/verify", { token: t, password: v.password }).then(goNext);
    });
  };
  pages.account_reset = function () {
    var t = params.get("token"), rf = $("reset-request-form"), cf = $("reset-form");
    rf.hidden = !!t;
    cf.hidden = !t;
    onSubmit(rf, "Password reset", function (v) {
      return api("POST", "/auth/reset", { email: v.email.trim() }).then(function () {
        rf.hidden = true;
        status("If " + v.email.trim() + " has an account here, we sent it a link to choose a new password.");
      });
    });
    onSubmit(cf, "Password reset", function (v) {
      if (!samePasswords(cf, "reset")) return;
      return api("POST", "/auth/reset/confirm", { token: t, password: v.password }).then(goNext);
    });
  };
  pages.account_magic = function () {
    var t = token();
    if (!t) { show($("magic-retry"), 1); return; }
    status("Logging you in\u2026");
    api("POST", "/auth/magic/consume", { token: t }).then(goNext, function (e) {
      status("");
      alertMsg(down(e) ? "Sign-in" + UNREACHABLE : e.message);
      show($("magic-retry"), 1);
    });
  };
  pages.account = function () {
    me(true).then(function (u) {
      if (!u) { show($("account-anon"), 1); return; }
      $("account-name").textContent = u.name || "";
      $("account-email").textContent = u.email;
      show($("account-details"), 1);
    }, function () { alertMsg("Your account" + UNREACHABLE); });
    $("logout").addEventListener("click", function () { logout("/auth/logout"); });
    $("logout-everywhere").addEventListener("click", function () { logout("/auth/logout-everywhere"); });
  };
  pages.account_unsubscribe = function () {
    var f = $("unsubscribe-form"), t = token();
    if (!t) { f.hidden = true; return; }
    onSubmit(f, "Unsubscribing", function () {
      return api("POST", "/unsubscribe", { token: t }).then(function () {
        f.hidden = true;
        status("You are unsubscribed: we will not email you when roadmap items ship.");
      });
    });
  };

  /* ------------------------------------------------------- ticket pages */
  var STATUS = { unconfirmed: "Awaiting your confirmation", "new": "New", open: "Open", waiting: "Waiting for your reply", solved: "Solved", closed: "Closed" };
  function badge(cls, text) { return el("span", "badge " + cls, text); }
  function statusBadge(s) { return badge("status-badge ticket-" + s, STATUS[s] || s); }
  function priorityText(p) { return p ? p.charAt(0).toUpperCase() + p.slice(1) : ""; }
  /* "log in to see this" in the status line, for pages of an account. */
  function needLogin(text) { status(text, link(loginURL(), "Log in")); }

  pages.tickets = function () {
    me(true).then(function (u) {
      if (!u) { needLogin("Log in to see your tickets."); return; }
      return api("GET", "/tickets").then(function (j) {
        var body = $("tickets-table").tBodies[0], list = j.tickets || [];
        list.forEach(function (t) {
          var tr = el("tr"), c1 = el("td"), a = link(url("/tickets/view/") + "?ref=" + encodeURIComponent(t.ref), t.subject || t.ref);
          c1.append(a, el("span", "ticket-ref", t.ref));
          var c2 = el("td"), c4 = el("td");
          c2.appendChild(statusBadge(t.status));
          c4.appendChild(fmtTime(t.updated_at || t.created_at));
          tr.append(c1, c2, el("td", "priority-" + t.priority, priorityText(t.priority)), c4);
          body.appendChild(tr);
        });
        show($("tickets-wrap"), list.length);
        show($("tickets-empty"), !list.length);
        status(list.length == 1 ? "1 ticket" : list.length + " tickets");
      });
    }).catch(function (e) { alertMsg(down(e) ? "Your ticket list" + UNREACHABLE : e.message); });
  };

  function schemaOf(type) {
    var s = $("ticket-schema"), types = [];
    try { types = JSON.parse(s.textContent); } catch (e) { /* none */ }
    return types.filter(function (x) { return x.id == type; })[0] || { fields: [] };
  }
  function attachURL(ref, a) {
    var u = a.url || "/tickets/" + encodeURIComponent(ref) + "/attachments/" + a.id;
    return /^https?:/.test(u) || u.indexOf(API + "/") == 0 ? u : API + u;
  }
  function size(n) { return n > 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB"; }
  function eventItem(ref, ev) {
    var li = el("li", "event event-" + (ev.kind || "comment") + " by-" + (ev.author || "")), h = el("p", "event-head");
    h.append(el("strong", "", ev.author_name || (ev.author == "customer" ? "You" : "Support")), " ", fmtTime(ev.created_at));
    li.appendChild(h);
    if (ev.kind == "status" && STATUS[ev.body]) li.appendChild(el("p", "event-body event-note", "Status: " + STATUS[ev.body]));
    else if (ev.kind == "csat") li.appendChild(el("p", "event-body event-note", ev.body == "good" ? "Rated the answer: good" : ev.body == "bad" ? "Rated the answer: not good" : ev.body));
    else if (ev.body) li.appendChild(el("div", "event-body", ev.body));
    if (ev.attachments && ev.attachments.length) li.appendChild(files(ref, ev.attachments));
    return li;
  }
  /* Download links of attachments. */
  function files(ref, list) {
    var ul = el("ul", "attachments");
    ul.setAttribute("aria-label", "Attachments");
    list.forEach(function (a) {
      var l = link(attachURL(ref, a), a.name), item = el("li");
      l.setAttribute("download", a.name);
      item.append(l, " ", el("span", "attachment-size", "(" + size(a.size || 0) + ")"));
      ul.appendChild(item);
    });
    return ul;
  }
  pages.tickets_view = function () {
    var ref = params.get("ref"), box = $("ticket"), cf = $("comment-form");
    if (!ref) { alertMsg("No ticket given: open a ticket from your ticket list."); return; }
    if (params.get("new")) status("Thank you: ticket " + ref + " has reached our support team. We will reply by email and here.");
    function render(t) {
      var title = t.subject || t.ref, b = $("ticket-badges"), dl = $("ticket-fields"), evs = $("ticket-events");
      $("ticket-title").textContent = title;
      D.title = title + " \u00b7 " + D.title.split(" \u00b7 ").pop();
      b.textContent = "";
      b.append(el("span", "ticket-ref", t.ref), " ", statusBadge(t.status), " ", badge("priority-badge priority-" + t.priority, priorityText(t.priority) + " priority"));
      dl.textContent = "";
      function fact(k, v) { var d = el("div"); d.append(el("dt", "", k), el("dd", "", v)); dl.appendChild(d); }
      fact("Type", t.type_label || t.type);
      fact("Opened", "");
      dl.lastChild.lastChild.appendChild(fmtTime(t.created_at));
      var f = t.fields || {};
      schemaOf(t.type).fields.forEach(function (s) {
        var v = f[s.name];
        if (s.name == "subject" || v == null || v === "" || typeof v == "object") return;
        fact(s.label, v === true ? "Yes" : v === false ? "No" : String(v));
      });
      evs.textContent = "";
      /* The files sent with the form open the conversation. */
      if (t.attachments && t.attachments.length)
        evs.appendChild(eventItem(t.ref, { author: "customer", author_name: "You", kind: "opened",
          body: "Sent with the ticket:", created_at: t.created_at, attachments: t.attachments }));
      (t.events || []).forEach(function (ev) { evs.appendChild(eventItem(t.ref, ev)); });
      var done = t.status == "solved" || t.status == "closed";
      show($("ticket-close"), !done);
      show($("ticket-reopen"), done);
      show(box, 1);
    }
    function load() {
      return api("GET", "/tickets/" + encodeURIComponent(ref)).then(function (j) { render(j.ticket); });
    }
    me(true).then(function (u) {
      if (!u) { needLogin("Log in to see this ticket."); return; }
      return load();
    }).catch(function (e) {
      alertMsg(down(e) ? "This ticket" + UNREACHABLE : e.status == 404 ? "We found no ticket " + ref + " in your account." : e.message);
    });
    onSubmit(cf, "Replying", function (v) {
      var files = $("comment-files").files, body = { body: v.body };
      if (!v.body.trim() && !files.length) {
        fieldError($("comment-body"), "Write a message or attach a file.");
        $("comment-body").focus();
        return;
      }
      if (files.length) {
        body = new FormData();
        body.append("body", v.body);
        Array.prototype.forEach.call(files, function (x) { body.append("files", x, x.name); });
      }
      return api("POST", "/tickets/" + encodeURIComponent(ref) + "/comments", body).then(function (j) {
        cf.reset();
        if (j.event) $("ticket-events").appendChild(eventItem(ref, j.event));
        status("Your reply was sent.");
      });
    });
    ["close", "reopen"].forEach(function (k) {
      $("ticket-" + k).addEventListener("click", function () {
        alertMsg("");
        api("POST", "/tickets/" + encodeURIComponent(ref) + "/" + k).then(load).then(function () {
          status(k == "close" ? "The ticket is closed." : "The ticket is open again.");
          $(k == "close" ? "ticket-reopen" : "ticket-close").focus();
        }, function (e) { alertMsg(down(e) ? "Changing the ticket" + UNREACHABLE : e.message); });
      });
    });
  };
  pages.tickets_confirm = function () {
    var t = token();
    if (!t) return;
    status("Confirming your ticket\u2026");
    api("POST", "/tickets/confirm", { token: t }).then(function (j) {
      var k = j.ticket || {};
      status("Thank you: ticket " + (k.ref || "") + " is confirmed and has reached our support team. We will reply by email.");
    }, function (e) { status(""); alertMsg(down(e) ? "Confirming tickets" + UNREACHABLE : e.message); });
  };
  pages.tickets_rate = function () {
    var t = token(), f = $("rate-form"), r = params.get("rating");
    if (!t) return;
    function send(rating, comment) {
      var b = { token: t, rating: rating };
      if (comment) b.comment = comment;
      return api("POST", "/tickets/rate", b);
    }
    if (r == "good" || r == "bad") {
      $("rate-" + r).checked = true;
      send(r).then(function () {
        status("Thank you for your rating.");
        f.hidden = false;
      }, function (e) { alertMsg(down(e) ? "Rating" + UNREACHABLE : e.message); f.hidden = false; });
    } else f.hidden = false;
    onSubmit(f, "Rating", function () {
      var c = f.querySelector("input[name=rating]:checked");
      if (!c) { alertMsg("Please choose Good or Not good."); return; }
      return send(c.value, $("rate-comment").value.trim()).then(function () {
        f.hidden = true;
        status("Thank you: we read every comment.");
      });
    });
  };

  /* ------------------------------------------------------ the ticket form */
  pages.tickets_new = function () {
    var form = $("ticket-form"), KEY = "porch-ticket-draft", anon = form.dataset.anonymous == "true";
    var draft = get(LS, KEY) || {}, user = null, meDone = false, timer, sugTimer, lastQ = "";
    var radios = form.querySelectorAll("input[name=type]"), sets = form.querySelectorAll(".ticket-fields");
    var share = $("share-searches"), sug = $("suggestions"), sugList = $("suggestions-list");
    var email = $("ticket-email"), submit = $("ticket-submit"), discard = $("ticket-discard");
    draft.key = draft.key || uuid();
    draft.values = draft.values || {};
    draft.shown = draft.shown || [];
    draft.opened = draft.opened || [];
    if (draft.source == null) {
      var from = params.get("from") || "";
      try { if (!from && D.referrer && new URL(D.referrer).origin == location.origin) from = D.referrer; } catch (e) { /* bad referrer */ }
      draft.source = from;
    }
    function save() { put(LS, KEY, draft); show(discard, 1); }
    function active() {
      var c = form.querySelector("input[name=type]:checked");
      return c ? $("fields-" + c.value) : null;
    }
    function field(name) {
      var fs = active();
      return fs && fs.querySelector("[name='fields." + name + "']");
    }
    /* show_if: a field appears (and is sent) only when its condition holds. */
    function conditions() {
      var fs = active();
      if (!fs) return;
      Array.prototype.forEach.call(fs.querySelectorAll("[data-show-if]"), function (w) {
        var c = field(w.dataset.showIf), v = !c ? "" : c.type == "checkbox" ? String(c.checked) : c.value;
        var on = !!c && !c.disabled && v == w.dataset.equals;
        w.hidden = !on;
        Array.prototype.forEach.call(w.querySelectorAll("input,select,textarea"), function (x) { x.disabled = !on; });
      });
    }
    function choose(type) {
      draft.type = type;
      Array.prototype.forEach.call(sets, function (fs) {
        var on = fs.dataset.type == type;
        fs.hidden = !on;
        fs.disabled = !on;
      });
      conditions();
      anonEmail();
    }
    /* Without an account the ticket needs an address: the type's own
       required email field when it has one, else #ticket-email. */
    var own = null;
    function anonEmail() {
      var fs = active();
      own = fs && fs.querySelector("input[type=email][required]");
      /* Until porchd answers, the head's guess (.porch-in) holds: the
         field does not flicker in or out as the page loads. */
      var ask = anon && !own && (meDone ? !user : !D.documentElement.classList.contains("porch-in"));
      show($("anon-email"), ask);
      email.required = ask;
    }
    /* The draft: every value by element id (file inputs cannot be kept). */
    function restore() {
      var t = params.get("type") || draft.type, r = t && $("type-" + t), n = 0;
      if (r) r.checked = true;
      Object.keys(draft.values).forEach(function (id) {
        var x = $(id), v = draft.values[id];
        if (!x || x.type == "file") return;
        if (x.type == "checkbox") x.checked = !!v; else x.value = v;
        if (v) n++;
      });
      var c = form.querySelector("input[name=type]:checked");
      if (c) choose(c.value);
      if (n) { show(discard, 1); status("We kept the draft you started earlier."); }
    }
    form.addEventListener("change", function (e) {
      if (e.target.name == "type") { choose(e.target.value); fieldError(e.target, ""); }
      conditions();
    });
    form.addEventListener("input", function (e) {
      var x = e.target;
      if (x.id && x.type != "file" && x.type != "radio" && x.id != "ticket-website") draft.values[x.id] = x.type == "checkbox" ? x.checked : x.value;
      if (x.getAttribute("aria-invalid") && !problem(x)) fieldError(x, "");
      if (/^fields\.(subject|description)$/.test(x.name)) { clearTimeout(sugTimer); sugTimer = setTimeout(suggest, 400); }
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
    form.addEventListener("change", function (e) {
      var x = e.target;
      if (x.name == "type") draft.type = x.value;
      else if (x.id && x.type != "file" && x.id != "ticket-website") draft.values[x.id] = x.type == "checkbox" ? x.checked : x.value;
      save();
    });
    discard.addEventListener("click", function () {
      put(LS, KEY, null);
      location.replace(location.pathname);
    });

    /* Suggestions from the search index while the customer writes. */
    function suggest() {
      var s = field("subject"), d = field("description");
      var q = ((s ? s.value : "") + " " + (d ? d.value.split(/\s+/).slice(0, 12).join(" ") : "")).trim();
      if (q == lastQ) return;
      lastQ = q;
      if (q.length < 4 || !W.PorchSearch) { show(sug, 0); return; }
      PorchSearch.query(q, { limit: 5 }).then(function (list) {
        if (q != lastQ) return;
        sugList.textContent = "";
        list.forEach(function (x) {
          var li = el("li"), a = link(x.url, x.title);
          a.className = "suggestion-title";
          li.appendChild(a);
          if (x.excerpt) li.appendChild(el("span", "suggestion-excerpt", x.excerpt));
          sugList.appendChild(li);
          if (draft.shown.indexOf(x.url) < 0) draft.shown.push(x.url);
        });
        draft.shown = draft.shown.slice(-30);
        show(sug, list.length);
        $("suggestions-status").textContent = list.length ? list.length + (list.length == 1 ? " article" : " articles") + " might answer your question." : "";
        save();
      }, function () { show(sug, 0); });
    }
    sugList.addEventListener("click", function (e) {
      var a = e.target.closest("a");
      if (!a) return;
      var u = a.getAttribute("href");
      if (draft.opened.indexOf(u) < 0) draft.opened.push(u);
      save();
    });

    /* Recent searches, sent only with the customer's consent (the page
       itself shows them, before its first paint). */
    var searches = W.PorchSearch && PorchSearch.recent ? PorchSearch.recent() : [];

    function sending(on) { submit.disabled = on; submit.textContent = on ? "Sending\u2026" : "Send to support"; }
    function find(k) {
      if (k == "type") return radios[0];
      if (k == "email" && !email.closest("[hidden]") && !field("email")) return email;
      return field(k) || (k == "email" && !email.closest("[hidden]") ? email : null);
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors(form);
      if (!user && !anon) { show($("ticket-login-needed"), 1); return; }
      if (!validate(form)) return;
      var type = form.querySelector("input[name=type]:checked").value, fs = active(), files = false, fields = {};
      var ctx = { suggestions_shown: draft.shown, suggestions_opened: draft.opened };
      if (share.checked && searches.length) ctx.searches = searches;
      Array.prototype.forEach.call(fs.elements, function (x) {
        if (!live(x)) return;
        var k = x.name.slice(7);
        if (x.type == "file") { if (x.files.length) files = true; fields[k] = x; }
        else if (x.type == "checkbox") fields[k] = x.checked;
        else if (x.value.trim()) fields[k] = x.value;
      });
      var body = { type: type, fields: {}, context: ctx }, hp = $("ticket-website").value;
      if (draft.source) body.source_url = draft.source;
      if (!user) body.email = (own ? own.value : email.value).trim();
      if (hp) body.website = hp;
      if (files) {
        var fd = new FormData();
        Object.keys(body).forEach(function (k) {
          if (k != "fields") fd.append(k, typeof body[k] == "object" ? JSON.stringify(body[k]) : body[k]);
        });
        fd.append("idempotency_key", draft.key);
        Object.keys(fields).forEach(function (k) {
          var v = fields[k];
          if (v && v.files) Array.prototype.forEach.call(v.files, function (f) { fd.append(k, f, f.name); });
          else if (v !== false) fd.append("fields." + k, String(v));
        });
        body = fd;
      } else Object.keys(fields).forEach(function (k) { if (!fields[k] || !fields[k].files) body.fields[k] = fields[k]; });
      sending(true);
      api("POST", "/tickets", body, { "Idempotency-Key": draft.key }).then(function (j) {
        put(LS, KEY, null);
        if (j.ticket) { location.assign(url("/tickets/view/") + "?ref=" + encodeURIComponent(j.ticket.ref) + "&new=1"); return; }
        form.hidden = true;
        show(sug, 0);
        status("Almost done: we sent a link to " + body.email + ". Open it to confirm your ticket" + (j.ref ? " " + j.ref : "") + "; we start on it once it is confirmed.");
        $("main").focus();
      }, function (e) {
        sending(false);
        if (e.status == 413) e.message = "The attachment is too large. " + e.message;
        showError(e, "Sending tickets", form, find);
      });
    });

    restore();
    me(true).then(function (u) {
      user = u;
      meDone = true;
      anonEmail();
      if (!u && !anon) {
        Array.prototype.forEach.call(form.querySelectorAll("[data-login-link]"), function (a) { a.href = loginURL(); });
        show($("ticket-login-needed"), 1);
        submit.disabled = true;
      } else show($("ticket-login-needed"), 0);
    }, function () {
      alertMsg("Sending tickets" + UNREACHABLE + " Your draft is kept in this browser.");
    });
    /* A kept draft's suggestions wait until the page is idle: they are
       not needed for the first paint and query the search index. */
    if (field("subject") || field("description")) idle(suggest);
  };

  /* ------------------------------------------------------ roadmap votes */
  function votes() {
    var boxes = D.querySelectorAll(".vote[data-item]");
    if (!boxes.length) return;
    var ids = [], counts = {}, mine = {}, user = null;
    Array.prototype.forEach.call(boxes, function (b) { if (ids.indexOf(b.dataset.item) < 0) ids.push(b.dataset.item); });
    function text(n) { return n == 1 ? "1 vote" : (n || 0) + " votes"; }
    function paint(b) {
      var id = b.dataset.item, c = b.querySelector(".vote-count");
      c.textContent = text(counts[id]);
      var btn = b.querySelector("button");
      if (btn) btn.setAttribute("aria-pressed", String(!!mine[id]));
    }
    function build(b) {
      var id = b.dataset.item, card = b.closest("li,article"), h = card && card.querySelector("h1,h3");
      var c = el("span", "vote-count");
      b.textContent = "";
      if (user) {
        var btn = el("button", "btn vote-btn");
        btn.type = "button";
        btn.innerHTML = '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"><path d="M12 5l7 9H5z" fill="currentColor"/></svg>';
        btn.appendChild(el("span", "", "Vote"));
        if (h) { var v = el("span", "visually-hidden", " for " + h.textContent.trim()); btn.appendChild(v); }
        btn.addEventListener("click", function () {
          var want = !mine[id];
          btn.disabled = true;
          api("POST", "/votes", { item: id, vote: want }).then(function (j) {
            mine[id] = j.voted;
            counts[id] = j.count;
            try { sessionStorage.setItem("porch-voted", String(Date.now())); } catch (e) { /* private mode */ }
            Array.prototype.forEach.call(boxes, function (x) { if (x.dataset.item == id) paint(x); });
            msg.textContent = "";
          }, function (e) {
            msg.textContent = down(e) ? "Voting" + UNREACHABLE : e.code == "unverified" ? "Confirm your email address first: open the link we sent you." : e.message;
          }).then(function () { btn.disabled = false; });
        });
        b.appendChild(btn);
      } else {
        var a = link(loginURL(), "Log in to vote");
        a.className = "vote-login";
        b.appendChild(a);
      }
      c.setAttribute("aria-live", "polite");
      var msg = el("span", "vote-msg");
      msg.setAttribute("role", "status");
      b.append(" ", c, msg);
      paint(b);
    }
    /* Counts may be cached for a few seconds; not right after this visitor voted, or a reload
       would show the count from before the vote. */
    var voted = 0;
    try { voted = +sessionStorage.getItem("porch-voted") || 0; } catch (e) { /* private mode */ }
    Promise.all([api("GET", "/votes/counts?items=" + ids.map(encodeURIComponent).join(","), undefined, undefined, Date.now() - voted < 30000),
      me().catch(function () { return null; })])
      .then(function (r) {
        counts = r[0].counts || {};
        user = r[1];
        return user ? api("GET", "/votes/mine").then(function (j) { (j.items || []).forEach(function (x) { mine[x] = true; }); }, function () {}) : null;
      }).then(function () {
        Array.prototype.forEach.call(boxes, build);
        sorter();
      }, function (e) {
        /* One message for the page, not one per item. */
        var board = D.querySelector(".roadmap-board"), m = el("p", "notice vote-down", "Voting" + UNREACHABLE);
        if (board) board.parentNode.insertBefore(m, board);
        else boxes[0].appendChild(m);
      });
    /* Roadmap board: columns by target date (the build's order), by votes,
     * or newest first (data-date: the item's date). */
    function sorter() {
      var sel = $("roadmap-sort");
      if (!sel) return;
      var lists = D.querySelectorAll(".roadmap-items");
      Array.prototype.forEach.call(lists, function (ul) {
        Array.prototype.forEach.call(ul.children, function (li, i) { li.dataset.order = i; });
      });
      function sort() {
        var by = sel.value;
        put(LS, "porch-roadmap-sort", by);
        Array.prototype.forEach.call(lists, function (ul) {
          Array.prototype.slice.call(ul.children).sort(function (a, b) {
            var va = a.querySelector(".vote"), vb = b.querySelector(".vote");
            var d = by == "votes" && va && vb ? (counts[vb.dataset.item] || 0) - (counts[va.dataset.item] || 0) :
              by == "newest" ? (b.dataset.date || "").localeCompare(a.dataset.date || "") : 0;
            return d || a.dataset.order - b.dataset.order;
          }).forEach(function (li) { ul.appendChild(li); });
        });
      }
      var saved = get(LS, "porch-roadmap-sort");
      sel.value = saved == "votes" || saved == "newest" ? saved : "date";
      sel.addEventListener("change", sort);
      sort();
      sel.closest("[data-needs-js]").hidden = false;
    }
  }

  /* ------------------------------------------------- "Was this helpful?" */
  function helpful() {
    var boxes = D.querySelectorAll("[data-helpful]");
    if (!boxes.length) return;
    var client = get(LS, "porch-client");
    if (!client) { client = uuid(); put(LS, "porch-client", client); }
    var answers = get(LS, "porch-helpful") || {};
    Array.prototype.forEach.call(boxes, function (box) {
      var page = box.dataset.helpful, btns = box.querySelectorAll("[data-answer]"), more = box.querySelector("form");
      var st = box.querySelector(".helpful-status"), ta = more.querySelector("textarea"), lab = more.querySelector("label");
      function pressed(v) {
        Array.prototype.forEach.call(btns, function (b) { b.setAttribute("aria-pressed", String(v != null && (b.dataset.answer == "yes") == v)); });
      }
      function send(v, comment) {
        var b = { page: page, helpful: v, client: client };
        if (comment) b.comment = comment;
        return api("POST", "/feedback", b).then(function () {
          answers[page] = v;
          put(LS, "porch-helpful", answers);
        });
      }
      if (page in answers) pressed(answers[page]);
      Array.prototype.forEach.call(btns, function (b) {
        b.addEventListener("click", function () {
          var v = b.dataset.answer == "yes";
          send(v).then(function () {
            pressed(v);
            lab.textContent = v ? "Anything we should add? (optional)" : "What were you looking for? (optional)";
            more.hidden = false;
            st.textContent = "Thank you for your answer.";
          }, function (e) { st.textContent = down(e) ? "Feedback" + UNREACHABLE : e.message; });
        });
      });
      more.addEventListener("submit", function (e) {
        e.preventDefault();
        var c = ta.value.trim();
        if (!c) { ta.focus(); return; }
        send(answers[page], c).then(function () {
          more.hidden = true;
          st.textContent = "Thank you: your comment reached the people who write these pages.";
        }, function (err) { st.textContent = down(err) ? "Feedback" + UNREACHABLE : err.message; });
      });
      box.hidden = false;
    });
  }

  if (main && pages[main.dataset.portal]) pages[main.dataset.portal]();
  header();
  votes();
  helpful();
})();
