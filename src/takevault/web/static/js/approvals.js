// Approvals in the gallery and the take panel: a badge with the state of each take's current version on
// its card, and on every version in the history with who decided and when; reviewers decide there.
import { h, toast, fmtTime } from "./dom.js";
import { get, post } from "./api.js";

const LABEL = { pending: "pending", changes_requested: "changes requested", approved: "approved" };

function badge(a) {
  const who = a.by ? ` by ${a.by}${a.at ? ", " + fmtTime(a.at) : ""}` : "";
  return h("span", { class: `approval a-${a.state}`, "data-testid": "approval", "data-state": a.state,
    title: `${LABEL[a.state] || a.state}${who}${a.comment ? ": " + a.comment : ""}` },
  a.state === "approved" ? "✔ approved" : LABEL[a.state] || a.state);
}

// After the gallery drew its cards: one request for every take's state.
export async function decorateCards(root) {
  if (!root) return;
  const states = await get("/api/approvals");
  for (const a of states) {
    const row = root.querySelector(`[data-take-id="${CSS.escape(a.take_id)}"] .card-row`);
    if (!row) continue;
    row.querySelector("[data-testid=approval]")?.remove();
    if (a.state !== "pending") row.append(badge(a));
  }
}

// After the take panel drew its versions: each version's state, and buttons for those who may decide.
export async function decorateVersions(panel, take, canDecide, refresh) {
  const found = await get(`/api/takes/${take.id}/approvals`);
  for (const a of found) {
    const li = panel.querySelector(`li.version[data-version="${a.version}"]`);
    if (!li) continue;
    li.querySelector(".version-head")?.append(badge(a));
    if (!canDecide) continue;
    const decide = (state) => async () => {
      try {
        await post(`/api/takes/${take.id}/approval`, { version: a.version, state });
        toast(`${take.ref}@v${a.version}: ${LABEL[state]}.`);
        refresh();
      } catch (err) { toast(err.message, "error"); }
    };
    li.querySelector(".version-actions")?.append(
      h("button", { type: "button", "data-testid": "approve", onclick: decide("approved") }, "Approve"),
      h("button", { type: "button", "data-testid": "request-changes", onclick: decide("changes_requested") }, "Changes…"));
  }
}
