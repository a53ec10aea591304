// The gallery: sections → shots → take cards, with filters held in the URL.
import { h, clear, fmtBytes, toast, VIDEO_ACCEPT } from "./dom.js";
import { get, post, del, upload, mediaUrl, ApiError } from "./api.js";
import { confirmDialog, replaceDialog, promptDialog } from "./dialogs.js";
import { openPlayer } from "./player.js";
import { openPanel } from "./panel.js";
import { decorateCards } from "./approvals.js";
import * as selection from "./selection.js";

const FILTERS = ["search", "section", "kind", "status", "min_rating", "starred", "deleted"];
const KINDS = ["raw", "edit", "final"];
const STATUSES = ["pending", "review", "approved", "rejected", "final"];
const PNG_LABEL = {
  present: ["PNG", "ok", "Workflow PNG present"],
  thumbnail_only: ["PNG", "warn", "PNG has the picture but no workflow data"],
  missing: ["PNG", "none", "No workflow PNG"],
  placeholder: ["PNG", "warn", "Placeholder PNG"],
  invalid: ["PNG", "bad", "Workflow PNG is invalid"],
  stale: ["PNG", "warn", "Workflow PNG belongs to another version"],
};

// Takes arrive a page at a time (PAGE per request, the next one when the end of the list comes into view);
// a shot row draws ROW_CAP cards and says how many more it has. Changes redraw only the cards they touch.
const tuning = new URLSearchParams(location.search);
const PAGE = Math.max(1, Number(tuning.get("page_size")) || 300);
const ROW_CAP = Math.max(1, Number(tuning.get("row_cap")) || 24);
let state = { info: null, sections: [], shots: [], root: null, content: null,
  byShot: new Map(), cursor: null, complete: false, total: 0, loading: false, gen: 0,
  rows: new Map(), sectionBoxes: new Map(), expanded: new Set(), observer: null, more: null };

const keyOf = (section, code) => `${section || ""}/${code}`;
const shotKey = (shot) => keyOf(shot.section, shot.code);

function filters() {
  const p = new URLSearchParams(location.search);
  const f = {};
  for (const k of FILTERS) if (p.get(k)) f[k] = p.get(k);
  return f;
}

function setFilter(name, value) {
  const p = new URLSearchParams(location.search);
  if (value === "" || value === null || value === undefined || value === false) p.delete(name);
  else p.set(name, value);
  const qs = p.toString();
  history.replaceState(null, "", `${location.pathname}${qs ? "?" + qs : ""}`);
  reload();
}

function takesQuery() {
  const f = filters();
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) q.set(k, k === "starred" ? "true" : v);
  return q.toString();
}

export async function renderGallery(root, info) {
  state.info = info;
  state.root = root;
  clear(root);
  const content = h("div", { class: "gallery", id: "gallery", "data-testid": "gallery" });
  state.content = content;
  root.append(filterBar(), content);
  content.addEventListener("dragover", (e) => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types).includes("Files")) return;
    e.preventDefault();
    content.classList.add("drop-any");
  });
  content.addEventListener("dragleave", (e) => { if (e.target === content) content.classList.remove("drop-any"); });
  content.addEventListener("drop", (e) => {
    content.classList.remove("drop-any");
    if (e.defaultPrevented || !e.dataTransfer?.files?.length) return;
    e.preventDefault();
    dropByName(Array.from(e.dataTransfer.files));
  });
  await reload();
}

function select(name, label, options, value) {
  const el = h("select", { name, "aria-label": label, "data-filter": name },
    ...options.map(([v, text]) => h("option", { value: v, selected: v === (value || "") }, text)));
  el.addEventListener("change", () => setFilter(name, el.value));
  return el;
}

