// The page a guest review link opens: what the link shows, a name (and password) to type, then the
// compare room on the link's versions, where the guest can watch and leave notes.
import { h, clear } from "./dom.js";
import { rememberCsrf } from "./signin.js";

export async function renderGuest(root, token) {
  clear(root);
  let info;
  try {
    const res = await fetch(`/api/links/${encodeURIComponent(token)}/info`, { credentials: "same-origin" });
    info = await res.json();
    if (!res.ok) throw new Error(info.error || "This review link cannot be opened.");
  } catch (err) {
    root.append(h("div", { class: "empty error", "data-testid": "guest-error" }, h("h2", {}, "Review link"), h("p", {}, err.message)));
    return;
  }
  const name = h("input", { type: "text", id: "guest-name", autocomplete: "name", placeholder: "Your name", required: true, maxlength: 100 });
  const password = info.has_password
    ? h("input", { type: "password", id: "guest-password", placeholder: "Password of the link", required: true, maxlength: 1024 })
    : null;
  const message = h("p", { class: "dialog-error", id: "guest-message" });
  const versions = info.versions.map((v) => `v${v}`).join(", ");
  const form = h("form", { class: "dialog-body guest-form", id: "guest-form" },
    h("h2", {}, `Review ${info.ref}`),
    h("p", { class: "muted" }, `You were invited to watch ${versions} and leave notes. Your notes are shown under the name you type.`),
    name, password, message,
    h("div", { class: "dialog-actions" }, h("button", { type: "submit", class: "primary" }, "Open")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await fetch(`/api/links/${encodeURIComponent(token)}/open`, {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ name: name.value, password: password ? password.value : null }),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { message.textContent = data.error || "The link could not be opened."; return; }
    rememberCsrf(data.csrf_token);
    const items = data.link.versions.map((v) => `${data.link.take_id}@v${v}`);
    // The compare room needs two players; a one-version link shows that version twice.
    if (items.length === 1) items.push(items[0]);
    location.assign(`/compare?items=${items.join(",")}`);
  });
  root.append(h("div", { class: "card-panel guest" }, form));
  name.focus();
}
