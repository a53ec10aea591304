// Review notes in the compare room: the list beside the plot, marks on the timeline, drawings over the
// players, and a form to note the current frame or the In/Out range (with a box, arrow or stroke).
// Clicking a note or its mark seeks every player there; "," and "." jump to the previous/next note.
// Note text and names only ever reach the page as text (dom.js h() sets textContent).
import { h, clear, toast } from "./dom.js";
import { get, post, waitForJob } from "./api.js";

const TOOLS = [["box", "Box"], ["arrow", "Arrow"], ["stroke", "Pen"]];
const COLOR = "#ff3b30";

export function attachNotes(room) {
  const notes = new RoomNotes(room);
  notes.start();
  return notes;
}

class RoomNotes {
  constructor(room) {
    this.room = room;
    this.byItem = new Map();  // item index -> notes of that take version
    this.drawing = null;      // { item, shapes: [], tool } while the reviewer draws
    this.me = null;
    this.keyHandler = (e) => this.onKey(e);
  }

  async start() {
    this.panel = h("div", { class: "card-panel notes-panel", "data-testid": "notes-panel" }, h("h3", {}, "Notes"));
    this.marks = h("div", { class: "note-marks", "data-testid": "note-marks" });
    this.place();
    this.room.scrub.parentElement.append(this.marks);
    document.addEventListener("keydown", this.keyHandler);
    this.me = await get("/api/me").catch(() => null);
    await this.reload();
    this.layout();
  }

  // Beside the difference plot, under the technical table that names the compared versions (the room
  // rebuilds the side panels for another pair).
  place() {
    const side = this.room.analysis.querySelector(".side-panels");
    const first = side?.querySelector(":scope > .card-panel:not(.notes-panel)");
    if (first) first.after(this.panel);
    else if (side) side.append(this.panel);
    else this.room.analysis.append(this.panel);
  }

  destroy() { document.removeEventListener("keydown", this.keyHandler); }

  get canWrite() { return !this.me || !this.me.sign_in_required || ["reviewer", "editor", "admin", "guest"].includes(this.me.role); }

  async reload() {
    await Promise.all(this.room.items.map(async (it) => {
      try {
        this.byItem.set(it.index, await get(`/api/takes/${it.id}/notes?version=${it.version}`));
      } catch (err) {
        this.byItem.set(it.index, []);
        toast(err.message, "error");
      }
    }));
    this.following = await this.pendingFollows();
    this.render();
    this.awaitFollows();
  }

  // A replace carries the open notes of the old version to the new one as a job: while one for a
  // version shown here is queued or running, the panel says so, and reloads when it is done.
  async pendingFollows() {
    try {
      const [queued, running] = await Promise.all([get("/api/jobs?state=queued"), get("/api/jobs?state=running")]);
      return [...queued, ...running].filter((j) => j.kind === "notes_follow"
        && this.room.items.some((it) => it.id === j.args?.take && it.version === j.args?.to_version));
    } catch {
      return [];  // guests and viewers without the job list see the notes once they are there
    }
  }

  async awaitFollows() {
    if (!this.following?.length || this.waiting) return;
    this.waiting = true;
    try {
      await Promise.all(this.following.map((j) => waitForJob(j.id).catch((err) => toast(err.message, "error"))));
    } finally {
      this.waiting = false;
    }
    await this.reload();
  }

  all() {
    return this.room.items.flatMap((it) => (this.byItem.get(it.index) || []).map((n) => ({ it, n })))
      .sort((x, y) => (x.n.time_in ?? 0) - (y.n.time_in ?? 0));
  }

  seekTo(it, n) {
    this.room.pause();
    // Mid-frame, so every player shows that frame and not its neighbour.
    this.room.seekAll((n.frame_in + 0.5) / it.fps);
  }

  render() {
    const list = h("ol", { class: "notes-list", "data-testid": "notes-list" });
    for (const { it, n } of this.all()) list.append(this.noteItem(it, n));
    const empty = list.childElementCount ? null : h("p", { class: "muted" }, "No notes on these versions yet.");
    const following = (this.following || []).map((j) => h("p", { class: "muted following", "data-testid": "notes-following" },
      `Following notes from v${j.args.from_version} to v${j.args.to_version}…`));
    clear(this.panel).append(...[h("h3", {}, "Notes"), ...following, following.length ? null : empty, list,
      this.canWrite ? this.form() : null].filter(Boolean));
    this.renderMarks();
    this.update();
  }

