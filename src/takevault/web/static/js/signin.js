// Signing in to a server that knows its people: the name/password dialog, the CSRF token
// every change sends, and who is signed in (shown in the top bar with a Sign out button).
// The session itself is an HttpOnly cookie this script never sees.
import { h, clear } from "./dom.js";

const CSRF_KEY = "takevault.csrf";
let asking = null;

export function csrfHeaders(method) {
  const csrf = sessionStorage.getItem(CSRF_KEY);
  return csrf && method !== "GET" && method !== "HEAD" ? { "X-CSRF-Token": csrf } : {};
}

function remember(me) {
  if (me && me.csrf_token) sessionStorage.setItem(CSRF_KEY, me.csrf_token);
  else sessionStorage.removeItem(CSRF_KEY);
  showWho(me);
}

export function rememberCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
}

// Who this page acts for; also fetches the CSRF token again after a new tab or a reload.
export async function loadMe() {
  const res = await fetch("/api/me", { credentials: "same-origin" });
  const me = res.ok ? await res.json() : null;
  if (me && me.sign_in_required) remember(me);
  return me;
}

export function showWho(me) {
  const bar = document.querySelector(".topbar");
  if (!bar) return;
  let who = document.getElementById("who");
  if (!me || !me.sign_in_required) { if (who) who.remove(); return; }
  if (!who) {
    who = h("div", { id: "who", class: "who", "data-testid": "who" });
    bar.insertBefore(who, bar.querySelector(".docs"));
  }
  clear(who);
  if (!me.signed_in) return;
  who.append(h("span", { class: "who-name", title: `Signed in, ${me.role || "no role"} in ${me.project}` },
    me.name), h("span", { class: "muted" }, ` · ${me.guest ? "guest" : me.role || "no role"}`),
  h("button", { type: "button", class: "small", id: "sign-out", onclick: async () => {
    await fetch("/api/signout", { method: "POST", credentials: "same-origin", headers: csrfHeaders("POST") });
    sessionStorage.removeItem(CSRF_KEY);
    location.reload();
  } }, "Sign out"));
}

// Ask for name and password once; every waiting call resumes when the sign-in succeeds.
export function askSignIn(reason) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const dialog = document.getElementById("dialog");
    const name = h("input", { type: "text", id: "signin-name", autocomplete: "username", placeholder: "Name",
      required: true, maxlength: 200 });
    const password = h("input", { type: "password", id: "signin-password", autocomplete: "current-password",
      placeholder: "Password", required: true, maxlength: 1024 });
    const message = h("p", { class: "dialog-error", id: "signin-error" });
    const form = h("form", { method: "dialog", class: "dialog-body", id: "signin-form" },
      h("h2", {}, "Sign in"),
      h("p", { class: "muted" }, reason || "This takevault server knows its people; sign in to continue."),
      name, password, message,
      h("div", { class: "dialog-actions" }, h("button", { type: "submit", class: "primary" }, "Sign in")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      let res;
      try {
        res = await fetch("/api/signin", {
          method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
          body: JSON.stringify({ name: name.value, password: password.value }),
        });
      } catch (_) {
        message.textContent = "The takevault server does not answer; try again in a moment.";
        return;
      }
      const data = await res.json().catch(() => ({}));
      if (!res.ok) {
        message.textContent = data.error || "Signing in did not work.";
        password.select();
        return;
      }
      remember(data);
      dialog.close();
      asking = null;
      resolve(data);
    });
    dialog.replaceChildren(form);
    dialog.addEventListener("cancel", (e) => e.preventDefault(), { once: true });
    dialog.showModal();
    name.focus();
  });
  return asking;
}