function filterBar() {
  const f = filters();
  const search = h("input", { type: "search", placeholder: "Search prompts, notes, tags, names…", value: f.search || "",
    "aria-label": "Search", "data-filter": "search" });
  let timer;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => setFilter("search", search.value.trim()), 300); });
  const starred = h("input", { type: "checkbox", checked: f.starred === "1" || f.starred === "true", "data-filter": "starred" });
  starred.addEventListener("change", () => setFilter("starred", starred.checked ? "1" : ""));
  const sections = h("select", { "aria-label": "Section", "data-filter": "section" });
  sections.addEventListener("change", () => setFilter("section", sections.value));
  state.sectionSelect = sections;
  return h("div", { class: "filterbar" },
    search,
    sections,
    select("kind", "Kind", [["", "Any kind"], ...KINDS.map((k) => [k, k])], f.kind),
    select("status", "Status", [["", "Any status"], ...STATUSES.map((s) => [s, s])], f.status),
    select("min_rating", "Minimum rating", [["", "Any rating"], ...[1, 2, 3, 4, 5].map((n) => [String(n), `${"★".repeat(n)} or more`])], f.min_rating),
    h("label", { class: "check" }, starred, "Starred only"),
    select("deleted", "Deleted takes", [["", "Active takes"], ["deleted", "Deleted takes"], ["all", "Active and deleted"]], f.deleted),
    h("div", { class: "spacer" }),
    h("div", { class: "adders" },
      h("button", { type: "button", onclick: () => addSection(), "data-testid": "add-section" }, "+ Section"),
      h("button", { type: "button", onclick: () => addShot(), "data-testid": "add-shot" }, "+ Shot")));
}

export async function reload() {
  if (!state.content) return;
  const gen = ++state.gen;
  try {
    const [sections, shots, page] = await Promise.all([
      get("/api/sections"), get("/api/shots"), get(`/api/takes?${takesQuery()}&limit=${PAGE}`)]);
    if (gen !== state.gen) return;
    Object.assign(state, { sections, shots, byShot: new Map(), rows: new Map(), sectionBoxes: new Map(),
      cursor: page.next_cursor, complete: !page.next_cursor, total: page.total });
    addTakes(page.items);
    renderContent();
    decorateCards(state.content).catch(() => {});
  } catch (err) {
    clear(state.content).append(h("div", { class: "empty error" }, err.message));
  }
}

function addTakes(takes) {
  for (const t of takes) {
    const key = keyOf(t.section, t.shot);
    if (!state.byShot.has(key)) state.byShot.set(key, []);
    state.byShot.get(key).push(t);
  }
  if (takes.length) state.lastShot = keyOf(takes.at(-1).section, takes.at(-1).shot);
}

async function loadMore() {
  if (state.complete || state.loading || !state.cursor) return;
  state.loading = true;
  const gen = state.gen;
  try {
    const page = await get(`/api/takes?${takesQuery()}&limit=${PAGE}&cursor=${encodeURIComponent(state.cursor)}`);
    if (gen !== state.gen) return;
    const touched = new Set(page.items.map((t) => keyOf(t.section, t.shot)));
    addTakes(page.items);
    Object.assign(state, { cursor: page.next_cursor, complete: !page.next_cursor, total: page.total });
    for (const key of touched) {
      const shot = state.shots.find((s) => shotKey(s) === key);
      if (shot && state.rows.has(key)) patchRow(shot, state.byShot.get(key));
    }
    drawReached();
  } catch (err) {
    if (state.more) state.more.textContent = err.message;
  } finally {
    state.loading = false;
  }
  if (gen === state.gen && !state.complete && state.more && isNearView(state.more)) loadMore();
}

function isNearView(el) {
  const r = el.getBoundingClientRect();
  return r.top < innerHeight + 800;
}

// Shots whose takes are all here: every shot up to the one the last page ended in (that one may grow).
function reachedShots() {
  if (state.complete) return state.shots;
  const last = state.shots.findIndex((s) => shotKey(s) === state.lastShot);
  return last < 0 ? [] : state.shots.slice(0, last + 1);
}

function renderSectionOptions() {
  const sel = state.sectionSelect;
  const current = filters().section || "";
  clear(sel).append(h("option", { value: "" }, "All sections"),
    ...state.sections.map((s) => h("option", { value: s.code, selected: s.code === current },
      s.name ? `${s.code} · ${s.name}` : s.code)));
}

const narrowing = () => Object.keys(filters()).some((k) => k !== "section");