  noteItem(it, n) {
    const where = n.frame_out !== n.frame_in ? `${n.timecode_in}–${n.timecode_out}` : n.timecode_in;
    const badges = [h("span", { class: `nbadge state-${n.status}` }, n.status)];
    if (n.follow) badges.push(h("span", { class: `nbadge follow-${n.follow}`, "data-testid": "note-follow",
      title: `Carried from the previous version: the noted picture is ${n.follow} here` }, n.follow));
    if (n.guest) badges.push(h("span", { class: "nbadge guest" }, "guest"));
    if (n.drawing) badges.push(h("span", { class: "nbadge", title: "Has a drawing" }, "✎"));
    const replies = h("ul", { class: "note-replies" }, (n.replies || []).map((r) => h("li", {},
      h("b", {}, r.author), r.guest ? h("span", { class: "nbadge guest" }, "guest") : null, " ", r.text)));
    const actions = this.canWrite && this.me?.role !== "guest" ? h("div", { class: "note-actions" },
      h("button", { type: "button", class: "small", "data-testid": "note-resolve", onclick: (e) => { e.stopPropagation(); this.resolve(n); } },
        n.status === "open" ? "Resolve" : "Reopen"),
      h("button", { type: "button", class: "small", onclick: (e) => { e.stopPropagation(); this.reply(n); } }, "Reply")) : null;
    return h("li", { class: `note-item ${n.status}`, "data-testid": "note-item", "data-note": n.id, "data-frame": n.frame_in,
      "data-item": it.label, onclick: () => this.seekTo(it, n), title: "Show this frame in every player" },
    h("div", { class: "note-head" }, h("b", { class: "note-side" }, it.label), h("span", { class: "mono" }, where),
      h("span", { class: "muted mono" }, `f${n.frame_in}`), ...badges, h("span", { class: "spacer" }),
      h("span", { class: "muted note-author" }, n.author)),
    h("p", { class: "note-text" }, n.text), replies, actions);
  }

  renderMarks() {
    clear(this.marks);
    const d = this.room.duration || 1;
    for (const { it, n } of this.all()) {
      const start = (n.frame_in / it.fps) / d, end = ((n.frame_out + 1) / it.fps) / d;
      this.marks.append(h("button", { type: "button", class: `note-mark ${n.status} ${n.follow || ""}`, "data-testid": "note-mark",
        "data-note": n.id, title: `${it.label} ${n.timecode_in}: ${n.text}`,
        style: `left:${Math.min(100, start * 100)}%;width:${Math.max(0.6, (end - start) * 100)}%`,
        onclick: () => this.seekTo(it, n) }));
    }
  }

