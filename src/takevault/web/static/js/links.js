// "Share for review" in the take panel: a reviewer makes a guest review link (expiry, optional
// password) and copies its address, which is shown once.
import { h } from "./dom.js";
import { post } from "./api.js";
import { promptDialog, confirmDialog } from "./dialogs.js";

export function shareButton(take) {
  return h("button", { type: "button", "data-testid": "share-link", title: "A link for a client to watch and leave notes",
    onclick: () => share(take) }, "Share for review…");
}

async function share(take) {
  const link = await promptDialog({
    title: `Review link for ${take.ref}`, confirm: "Make link",
    fields: [
      { name: "hours", label: "Valid for (hours)", type: "number", value: "72", required: true },
      { name: "password", label: "Password (optional)", type: "password" },
    ],
    check: (v) => (Number(v.hours) > 0 && Number(v.hours) <= 2160 ? null : "Give between 1 and 2160 hours (90 days)."),
    submit: (v) => post(`/api/takes/${take.id}/links`, { hours: Number(v.hours), password: v.password || null }),
  });
  if (!link) return;
  const url = h("input", { type: "text", readonly: true, value: location.origin + link.path, "data-testid": "share-url",
    class: "share-url" });
  await confirmDialog({ title: "Review link made", confirm: "Done", testid: "share-dialog", body: [
    "Send this address to the client; it is shown only now.", url,
    `It shows ${link.versions.map((v) => `v${v}`).join(", ")} until ${new Date(link.expires_at).toLocaleString()}.`] });
}