function renderContent() {
  renderSectionOptions();
  clear(state.content);
  const f = filters();
  const groups = [...state.sections.map((s) => ({ code: s.code, name: s.name })), { code: null, name: null }];
  for (const g of groups) {
    if (f.section && g.code !== f.section) continue;
    const box = h("section", { class: "section", "data-section": g.code || "", hidden: true },
      h("h2", { class: "section-title" }, g.code ? g.code : "Shots without a section",
        g.name ? h("span", { class: "muted" }, ` · ${g.name}`) : null));
    state.sectionBoxes.set(g.code, box);
    state.content.append(box);
  }
  state.more = h("p", { class: "more muted", "data-testid": "more-takes" });
  state.content.append(state.more, h("p", { class: "drop-hint muted" },
    "Drop files on a shot to add takes (a video’s workflow PNG of the same name goes with it), or anywhere here when their names start with a shot code (SH010_….mp4)."));
  state.observer?.disconnect();
  state.observer = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadMore(); },
    { rootMargin: "800px" });
  state.observer.observe(state.more);
  drawReached();
}

// Draw the rows of shots reached since the last call, each in its place; nothing already drawn is redrawn.
function drawReached() {
  const narrow = narrowing();
  const order = new Map(state.shots.map((s, i) => [shotKey(s), i]));
  for (const shot of reachedShots()) {
    const key = shotKey(shot);
    if (state.rows.has(key)) continue;
    const box = state.sectionBoxes.get(shot.section || null);
    if (!box) continue;
    const takes = state.byShot.get(key) || [];
    if (narrow && !takes.length) { state.rows.set(key, null); continue; }
    const row = shotRow(shot, takes);
    state.rows.set(key, row);
    const later = [...box.querySelectorAll(":scope > .shot")].find((r) => order.get(r.dataset.key) > order.get(key));
    box.insertBefore(row, later || null);
    box.hidden = false;
  }
  const loaded = [...state.byShot.values()].reduce((n, t) => n + t.length, 0);
  state.more.textContent = state.complete ? "" : `Showing ${loaded} of ${state.total} takes · loading more as you scroll…`;
  if (state.complete) finishEmptySections(narrow);
}

function finishEmptySections(narrow) {
  let drawn = 0;
  for (const [code, box] of state.sectionBoxes) {
    const rows = box.querySelectorAll(":scope > .shot").length;
    drawn += rows;
    if (!rows && code !== null && !narrow && !box.querySelector(".empty-row")) {
      box.hidden = false;
      box.append(h("p", { class: "muted empty-row" }, "No shots in this section yet. ",
        h("button", { type: "button", onclick: () => addShot(code), "data-testid": "add-shot-here" },
          `+ Add a shot to ${code}`)));
    }
    if (box.querySelector(".empty-row")) drawn += 1;
  }
  const old = state.content.querySelector(":scope > .empty");
  if (old) old.remove();
  if (drawn) return;
  state.content.prepend(h("div", { class: "empty" },
    h("h2", {}, state.shots.length ? "Nothing matches these filters" : "No shots yet"),
    h("p", { class: "muted" }, state.shots.length
      ? "Change or clear the filters above."
      : "Takes live in shots (SH010, SH020…), optionally grouped in sections (SEQ01…). "
        + "Add a shot, then drop video files onto it."),
    state.shots.length ? null : h("div", { class: "dialog-actions center" },
      h("button", { type: "button", onclick: () => addSection(), "data-testid": "empty-add-section" }, "+ Add a section"),
      h("button", { type: "button", class: "primary", onclick: () => addShot(), "data-testid": "empty-add-shot" },
        "+ Add a shot"))));
}

// One shot's takes again (after a star, delete, restore, upload or edit): only its changed cards are redrawn.
export async function refreshShot(shotOrTake) {
  const section = shotOrTake.section || null;
  const code = shotOrTake.code || shotOrTake.shot;
  const shot = state.shots.find((s) => (s.section || null) === section && s.code === code);
  if (!shot) return reload();
  const gen = state.gen;
  try {
    const [takes, shots] = await Promise.all([
      get(`/api/takes?${takesQuery()}&shot=${encodeURIComponent(shotPath(shot))}`), get("/api/shots")]);
    if (gen !== state.gen) return;
    const fresh = shots.find((s) => s.id === shot.id) || shot;
    state.shots = state.shots.map((s) => (s.id === shot.id ? fresh : s));
    state.byShot.set(shotKey(fresh), takes);
    if (state.rows.get(shotKey(fresh))) patchRow(fresh, takes);
    else { state.rows.delete(shotKey(fresh)); drawReached(); }
  } catch (err) { toast(err.message, "error"); }
}