  form() {
    const side = h("select", { "aria-label": "Note on", "data-testid": "note-side" },
      this.room.items.map((it) => h("option", { value: it.index }, `${it.label} ${it.ref}`)));
    const text = h("textarea", { rows: 2, maxlength: 10000, placeholder: "Note on this frame (or the In–Out range)…",
      "data-testid": "note-text" });
    const tool = h("select", { "aria-label": "Drawing tool", "data-testid": "note-tool" }, TOOLS.map(([k, label]) => h("option", { value: k }, label)));
    const drawBtn = h("button", { type: "button", "data-testid": "note-draw", "aria-pressed": "false" }, "✎ Draw");
    const clearBtn = h("button", { type: "button", class: "small" }, "Clear drawing");
    const useRange = h("input", { type: "checkbox", "data-testid": "note-range" });
    const add = h("button", { type: "submit", class: "primary", "data-testid": "note-add" }, "Add note");
    drawBtn.addEventListener("click", () => {
      const it = this.room.items[Number(side.value)];
      this.drawing = this.drawing ? null : { item: it.index, shapes: [], tool: tool.value };
      drawBtn.setAttribute("aria-pressed", this.drawing ? "true" : "false");
      drawBtn.classList.toggle("active", !!this.drawing);
      this.room.pause();
      this.layout();
    });
    tool.addEventListener("change", () => { if (this.drawing) this.drawing.tool = tool.value; });
    clearBtn.addEventListener("click", () => { if (this.drawing) { this.drawing.shapes = []; this.update(); } });
    const form = h("form", { class: "note-form", "data-testid": "note-form" },
      h("div", { class: "note-form-row" }, side, h("label", { class: "muted" }, useRange, " In–Out range"), tool, drawBtn, clearBtn),
      text, h("div", { class: "dialog-actions" }, add));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const it = this.room.items[Number(side.value)];
      const frameAt = (t) => Math.floor(t * it.fps + 1e-3);
      const body = { version: it.version, text: text.value };
      if (useRange.checked && this.room.inT !== null) {
        body.start = frameAt(this.room.inT);
        body.end = frameAt(this.room.outT ?? it.video.currentTime);
      } else {
        body.at = frameAt(it.video.currentTime);
      }
      if (this.drawing && this.drawing.item === it.index && this.drawing.shapes.length) body.drawing = { shapes: this.drawing.shapes };
      try {
        await post(`/api/takes/${it.id}/notes`, body);
        text.value = "";
        this.drawing = null;
        await this.reload();
        this.layout();
        toast("Note added.");
      } catch (err) {
        toast(err.message, "error");
      }
    });
    return form;
  }

  async resolve(n) {
    try {
      await post(`/api/notes/${n.id}/resolve`, { resolved: n.status === "open" });
      await this.reload();
    } catch (err) { toast(err.message, "error"); }
  }

  async reply(n) {
    const { promptDialog } = await import("./dialogs.js");
    const v = await promptDialog({ title: "Reply", confirm: "Reply", fields: [{ name: "text", label: "Reply", required: true }] });
    if (!v) return;
    try {
      await post(`/api/notes/${n.id}/replies`, { text: v.text });
      await this.reload();
    } catch (err) { toast(err.message, "error"); }
  }

  // -- drawings over the players -------------------------------------------------
  layout() {
    for (const it of this.room.items) {
      const box = it.video?.parentElement;
      if (!box) continue;
      // Drawings sit over the side-by-side tiles; wipe and difference show no overlay.
      if (this.room.mode !== "side") { it.overlay?.remove(); it.overlay = null; continue; }
      if (!it.overlay || it.overlay.parentElement !== box) {
        it.overlay = h("canvas", { class: "note-overlay", "data-testid": "note-overlay", "data-item": it.label });
        box.append(it.overlay);
        this.bindDrawing(it);
      }
      const active = this.drawing && this.drawing.item === it.index;
      it.overlay.classList.toggle("drawing", !!active);
    }
    this.update();
  }

  bindDrawing(it) {
    const c = it.overlay;
    let shape = null;
    const at = (e) => {
      const r = contentRect(it.video), b = c.getBoundingClientRect();
      const x = (e.clientX - b.left - r.x) / r.w, y = (e.clientY - b.top - r.y) / r.h;
      return [Math.min(1, Math.max(0, round(x))), Math.min(1, Math.max(0, round(y)))];
    };
    c.addEventListener("click", (e) => { if (this.drawing?.item === it.index) e.stopPropagation(); });
    c.addEventListener("pointerdown", (e) => {
      if (this.drawing?.item !== it.index) return;
      e.preventDefault();
      e.stopPropagation();
      c.setPointerCapture(e.pointerId);
      const p = at(e);
      shape = { kind: this.drawing.tool, points: this.drawing.tool === "stroke" ? [p] : [p, p], color: COLOR, width: 3 };
      this.drawing.shapes.push(shape);
    });
    c.addEventListener("pointermove", (e) => {
      if (!shape) return;
      const p = at(e);
      if (shape.kind === "stroke") {
        const last = shape.points[shape.points.length - 1];
        if (Math.hypot(p[0] - last[0], p[1] - last[1]) > 0.004 && shape.points.length < 2000) shape.points.push(p);
      } else shape.points[1] = p;
      this.update();
    });
    const end = () => { shape = null; this.update(); };
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
  }

  // Called on every frame change: draw the notes of the frame each player shows.
  update() {
    if (this.marks && this.room.duration !== this.markSpan) {
      this.markSpan = this.room.duration;  // the report can widen the time base after the marks were placed
      this.renderMarks();
    }
    for (const it of this.room.items) {
      const c = it.overlay;
      if (!c || !c.isConnected) continue;
      const w = c.clientWidth, hh = c.clientHeight;
      if (c.width !== w || c.height !== hh) { c.width = w; c.height = hh; }
      const ctx = c.getContext("2d");
      ctx.clearRect(0, 0, w, hh);
      const frame = Math.floor((it.video?.currentTime || 0) * it.fps + 1e-3);
      const r = contentRect(it.video);
      const shown = (this.byItem.get(it.index) || []).filter((n) => n.drawing && n.status === "open" && frame >= n.frame_in && frame <= n.frame_out);
      for (const n of shown) drawShapes(ctx, r, n.drawing.shapes);
      if (this.drawing?.item === it.index) drawShapes(ctx, r, this.drawing.shapes);
      it.overlay.dataset.shown = String(shown.length);
    }
    for (const el of this.panel.querySelectorAll("[data-testid=note-item]")) {
      const it = this.room.items.find((o) => o.label === el.dataset.item);
      const frame = it ? Math.floor(it.video.currentTime * it.fps + 1e-3) : -1;
      el.classList.toggle("here", Number(el.dataset.frame) === frame);
    }
  }

  onKey(e) {
    if (e.target.closest("input, textarea, select")) return;
    if (e.key !== "," && e.key !== ".") return;
    const now = this.room.master?.currentTime || 0;
    const times = this.all().map(({ it, n }) => ({ it, n, t: (n.frame_in + 0.5) / it.fps }));
    const pick = e.key === "." ? times.find((x) => x.t > now + 1e-3) : [...times].reverse().find((x) => x.t < now - 1e-3);
    if (pick) { e.preventDefault(); this.seekTo(pick.it, pick.n); }
  }
}

