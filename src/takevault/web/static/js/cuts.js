// The cut check page: the latest check of each timeline (as `takevault cut check` or `cut watch`
// recorded it), one row per clip with a still of the version in the cut, its status, what changed,
// and a button that opens the compare room on the version in the cut against the pick.
import { get, withProject } from "./api.js";
import { h, clear, fmtTime } from "./dom.js";

const REFRESH_MS = 10000;

function still(takeId, version) {
  if (!takeId || !version) return h("div", { class: "cut-still none" }, "no still");
  return h("img", { class: "cut-still", alt: "", loading: "lazy", width: 96,
    src: withProject(`/api/media/${takeId}/${version}/still`) });
}

function compareButton(c) {
  if (c.status !== "outdated" || !c.take_id || !c.pick_take_id) return null;
  const items = `${c.take_id}@v${c.version},${c.pick_take_id}@v${c.pick_version}`;
  return h("a", { class: "button", "data-testid": "cut-compare", href: withProject(`/compare?items=${encodeURIComponent(items)}`) },
    "Compare with the pick");
}

function clipRow(c) {
  return h("tr", { "data-testid": "cut-clip", "data-status": c.status },
    h("td", {}, String(c.index)),
    h("td", {}, c.record_in),
    h("td", {}, still(c.take_id, c.version)),
    h("td", {}, h("div", {}, c.name), h("div", { class: "muted" }, c.ref || "")),
    h("td", {}, c.how ? `${c.how} (${c.sure})` : ""),
    h("td", {}, h("span", { class: `cut-status ${c.status.replace(/ /g, "-")}` }, c.status)),
    h("td", {}, c.pick && c.status === "outdated" ? `→ ${c.pick}` : "", c.changed ? h("div", { class: "muted" }, c.changed) : null),
    h("td", {}, c.cut_change || ""),
    h("td", { class: "muted" }, (c.notes || []).join("; ")),
    h("td", {}, compareButton(c)));
}

function checkView(check) {
  const counts = Object.entries(check.counts || {}).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(", ");
  return h("section", { class: "cut-check", "data-testid": "cut-check" },
    h("h2", {}, check.name || check.timeline),
    h("p", { class: "muted" }, `${check.timeline} · ${check.format} · checked ${fmtTime(check.at)} by ${check.user}${check.pick_by === "approved" ? " · picked by approval" : ""} · ${counts}`),
    h("table", { class: "cut-clips" },
      h("thead", {}, h("tr", {}, ...["#", "record in", "still", "clip", "found by", "status", "should be", "cut", "notes", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, ...check.clips.map(clipRow))),
    (check.omitted || []).length
      ? h("p", { class: "muted" }, `Omitted since the check before: ${check.omitted.map((o) => o.shot).join(", ")}`) : null);
}

async function render() {
  const view = document.getElementById("view");
  try {
    const checks = await get("/api/cuts");
    clear(view).append(h("h1", {}, "Cut check"));
    if (!checks.length) {
      view.append(h("div", { class: "empty" }, h("h2", {}, "No cut checked yet"),
        h("p", {}, "Check an editor's timeline on the machine that has it; its latest check shows here.")));
      return;
    }
    view.append(...checks.map(checkView));
  } catch (err) {
    clear(view).append(h("div", { class: "empty error" }, h("h2", {}, "Cannot load"), h("p", {}, err.message)));
  }
}

render();
setInterval(render, REFRESH_MS);