function patchRow(shot, takes) {
  const key = shotKey(shot);
  const row = state.rows.get(key);
  if (!row) return;
  const shown = visibleTakes(key, takes);
  const cards = [...row.querySelectorAll(":scope .cards > .card")];
  const sameCards = cards.length === shown.length && cards.every((c, i) => c.dataset.takeId === shown[i].id);
  if (!sameCards) {
    const fresh = shotRow(shot, takes);
    row.replaceWith(fresh);
    state.rows.set(key, fresh);
    return;
  }
  shown.forEach((t, i) => {
    const sig = cardSignature(t);
    if (cards[i].dataset.sig !== sig) cards[i].replaceWith(card(t));
  });
  row.querySelector(".shot-head").replaceWith(shotHead(shot, takes, row._input));
  const more = row.querySelector(".more-takes");
  if (more) more.replaceWith(moreButton(shot, takes));
}

const cardSignature = (t) => JSON.stringify([t.version, t.starred, t.deleted, t.rating, t.status, t.note, t.tags,
  t.png_status, t.versions, t.kind, t.size]);

function visibleTakes(key, takes) {
  return state.expanded.has(key) ? takes : takes.slice(0, ROW_CAP);
}

function moreButton(shot, takes) {
  const hidden = takes.length - ROW_CAP;
  if (hidden <= 0 || state.expanded.has(shotKey(shot))) return h("span", { class: "more-takes", hidden: true });
  return h("button", { type: "button", class: "more-takes", "data-testid": "more-in-shot",
    onclick: () => { state.expanded.add(shotKey(shot)); patchRow(shot, takes); } },
  `${hidden} more take${hidden === 1 ? "" : "s"}`);
}

function shotHead(shot, takes, input) {
  const starredTake = takes.find((t) => t.starred);
  return h("div", { class: "shot-head" },
    h("div", { class: "shot-code" }, shot.code),
    shot.name ? h("div", { class: "shot-name" }, shot.name) : null,
    shot.description ? h("div", { class: "shot-desc muted" }, shot.description) : null,
    h("div", { class: "shot-meta muted" }, `${takes.length} take${takes.length === 1 ? "" : "s"}`,
      starredTake ? ` · ★ ${starredTake.name}` : ""),
    h("button", { type: "button", class: "add-take", onclick: () => input.click(), "data-testid": "add-take" }, "+ Add take"),
    input);
}

function shotRow(shot, takes) {
  const input = h("input", { type: "file", multiple: true, accept: `${VIDEO_ACCEPT},.png,image/png`, hidden: true,
    "data-testid": "add-take-input", title: "Videos, each with its workflow PNG if it has one (gen_00001.mp4 + gen_00001.png)" });
  input.addEventListener("change", () => { addToShot(Array.from(input.files), shot); input.value = ""; });
  const shown = visibleTakes(shotKey(shot), takes);
  const row = h("div", { class: "shot", "data-shot": shot.code, "data-shot-path": shotPath(shot), "data-key": shotKey(shot),
    "data-testid": "shot-row" },
  shotHead(shot, takes, input),
  h("div", { class: "cards" }, shown.length ? shown.map(card)
    : h("div", { class: "drop-empty muted" }, "Drop video files here")),
  moreButton(shot, takes));
  row._input = input;
  row.addEventListener("dragover", (e) => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types).includes("Files")) return;
    e.preventDefault();
    row.classList.add("drop-target");
  });
  row.addEventListener("dragleave", (e) => { if (!row.contains(e.relatedTarget)) row.classList.remove("drop-target"); });
  row.addEventListener("drop", (e) => {
    row.classList.remove("drop-target");
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    addToShot(Array.from(e.dataTransfer.files), shot);
  });
  return row;
}

const shotPath = (shot) => (shot.section ? `${shot.section}/${shot.code}` : shot.code);

