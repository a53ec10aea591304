// The take panel: edit note, rating, status and tags; every version with who, when, size, sha256;
// play, download, workflow PNG, compare or restore any version.
import { h, clear, fmtBytes, fmtTime, toast } from "./dom.js";
import { get, patch, post, mediaUrl } from "./api.js";
import { confirmDialog } from "./dialogs.js";
import { openPlayer } from "./player.js";
import * as selection from "./selection.js";
import { decorateVersions } from "./approvals.js";
import { shareButton } from "./links.js";
import { loadMe } from "./signin.js";

export async function openPanel(take, onChange) {
  const panel = document.getElementById("panel");
  panel.hidden = false;
  clear(panel).append(h("div", { class: "panel-loading muted" }, "Loading…"));
  let versions;
  try {
    [take, versions] = await Promise.all([get(`/api/takes/${take.id}`), get(`/api/takes/${take.id}/history`)]);
  } catch (err) {
    clear(panel).append(h("p", { class: "error" }, err.message));
    return;
  }
  const close = h("button", { type: "button", class: "icon", title: "Close", "aria-label": "Close" }, "×");
  close.addEventListener("click", () => { panel.hidden = true; clear(panel); });
  const refresh = () => { onChange?.(); openPanel(take, onChange); };
  clear(panel).append(
    h("header", { class: "panel-head" },
      h("div", {}, h("div", { class: "panel-title" }, take.ref), h("div", { class: "muted" },
        `${take.kind} · created ${fmtTime(take.created_at)} by ${take.created_by}`)), close),
    editForm(take, refresh),
    h("h3", {}, `Versions (${versions.length})`),
    h("ol", { class: "versions", "data-testid": "history" }, versions.map((v) => versionRow(take, v, refresh))));
  const me = await loadMe().catch(() => null);
  const canDecide = !me || !me.sign_in_required || ["reviewer", "editor", "admin"].includes(me.role);
  decorateVersions(panel, take, canDecide, refresh).catch((err) => toast(err.message, "error"));
  if (canDecide && !me?.guest) panel.querySelector(".panel-head > div")?.append(shareButton(take));
}

function editForm(take, refresh) {
  const note = h("textarea", { rows: 3, placeholder: "Note for the team", "data-testid": "note" });
  note.value = take.note || "";
  let rating = take.rating || 0;
  const ratingBox = h("div", { class: "rating-edit", role: "radiogroup", "aria-label": "Rating" });
  const drawRating = () => {
    clear(ratingBox).append(...[1, 2, 3, 4, 5].map((i) => {
      const b = h("button", { type: "button", class: i <= rating ? "on" : "off", title: `${i} of 5`,
        "aria-checked": i === rating ? "true" : "false", role: "radio" }, "★");
      b.addEventListener("click", () => { rating = rating === i ? 0 : i; drawRating(); });
      return b;
    }));
  };
  drawRating();
  const status = h("input", { type: "text", list: "status-options", placeholder: "pending, approved…", "data-testid": "status" });
  status.value = take.status || "";
  const tags = h("input", { type: "text", placeholder: "comma, separated, tags", "data-testid": "tags" });
  tags.value = (take.tags || []).join(", ");
  const form = h("form", { class: "edit" },
    h("label", { class: "field" }, h("span", {}, "Note"), note),
    h("div", { class: "field" }, h("span", {}, "Rating"), ratingBox),
    h("label", { class: "field" }, h("span", {}, "Status"), status,
      h("datalist", { id: "status-options" }, ["pending", "review", "approved", "rejected", "final"].map((s) => h("option", { value: s })))),
    h("label", { class: "field" }, h("span", {}, "Tags"), tags),
    h("div", { class: "dialog-actions" }, h("button", { type: "submit", class: "primary", "data-testid": "save" }, "Save")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await patch(`/api/takes/${take.id}`, {
        note: note.value, rating, status: status.value.trim(),
        tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean),
      });
      toast(`${take.ref} saved.`);
      refresh();
    } catch (err) { toast(err.message, "error"); }
  });
  return form;
}

function versionRow(take, v, refresh) {
  const pngOk = v.png_status && v.png_status !== "missing";
  const restore = v.is_current ? null : h("button", { type: "button", "data-testid": "revert",
    title: `Make v${v.version} current again, as a new version` }, "Restore");
  restore?.addEventListener("click", async () => {
    const ok = await confirmDialog({ title: `Restore v${v.version} of ${take.ref}?`,
      body: [`A copy of v${v.version} becomes a new version; every existing version stays in the history.`],
      confirm: "Restore" });
    if (!ok) return;
    try { const t = await post(`/api/takes/${take.id}/revert`, { to_version: v.version }); toast(`${t.ref} is now v${t.version}, a copy of v${v.version}.`); refresh(); }
    catch (err) { toast(err.message, "error"); }
  });
  const pick = h("button", { type: "button", title: "Pick this version for the compare room" },
    selection.isPicked(take.id, v.version) ? "✓ Picked" : "Compare");
  pick.addEventListener("click", () => { const on = selection.toggle(take, v.version); pick.textContent = on ? "✓ Picked" : "Compare"; });
  const m = v.media || {};
  return h("li", { class: `version ${v.is_current ? "current" : ""}`, "data-version": v.version },
    h("div", { class: "version-head" },
      h("span", { class: "vnum" }, `v${v.version}`),
      v.is_current ? h("span", { class: "status s-approved" }, "current") : null,
      v.source && v.source !== "upload" ? h("span", { class: "muted" }, `copy of v${v.source_version}`) : null,
      h("span", { class: "muted" }, `${fmtTime(v.created_at)} · ${v.created_by}`)),
    h("div", { class: "version-meta muted" },
      [v.original_name, fmtBytes(v.size), m.width && `${m.width}×${m.height}`, m.codec, m.fps && `${m.fps} fps`]
        .filter(Boolean).join(" · ")),
    h("div", { class: "sha mono", title: v.sha256 }, `sha256 ${v.sha256}`),
    pngOk ? h("a", { href: mediaUrl(take.id, v.version, "png"), target: "_blank", rel: "noopener", class: "png-thumb" },
      h("img", { src: mediaUrl(take.id, v.version, "png"), alt: `Workflow PNG of v${v.version}`, loading: "lazy" })) : null,
    h("div", { class: "version-actions" },
      h("button", { type: "button", onclick: () => openPlayer(take, v.version) }, "▶ Play"),
      h("a", { class: "button", href: mediaUrl(take.id, v.version, "download"), download: "" }, "Download"),
      pngOk ? h("a", { class: "button", href: mediaUrl(take.id, v.version, "png") + (mediaUrl(take.id, v.version, "png").includes("?") ? "&" : "?") + "download=1", download: "" }, `PNG (${v.png_status})`) : h("span", { class: "muted" }, "no PNG"),
      pick, restore));
}
