// The demo's browser page: plain fetch, no build step, no token in script's reach.
//
// The server keeps the tokens in HttpOnly cookies: the browser sends them, this script
// never reads them (document.cookie does not list them). Every unsafe request carries
// Django's CSRF token (from the page's <meta name="csrf-token">) in X-CSRFToken: a request
// authenticated by a cookie is refused without it.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const element = (id) => document.getElementById(id);

function log(method, url, status, detail) {
  const item = document.createElement("li");
  item.textContent = `${method} ${url} \u2192 ${status}${detail ? ` (${detail})` : ""}`;
  item.dataset.url = url;
  item.dataset.status = String(status);
  item.dataset.ok = String(status >= 200 && status < 300);
  element("log").appendChild(item);
}

function showCookies() {
  element("cookies").textContent = document.cookie || "(nothing)";
}

function setState(loggedIn, text) {
  const state = element("state");
  state.dataset.state = loggedIn ? "in" : "out";
  state.textContent = text;
}

// One API call: JSON in and out, cookies sent (same origin), the CSRF token in its header.
async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  log(method, url, response.status, data && data.detail ? data.detail : "");
  showCookies();
  return { status: response.status, data };
}

// GET /api/me/; on a 401 (the access token expired, its cookie gone), refresh through the
// refresh cookie once and try again.
async function showMe() {
  let reply = await call("GET", "/api/me/");
  if (reply.status === 401) {
    const refreshed = await call("POST", "/api/token/refresh/", {});
    if (refreshed.status === 200) {
      reply = await call("GET", "/api/me/");
    }
  }
  if (reply.status === 200) {
    element("me").textContent = JSON.stringify(reply.data, null, 2);
    setState(true, `logged in as ${reply.data.username}`);
  } else {
    element("me").textContent = "(not logged in)";
    setState(false, "logged out");
  }
}

element("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reply = await call("POST", "/api/token/", {
    username: element("username").value,
    password: element("password").value,
  });
  element("password").value = "";
  if (reply.status === 200) {
    await showMe();
  } else {
    setState(false, "login refused");
  }
});

element("me-button").addEventListener("click", showMe);

element("refresh-button").addEventListener("click", () => call("POST", "/api/token/refresh/", {}));

element("logout-button").addEventListener("click", async () => {
  await call("POST", "/api/token/logout/", {});
  element("me").textContent = "(logged out)";
  setState(false, "logged out");
});

showCookies();