function stars(n) {
  return h("span", { class: "rating", title: n ? `Rated ${n} of 5` : "Not rated", "aria-label": `rating ${n || 0}` },
    ...[1, 2, 3, 4, 5].map((i) => h("span", { class: i <= (n || 0) ? "on" : "off" }, "★")));
}

function card(take) {
  const [pngText, pngClass, pngTitle] = PNG_LABEL[take.png_status] || PNG_LABEL.missing;
  const starBtn = h("button", {
    type: "button", class: `star ${take.starred ? "on" : ""}`, "data-testid": "star",
    title: take.starred ? "Starred: click to unstar" : "Star this take (moves the shot's star here)",
    "aria-pressed": take.starred ? "true" : "false", disabled: take.deleted,
  }, take.starred ? "★" : "☆");
  starBtn.addEventListener("click", (e) => { e.stopPropagation(); toggleStar(take); });
  const pick = h("input", { type: "checkbox", checked: selection.isPicked(take.id, take.version), "data-testid": "pick" });
  pick.addEventListener("change", () => { selection.toggle(take); });
  const actions = take.deleted
    ? [h("button", { type: "button", class: "primary", onclick: () => restoreTake(take), "data-testid": "restore" }, "Restore")]
    : [
      h("button", { type: "button", onclick: () => openPlayer(take), "data-testid": "play", title: "Play in a floating window" }, "▶ Play"),
      h("button", { type: "button", onclick: () => openPanel(take, () => refreshShot(take)), "data-testid": "details", title: "Details, versions, history" }, "History"),
      h("button", { type: "button", onclick: () => replaceTake(take), "data-testid": "replace" }, "Replace"),
      h("button", { type: "button", class: "danger-text", onclick: () => deleteTake(take), "data-testid": "delete" }, "Delete"),
    ];
  const m = take.media || {};
  return h("article", {
    class: `card ${take.starred ? "starred" : ""} ${take.deleted ? "deleted" : ""}`,
    "data-take-id": take.id, "data-take": take.name, "data-testid": "take-card", "data-sig": cardSignature(take),
  },
  h("div", { class: "thumb", ondblclick: () => !take.deleted && openPlayer(take) },
    h("img", { src: mediaUrl(take.id, take.version, "still"), alt: "", loading: "lazy", decoding: "async" }),
    h("span", { class: "badge kind" }, take.kind),
    h("span", { class: "badge ver" }, `v${take.version}`),
    h("span", { class: `badge png ${pngClass}`, title: pngTitle, "data-png": take.png_status }, pngText),
    h("span", { class: "badge dur" }, m.duration ? `${m.duration.toFixed(1)}s` : "")),
  h("div", { class: "card-body" },
    h("div", { class: "card-title" },
      h("span", { class: "take-name" }, take.name), starBtn),
    h("div", { class: "card-meta muted" },
      `${take.versions} version${take.versions === 1 ? "" : "s"}`,
      m.width ? ` · ${m.width}×${m.height}` : "", ` · ${fmtBytes(take.size)}`),
    h("div", { class: "card-row" }, stars(take.rating),
      take.status ? h("span", { class: `status s-${String(take.status).toLowerCase().replace(/[^a-z]/g, "")}` }, take.status) : null,
      take.deleted ? h("span", { class: "status s-deleted" }, "deleted") : null),
    take.note ? h("div", { class: "card-note", title: take.note }, take.note) : null,
    take.tags?.length ? h("div", { class: "tags" }, take.tags.map((t) => h("span", { class: "tag" }, t))) : null),
  h("div", { class: "card-actions" }, ...actions,
    take.deleted ? null : h("label", { class: "pick", title: "Pick for the compare room" }, pick, "Compare")));
}

async function toggleStar(take) {
  try {
    if (take.starred) {
      await del(`/api/shots/${take.section ? encodeURIComponent(take.section) + "/" : ""}${encodeURIComponent(take.shot)}/star`);
      toast(`${take.shot} has no starred take now.`);
    } else {
      await post(`/api/takes/${take.id}/star`);
      toast(`★ ${take.ref} is the chosen take of ${take.shot}.`);
    }
  } catch (err) { toast(err.message, "error"); }
  refreshShot(take);
}

