/* Porch default theme: progressive enhancements only; every page reads fine without this file. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement, KEY = "porch-theme";

  /* Theme toggle: data-theme on <html>, remembered in localStorage. The inline
     script in <head> applies the stored choice before the first paint. */
  var mq = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function isDark() {
    var t = root.getAttribute("data-theme");
    return t ? t === "dark" : !!(mq && mq.matches);
  }
  var toggles = doc.querySelectorAll("[data-theme-toggle]");
  function syncToggles() {
    for (var i = 0; i < toggles.length; i++) toggles[i].setAttribute("aria-pressed", String(isDark()));
  }
  for (var i = 0; i < toggles.length; i++) {
    toggles[i].hidden = false;
    toggles[i].addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode */ }
      syncToggles();
    });
  }
  if (mq && mq.addEventListener) mq.addEventListener("change", syncToggles);
  syncToggles();

  /* Copy buttons on code blocks. */
  var live = doc.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  doc.body.appendChild(live);
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = doc.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.cssText = "position:fixed;top:0;left:-9999px";
      doc.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { /* unsupported */ }
      doc.body.removeChild(ta);
      ok ? resolve() : reject();
    });
  }
  var pres = doc.querySelectorAll(".prose pre");
  for (var p = 0; p < pres.length; p++) {
    var pre = pres[p], wrap = doc.createElement("div"), btn = doc.createElement("button");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    btn.type = "button";
    btn.className = "copy-btn";
    btn.textContent = "Copy";
    btn.setAttribute("aria-label", "Copy code");
    wrap.appendChild(btn);
    btn.addEventListener("click", function () {
      var b = this, code = b.parentNode.querySelector("pre");
      copyText(code.innerText.replace(/\n$/, "")).then(function () {
        b.textContent = "Copied";
        b.classList.add("copied");
        live.textContent = "Copied";
        clearTimeout(b._t);
        b._t = setTimeout(function () {
          b.textContent = "Copy";
          b.classList.remove("copied");
          live.textContent = "";
        }, 2000);
      }, function () { live.textContent = "Copy failed"; });
    });
  }

  /* Scrollable code blocks and tables get keyboard focus, so they can be scrolled without a mouse. */
  var scrollers = doc.querySelectorAll(".prose pre, .prose .table-wrap");
  for (var r = 0; r < scrollers.length; r++) {
    if (scrollers[r].scrollWidth > scrollers[r].clientWidth + 1) scrollers[r].setAttribute("tabindex", "0");
  }

  /* Docs on a phone: the Menu button shows and hides the one docs tree. */
  var menu = doc.querySelector(".docs-menu"), tree = doc.getElementById("docs-nav");
  if (menu && tree) menu.addEventListener("click", function () {
    var open = menu.getAttribute("aria-expanded") !== "true";
    menu.setAttribute("aria-expanded", String(open));
    tree.classList.toggle("open", open);
  });

  /* "/" focuses the search box (the big one on the home page, else the header's). */
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    var inputs = doc.querySelectorAll("[data-search-input]"), target = null;
    for (var j = inputs.length - 1; j >= 0; j--) {
      if (inputs[j].offsetParent !== null) { target = inputs[j]; if (inputs[j].id !== "site-search") break; }
    }
    if (!target) return;
    e.preventDefault();
    target.focus();
    target.select();
  });

  /* FAQ answers are <details>: open the one the URL points at, and all of them for printing. */
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && doc.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () {
    var ds = doc.querySelectorAll(".faq-item, .prose details");
    for (var k = 0; k < ds.length; k++) ds[k].open = true;
  });

  /* On-page TOC: highlight the section being read. */
  var links = doc.querySelectorAll(".toc a[href^='#']");
  if (links.length && "IntersectionObserver" in window) {
    var heads = [], byId = {};
    for (var m = 0; m < links.length; m++) {
      var h = doc.getElementById(decodeURIComponent(links[m].getAttribute("href").slice(1)));
      if (h) { heads.push(h); byId[h.id] = links[m]; }
    }
    var visible = {};
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) { visible[en.target.id] = en.isIntersecting; });
      var current = null;
      for (var n = 0; n < heads.length; n++) {
        if (visible[heads[n].id]) { current = heads[n]; break; }
        if (heads[n].getBoundingClientRect().top < 120) current = heads[n];
      }
      for (var q = 0; q < links.length; q++) links[q].classList.remove("active");
      if (current) byId[current.id].classList.add("active");
    }, { rootMargin: "-64px 0px -55% 0px" });
    heads.forEach(function (hd) { io.observe(hd); });
  }
})();
