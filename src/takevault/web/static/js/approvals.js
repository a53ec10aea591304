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

// After the gallery (re)loaded: one request for every take's state, applied to the cards there now
// and to those the gallery draws later (it renders shots as they scroll into view).
let known = new Map();
const watched = new WeakSet();

function decorate(cardEl) {
  const a = known.get(cardEl.dataset.takeId);
  const row = cardEl.querySelector(".card-row");
  if (!row) return;
  row.querySelector("[data-testid=approval]")?.remove();
  if (a && a.state !== "pending") row.append(badge(a));
}

export async function decorateCards(root) {
  if (!root) return;
  known = new Map((await get("/api/approvals")).map((a) => [a.take_id, a]));
  for (const el of root.querySelectorAll("[data-testid=take-card]")) decorate(el);
  if (watched.has(root)) return;
  watched.add(root);
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (!(node instanceof Element)) continue;
        if (node.matches("[data-testid=take-card]")) decorate(node);
        for (const el of node.querySelectorAll("[data-testid=take-card]")) decorate(el);
      }
    }
  }).observe(root, { childList: true, subtree: true });
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
        const decided = await post(`/api/takes/${take.id}/approval`, { version: a.version, state });
        // The card shows the current version's state: update it in place.
        if (decided.version === take.version) {
          known.set(take.id, decided);
          for (const el of document.querySelectorAll(`[data-testid=take-card][data-take-id="${CSS.escape(take.id)}"]`)) decorate(el);
        }
        toast(`${take.ref}@v${a.version}: ${LABEL[state]}.`);
        refresh();
      } catch (err) { toast(err.message, "error"); }
    };
    li.querySelector(".version-actions")?.append(
      h("button", { type: "button", "data-testid": "approve", onclick: decide("approved") }, "Approve"),
      h("button", { type: "button", "data-testid": "request-changes", onclick: decide("changes_requested") }, "Changes…"));
  }
}