async function deleteTake(take) {
  const ok = await confirmDialog({
    title: `Delete ${take.ref}?`,
    body: ["It moves to the “Deleted takes” filter, with all its versions, and can be restored from there."],
    confirm: `Delete ${take.name}`, danger: true, testid: "delete-dialog",
  });
  if (!ok) return;
  try { await del(`/api/takes/${take.id}`); toast(`${take.ref} deleted; restore it from “Deleted takes”.`); }
  catch (err) { toast(err.message, "error"); }
  refreshShot(take);
}

async function restoreTake(take) {
  try { await post(`/api/takes/${take.id}/restore`); toast(`${take.ref} restored.`); }
  catch (err) { toast(err.message, "error"); }
  refreshShot(take);
}

async function replaceTake(take) {
  const result = await replaceDialog(take, async (file, png, onProgress) => {
    if (png && !(await isPng(png))) throw new ApiError(`${png.name} is not a PNG file; choose the PNG saved next to the video.`, 400);
    const share = file.size / (file.size + (png ? png.size : 0));
    const replaced = await upload(`/api/takes/${take.id}/replace?filename=${encodeURIComponent(file.name)}`, file,
      (p) => onProgress(p * share));
    if (!png) return { take: replaced };
    try {
      const attached = await upload(pngUrl(replaced, png), png, (p) => onProgress(share + p * (1 - share)));
      return { take: replaced, png: attached };
    } catch (err) { return { take: replaced, pngError: err.message }; }
  });
  if (!result) return;
  const { take: t } = result;
  const kept = `v${take.version} is kept in its history`;
  if (result.pngError) toast(`${t.ref} is now v${t.version} (${kept}), but its workflow PNG was refused: ${result.pngError}`, "error");
  else toast(`${t.ref} is now v${t.version}${result.png ? ` with its workflow PNG (${result.png.status})` : ""}; ${kept}.`);
  refreshShot(take);
}

async function addSection() {
  const v = await promptDialog({ title: "New section", fields: [
    { name: "code", label: "Code", placeholder: "SEQ01", required: true },
    { name: "name", label: "Name", placeholder: "Opening" }],
  submit: (v) => post("/api/sections", { code: v.code, name: v.name || null }) });
  if (v) reload();
}

// A new shot goes where the user is looking: the filtered section, else the last one.
const defaultSection = () => filters().section || state.sections.at(-1)?.code || "";

async function addShot(section) {
  const v = await promptDialog({ title: "New shot", fields: [
    { name: "code", label: "Code", placeholder: "SH010", required: true },
    { name: "section", label: "Section", options: [{ value: "", label: "No section" },
      ...state.sections.map((s) => ({ value: s.code, label: s.code }))], value: section ?? defaultSection() },
    { name: "name", label: "Name", placeholder: "Wide establishing" }],
  submit: (v) => post("/api/shots", { code: v.code, section: v.section || null, name: v.name || null }) });
  if (v) reload();
}

// A file dropped on the gallery goes to the shot its name starts with: SH010_take.mp4, SEQ01_SH010_x.mov.
export function shotForName(name, shots, sections) {
  const tokens = name.replace(/\.[^.]*$/, "").split(/[_\-. ]+/).map((t) => t.toUpperCase());
  const sectionCodes = new Set(sections.map((s) => s.code.toUpperCase()));
  const section = tokens.find((t) => sectionCodes.has(t));
  for (const token of tokens) {
    const matches = shots.filter((s) => s.code.toUpperCase() === token);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) return matches.find((s) => (s.section || "").toUpperCase() === section) || null;
  }
  return null;
}

// ComfyUI writes gen_00001.png (prompt and workflow) next to gen_00001.mp4: a PNG goes with the video of its stem.
const stemOf = (name) => name.replace(/\.[^.]*$/, "");
const isPngName = (name) => /\.png$/i.test(name);

export function pairFiles(files) {
  const videos = files.filter((f) => !isPngName(f.name)).map((file) => ({ file, png: null }));
  const lone = [];
  for (const png of files.filter((f) => isPngName(f.name))) {
    const item = videos.find((v) => !v.png && stemOf(v.file.name) === stemOf(png.name));
    if (item) item.png = png;
    else lone.push(png);
  }
  return { items: videos, lone };
}