function round(v) { return Math.round(v * 10000) / 10000; }

// Where the picture sits inside a <video> with object-fit: contain.
function contentRect(video) {
  const W = video?.clientWidth || 1, H = video?.clientHeight || 1;
  const vw = video?.videoWidth || 16, vh = video?.videoHeight || 9;
  const s = Math.min(W / vw, H / vh);
  return { x: (W - vw * s) / 2, y: (H - vh * s) / 2, w: vw * s, h: vh * s };
}

function drawShapes(ctx, r, shapes) {
  for (const s of shapes || []) {
    const pts = s.points.map(([x, y]) => [r.x + x * r.w, r.y + y * r.h]);
    ctx.strokeStyle = s.color || COLOR;
    ctx.fillStyle = s.color || COLOR;
    ctx.lineWidth = s.width || 3;
    ctx.lineJoin = ctx.lineCap = "round";
    ctx.beginPath();
    if (s.kind === "box") {
      const [[x0, y0], [x1, y1]] = pts;
      ctx.strokeRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    } else if (s.kind === "ellipse") {
      const [[x0, y0], [x1, y1]] = pts;
      ctx.ellipse((x0 + x1) / 2, (y0 + y1) / 2, Math.abs(x1 - x0) / 2, Math.abs(y1 - y0) / 2, 0, 0, 2 * Math.PI);
      ctx.stroke();
    } else if (s.kind === "arrow") {
      const [[x0, y0], [x1, y1]] = pts;
      ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
      const a = Math.atan2(y1 - y0, x1 - x0), len = 10 + (s.width || 3) * 2;
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - len * Math.cos(a - 0.45), y1 - len * Math.sin(a - 0.45));
      ctx.lineTo(x1 - len * Math.cos(a + 0.45), y1 - len * Math.sin(a + 0.45));
      ctx.closePath(); ctx.fill();
    } else {
      pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (pts.length === 1) ctx.lineTo(pts[0][0] + 0.1, pts[0][1]);
      ctx.stroke();
    }
  }
}