function refuseLonePngs(lone, shot) {
  for (const png of lone) {
    uploadRow(png, shot).fail(`${png.name} is a workflow PNG and needs its video; drop it together with `
      + `${stemOf(png.name)}.mp4 (or the video of that name), or pick both in “+ Add take”.`);
  }
}

function addToShot(files, shot) {
  const { items, lone } = pairFiles(files);
  refuseLonePngs(lone, shot);
  if (items.length) uploadFiles(items.map((item) => ({ ...item, shot })));
}

function dropByName(files) {
  const { items: pairs, lone } = pairFiles(files);
  refuseLonePngs(lone, null);
  const items = [];
  for (const item of pairs) {
    const shot = shotForName(item.file.name, state.shots, state.sections);
    if (shot) items.push({ ...item, shot });
    else uploadRow(item.file, null, item.png).fail(`No shot matches “${item.file.name}”; drop it on a shot row, or name it after a shot (SH010_….mp4).`);
  }
  if (items.length) uploadFiles(items);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// Checked before the video goes up, so a wrong companion does not leave a take behind without it.
async function isPng(file) {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  return PNG_SIGNATURE.every((b, i) => head[i] === b);
}

const pngUrl = (take, png) => `/api/takes/${encodeURIComponent(take.id)}/versions/${take.version}/png?filename=${encodeURIComponent(png.name)}`;

function uploadRow(file, shot, png = null) {
  const tray = document.getElementById("uploads");
  tray.hidden = false;
  const bar = h("progress", { max: 1, value: 0 });
  const text = h("span", { class: "upload-state muted" }, "waiting");
  const li = h("li", { class: "upload", "data-testid": "upload-row" },
    h("div", { class: "upload-name" }, file.name, png ? h("span", { class: "upload-png" }, ` + ${png.name}`) : null,
      h("span", { class: "muted" }, shot ? ` → ${shotPath(shot)}` : "")),
    bar, text);
  document.getElementById("upload-list").prepend(li);
  return {
    progress(p) { bar.value = p; text.textContent = `${Math.round(p * 100)}% of ${fmtBytes(file.size + (png ? png.size : 0))}`; },
    done(msg) { li.classList.add("ok"); bar.value = 1; text.textContent = msg; },
    fail(msg) { li.classList.add("failed"); bar.remove(); text.textContent = msg; text.setAttribute("role", "alert"); },
  };
}

let queue = Promise.resolve();

// Each item is a video, with its workflow PNG when one was dropped beside it: the video becomes a take,
// then the PNG becomes that new version's workflow PNG.
export function uploadFiles(items) {
  const limit = state.info?.max_upload_bytes;
  for (const { file, shot, png = null } of items) {
    const row = uploadRow(file, shot, png);
    const big = [file, png].find((f) => f && limit && f.size > limit);
    if (big) {
      row.fail(`Refused: ${big.name} (${fmtBytes(big.size)}) is over this server's limit of ${fmtBytes(limit)}.`);
      continue;
    }
    queue = queue.then(async () => {
      if (png && !(await isPng(png))) {
        row.fail(`Refused: ${png.name} is not a PNG file; nothing was added.`);
        return;
      }
      const share = file.size / (file.size + (png ? png.size : 0));
      let take;
      try {
        const url = `/api/shots/${shotPath(shot).split("/").map(encodeURIComponent).join("/")}/takes?filename=${encodeURIComponent(file.name)}`;
        take = await upload(url, file, (p) => row.progress(p * share));
      } catch (err) {
        row.fail(err instanceof ApiError ? `Refused: ${err.message}` : String(err.message || err));
        return;
      }
      if (!png) {
        row.done(`added as ${take.ref}`);
        refreshShot(shot);
        return;
      }
      try {
        const attached = await upload(pngUrl(take, png), png, (p) => row.progress(share + p * (1 - share)));
        row.done(`added as ${take.ref} with its workflow PNG (${attached.status.replace("_", " ")})`);
      } catch (err) {
        row.fail(`Added as ${take.ref}, but its workflow PNG was refused: ${err.message}`);
      }
      refreshShot(shot);
    });
  }
  return queue;
}
