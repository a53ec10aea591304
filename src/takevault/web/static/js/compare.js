// The compare room: two or more takes or versions played in sync, side by side, as a wipe or as a
// difference picture; under them the per-frame difference plot, the edit-level segments, and the
// technical and generation-parameter differences.
import { h, clear, fmtDuration, parseFps, toast } from "./dom.js";
import { get, waitForJob } from "./api.js";
import { playableSource } from "./player.js";
import { attachNotes } from "./notes.js";
import { attachEditor } from "./editor.js";
import { attachSound } from "./sound.js";
import * as selection from "./selection.js";
import { renderLanes, renderWaveforms, SEGMENT_COLORS } from "./lanes.js";

const MODES = [["side", "Side by side"], ["wipe", "Wipe"], ["diff", "Difference"]];

let room = null;

function parseItems() {
  const raw = new URLSearchParams(location.search).get("items") || "";
  return raw.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = s.match(/^([0-9a-fA-F-]{36})@v(\d+)$/);
    return m ? { id: m[1], version: Number(m[2]) } : null;
  }).filter(Boolean);
}

function setParam(name, value) {
  const p = new URLSearchParams(location.search);
  if (value) p.set(name, value); else p.delete(name);
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

export async function renderCompare(root) {
  room?.destroy();
  clear(root);
  let items = parseItems();
  if (items.length === 0 && selection.picked().length) {
    items = selection.picked().map(({ id, version }) => ({ id, version }));
    setParam("items", items.map((i) => `${i.id}@v${i.version}`).join(","));
  }
  if (items.length < 2) {
    root.append(await pickerView(items));
    return;
  }
  room = new Room(root, items);
  await room.start();
}

async function pickerView(items) {
  const takes = await get("/api/takes").catch(() => []);
  const chosen = new Set(items.map((i) => `${i.id}@v${i.version}`));
  const open = h("button", { type: "button", class: "primary", disabled: chosen.size < 2 }, "Open compare room");
  const list = h("div", { class: "picker-list" }, takes.map((t) => {
    const key = `${t.id}@v${t.version}`;
    const box = h("input", { type: "checkbox", checked: chosen.has(key) });
    box.addEventListener("change", () => { box.checked ? chosen.add(key) : chosen.delete(key); open.disabled = chosen.size < 2; });
    return h("label", { class: "picker-item" }, box, h("span", {}, t.ref), h("span", { class: "muted" }, ` v${t.version} · ${t.kind}`));
  }));
  open.addEventListener("click", () => {
    setParam("items", [...chosen].join(","));
    renderCompare(document.getElementById("view"));
  });
  return h("div", { class: "picker" },
    h("h1", {}, "Compare room"),
    h("p", { class: "muted" }, "Pick two or more takes: tick “Compare” on gallery cards or versions in a take's history, or choose here."),
    takes.length ? list : h("p", { class: "muted" }, "There are no takes yet."), h("div", { class: "dialog-actions" }, open));
}

class Room {
  constructor(root, items) {
    this.root = root;
    this.items = items.map((it, i) => ({ ...it, index: i, label: `${String.fromCharCode(65 + i)}`, ref: "", fps: 24, video: null }));
    this.mode = new URLSearchParams(location.search).get("mode") || "side";
    // Wipe, difference and the analysis show A against one other player: B unless ?vs= names another.
    const vs = Number(new URLSearchParams(location.search).get("vs"));
    this.vs = Number.isInteger(vs) && vs >= 1 && vs < items.length ? vs : 1;
    this.playing = false;
    this.loop = false;
    this.inT = null;
    this.outT = null;
    this.rate = 1;
    this.wipe = 50;
    this.gain = 4;
    this.raf = null;
    this.lastDrawn = -1;
    this.report = null;
    // Seconds the compared player (B) runs ahead of A: set by a segment click, so that each player
    // shows its own matched frame and they play on in step from there; the seek bars reset it.
    this.offset = 0;
    this.keyHandler = (e) => this.onKey(e);
  }

  destroy() {
    this.notes?.destroy();
    this.sound?.destroy();
    this.editor?.stop();
    cancelAnimationFrame(this.raf);
    document.removeEventListener("keydown", this.keyHandler);
    for (const it of this.items) { it.video?.pause(); }
  }

  get master() { return this.items[0].video; }
  get pair() { return [this.items[0], this.items[this.vs]]; }
  get pairTitle() { return `A vs ${this.items[this.vs].label}`; }
  get fps() { return this.items[0].fps; }
  // The one time base of the room, in seconds: the main seek bar, the plot's x axis, its cursor and
  // the segment bar all map [0, duration] onto their width. Players are measured by their frames
  // (see lengthOf), and the report's frame times and segment ends widen it if they reach further.
  get duration() { return Math.max(this.reportSpan || 0, ...this.items.map(lengthOf), 0); }

  async start() {
    this.modeBar = h("div", { class: "segmented", role: "tablist" });
    this.stage = h("div", { class: "stage", "data-testid": "compare-stage" });
    this.transport = this.buildTransport();
    this.analysis = h("div", { class: "analysis" });
    this.chips = h("div", { class: "chips" });
    this.root.append(h("div", { class: "compare", "data-testid": "compare-room" },
      h("div", { class: "compare-top" }, h("h1", {}, "Compare room"), this.chips, h("div", { class: "spacer" }),
        this.pairPicker(), this.modeBar),
      this.stage, this.transport, this.analysis));
    document.addEventListener("keydown", this.keyHandler);
    this.editor = attachEditor(this);
    for (const it of this.items) {
      it.video = h("video", { playsinline: true, preload: "auto", muted: it.index > 0, "data-item": it.label});
      it.video.muted = it.index > 0;
      it.status = h("div", { class: "player-status" }, "Loading…");
      it.video.addEventListener("loadedmetadata", () => this.updateUi());
      it.video.addEventListener("seeked", () => { this.updateUi(); this.drawDiff(true); });
      it.video.addEventListener("ended", () => { if (it.index === 0) this.onEnded(); });
    }
    this.sound = attachSound(this);
    const help = h("button", { type: "button", class: "icon", title: "Keys (?)", "aria-label": "Keys", "data-testid": "key-help-button" }, "?");
    help.addEventListener("click", () => this.editor.toggleHelp());
    this.modeBar.before(this.sound.control, help);
    this.stage.after(this.sound.strip);
    this.renderModes();
    this.layout();
    await Promise.all(this.items.map((it) => this.load(it)));
    this.renderChips();
    this.updateUi();
    this.sound.load();
    this.loadAnalysis();
    this.notes = attachNotes(this);
  }

  async load(it) {
    try {
      const take = await get(`/api/takes/${it.id}`);
      it.take = take;
      it.ref = `${take.ref}@v${it.version}`;
      const { info, src } = await playableSource(it.id, it.version,
        (p) => { it.status.textContent = `Preparing a browser proxy… ${Math.round(p * 100)}%`; });
      it.fps = parseFps(info.fps);
      it.duration = info.duration;
      it.info = info;
      await new Promise((resolve) => {
        it.video.addEventListener("loadeddata", resolve, { once: true });
        it.video.addEventListener("error", resolve, { once: true });
        it.video.src = src;
      });
      it.status.remove();
      it.loaded = true;
      it.video.dataset.ready = "1";
    } catch (err) {
      it.status.textContent = err.message;
      it.status.classList.add("error");
    }
  }

  renderChips() {
    clear(this.chips).append(...this.items.map((it) => {
      const x = h("button", { type: "button", class: "icon", title: "Remove from the comparison" }, "×");
      x.addEventListener("click", () => {
        const rest = this.items.filter((o) => o !== it).map((o) => `${o.id}@v${o.version}`);
        setParam("items", rest.join(","));
        renderCompare(this.root);
      });
      return h("span", { class: "chip" }, h("b", {}, it.label), ` ${it.ref || it.id}`, x);
    }));
  }

  // With three or more players: which one A is wiped, differenced and analysed against.
  pairPicker() {
    if (this.items.length < 3) return null;
    const select = h("select", { "aria-label": "Compare A with", "data-testid": "vs-picker",
      title: "Wipe, difference and analysis compare A with this player" },
    this.items.slice(1).map((it) => h("option", { value: it.index, selected: it.index === this.vs }, `A vs ${it.label}`)));
    select.addEventListener("change", () => {
      this.vs = Number(select.value);
      setParam("vs", this.vs === 1 ? "" : String(this.vs));
      this.report = null;
      this.reportSpan = 0;
      this.layout();
      this.sound?.load();
      this.loadAnalysis();
    });
    return select;
  }

  renderModes() {
    clear(this.modeBar).append(...MODES.map(([key, text]) => {
      const b = h("button", { type: "button", class: this.mode === key ? "active" : "", role: "tab",
        "aria-selected": this.mode === key ? "true" : "false", "data-mode": key }, text);
      b.addEventListener("click", () => { this.mode = key; setParam("mode", key); this.renderModes(); this.layout(); });
      return b;
    }));
  }

  layout() {
    clear(this.stage);
    this.stage.className = `stage mode-${this.mode}`;
    if (this.mode === "side") {
      const grid = h("div", { class: "tiles", style: `--cols:${Math.min(this.items.length, 3)}` });
      for (const it of this.items) {
        it.scrub = h("input", { type: "range", min: 0, max: 1000, step: 1, value: 0, class: "tile-scrub",
          "aria-label": `Seek ${it.label}`, "data-testid": "tile-scrub" });
        it.scrub.addEventListener("input", () => { this.offset = 0; this.seekAll((it.scrub.value / 1000) * lengthOf(it)); });
        it.frameLabel = h("span", { class: "mono muted" });
        it.boxLayer = h("div", { class: "box-layer", "data-testid": "box-layer", "data-item": it.label,
          style: "position:absolute;inset:0;pointer-events:none" });
        const box = h("div", { class: "tile-video", style: "position:relative" }, it.video, it.boxLayer, it.loaded ? null : it.status);
        box.addEventListener("click", () => this.toggle());
        grid.append(h("div", { class: "tile", "data-testid": "compare-tile" },
          h("div", { class: "tile-head" }, h("b", {}, it.label), h("span", { class: "tile-ref" }, it.ref), it.frameLabel),
          box, it.scrub));
      }
      this.stage.append(grid);
    } else if (this.mode === "wipe") {
      const [a, b] = this.pair;
      const divider = h("div", { class: "wipe-divider", "data-testid": "wipe-divider" }, h("span", { class: "wipe-grip" }));
      const top = h("div", { class: "wipe-top" }, b.video);
      const box = h("div", { class: "wipe" }, h("div", { class: "wipe-bottom" }, a.video), top, divider,
        h("span", { class: "wipe-label left" }, `A ${a.ref}`), h("span", { class: "wipe-label right" }, `${b.label} ${b.ref}`), a.loaded ? null : a.status, b.loaded ? null : b.status);
      const apply = () => { top.style.clipPath = `inset(0 0 0 ${this.wipe}%)`; divider.style.left = `${this.wipe}%`; };
      apply();
      box.addEventListener("pointerdown", (e) => {
        box.setPointerCapture(e.pointerId);
        const move = (ev) => { const r = box.getBoundingClientRect(); this.wipe = Math.max(0, Math.min(100, ((ev.clientX - r.left) / r.width) * 100)); apply(); };
        move(e);
        const up = () => { box.removeEventListener("pointermove", move); box.removeEventListener("pointerup", up); };
        box.addEventListener("pointermove", move);
        box.addEventListener("pointerup", up);
      });
      this.stage.append(box);
      for (const it of this.items.filter((o) => o !== a && o !== b)) this.stage.append(h("div", { class: "offstage" }, it.video));
    } else {
      this.canvas = h("canvas", { class: "diff-canvas", "data-testid": "diff-canvas" });
      const gain = h("select", { "aria-label": "Gain" }, [1, 4, 16].map((g) => h("option", { value: g, selected: g === this.gain }, `gain ×${g}`)));
      gain.addEventListener("change", () => { this.gain = Number(gain.value); this.drawDiff(true); });
      this.stage.append(h("div", { class: "diff" }, this.canvas,
        h("div", { class: "diff-bar" }, h("span", { class: "muted" }, `|A − ${this.pair[1].label}| of ${this.pair[0].ref} and ${this.pair[1].ref}`), gain)),
      h("div", { class: "offstage" }, ...this.items.map((it) => it.video)));
      this.drawDiff(true);
    }
    this.notes?.layout();
    this.updateUi();
  }

  buildTransport() {
    this.playBtn = h("button", { type: "button", class: "primary play", title: "Play / pause (space)", "data-testid": "play-all" }, "▶");
    this.playBtn.addEventListener("click", () => this.toggle());
    const back = h("button", { type: "button", title: "Previous frame (←)", "data-testid": "step-back" }, "◀︎|");
    back.addEventListener("click", () => this.step(-1));
    const fwd = h("button", { type: "button", title: "Next frame (→)", "data-testid": "step-forward" }, "|▶︎");
    fwd.addEventListener("click", () => this.step(1));
    this.scrub = h("input", { type: "range", min: 0, max: 1000, step: 1, value: 0, class: "main-scrub", "aria-label": "Seek all", "data-testid": "main-scrub" });
    this.scrub.addEventListener("input", () => { this.offset = 0; this.seekAll((this.scrub.value / 1000) * this.duration); });
    this.timeLabel = h("span", { class: "mono timecode", "data-testid": "timecode" });
    const inBtn = h("button", { type: "button", title: "Loop start here (I)" }, "In");
    inBtn.addEventListener("click", () => this.setIn());
    const outBtn = h("button", { type: "button", title: "Loop end here (O)" }, "Out");
    outBtn.addEventListener("click", () => this.setOut());
    this.loopBtn = h("button", { type: "button", title: "Loop the range (L is the shuttle)", "aria-pressed": "false" }, "⟲ Loop");
    this.loopBtn.addEventListener("click", () => this.toggleLoop());
    this.loopLabel = h("span", { class: "muted mono" });
    const speed = h("select", { "aria-label": "Speed", "data-testid": "speed" },
      [0.25, 0.5, 1, 1.5, 2].map((s) => h("option", { value: s, selected: s === 1 }, `${s}×`)));
    speed.addEventListener("change", () => { this.rate = Number(speed.value); for (const it of this.items) it.video.playbackRate = this.rate; });
    this.rangeMark = h("div", { class: "loop-range" });
    return h("div", { class: "transport" }, back, this.playBtn, fwd,
      h("div", { class: "scrub-wrap" }, this.rangeMark, this.scrub), this.timeLabel,
      inBtn, outBtn, this.loopBtn, this.loopLabel, speed);
  }

  onKey(e) {
    if (e.target.closest("input, textarea, select") && e.target.type !== "range") return;
    if (this.editor?.onKey(e)) return;  // J/K/L, Shift+arrows, Home/End, flip, swap (editor.js)
    if (e.key === " ") { e.preventDefault(); this.toggle(); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); this.step(-1); }
    else if (e.key === "ArrowRight") { e.preventDefault(); this.step(1); }
    else if (e.key === "i" || e.key === "I") this.setIn();
    else if (e.key === "o" || e.key === "O") this.setOut();
    else if (e.key === "l" || e.key === "L") this.toggleLoop();
  }

  seekAll(t) {
    const d = this.duration;
    t = Math.max(0, d ? Math.min(t, d) : t);
    for (const it of this.items) {
      const v = it.video;
      if (!v || !v.src) continue;
      // A shorter player holds its last frame (mid-frame, so it shows that frame, not the end).
      const len = lengthOf(it);
      const own = Math.max(0, t + this.offsetOf(it));
      v.currentTime = len && own >= len ? Math.max(0, len - 0.5 / it.fps) : own;
    }
    this.updateUi(t);
  }

  offsetOf(it) { return it === this.pair[1] ? this.offset : 0; }

  // A segment of the edit was clicked: A to the segment's first frame in A, B to its first frame in B
  // (for removed material, B to where it was cut; for inserted, A to its last frame before the insert).
  pickSegment(seg) {
    this.pause();
    const [a, b] = this.pair;
    const segs = this.report?.segments || [];
    let tA = seg.a ? seg.a[0] + 0.5 / a.fps : null;
    const tB = seg.b ? seg.b[0] + 0.5 / b.fps : (seg.at ?? 0) + 0.5 / b.fps;
    if (tA === null) {
      const before = segs.filter((s) => s.a && s.b && s.b[1] <= seg.b[0] + 1e-6).pop();
      tA = before ? Math.max(0, before.a[1] - 0.5 / a.fps) : 0.5 / a.fps;
    }
    this.offset = tB - tA;
    this.seekAll(tA);
  }

  frameOf(t) { return Math.floor(t * this.fps + 1e-3); }

  step(n) {
    this.pause();
    const frame = Math.max(0, this.frameOf(this.master.currentTime) + n);
    this.seekAll((frame + 0.5) / this.fps);
  }

  toggle() { this.playing ? this.pause() : this.play(); }

  play() {
    if (this.loop && this.inT !== null && (this.master.currentTime < this.inT || (this.outT !== null && this.master.currentTime >= this.outT))) this.seekAll(this.inT);
    this.playing = true;
    this.playBtn.textContent = "❚❚";
    for (const it of this.items) { it.video.playbackRate = this.rate; it.video.play().catch(() => {}); }
    const tick = () => {
      if (!this.playing) return;
      const t = this.master.currentTime;
      for (const it of this.items.slice(1)) {
        const v = it.video, len = lengthOf(it) || Infinity;
        const own = t + this.offsetOf(it);
        if (own >= len || own < 0) continue;  // a shorter player holds its last frame
        if (!v.seeking && Math.abs(v.currentTime - own) > 0.5 / it.fps) v.currentTime = own;
        // One that ended before a loop came back round plays again (not in its last frame:
        // play() on an ended <video> would restart it from 0).
        if (v.paused && own < len - 1 / it.fps) v.play().catch(() => {});
      }
      if (this.loop && this.outT !== null && t >= this.outT) this.seekAll(this.inT || 0);
      this.updateUi(t);
      this.drawDiff(false);
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause() {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.playBtn.textContent = "▶";
    for (const it of this.items) it.video?.pause();
    if (this.master) this.seekAll(this.master.currentTime);
  }

  onEnded() {
    if (this.loop || this.playing) {
      this.seekAll(this.loop ? this.inT || 0 : 0);
      if (this.loop) { for (const it of this.items) it.video.play().catch(() => {}); return; }
    }
    this.pause();
  }

  setIn() { this.inT = this.master.currentTime; if (this.outT !== null && this.outT <= this.inT) this.outT = null; this.updateLoop(); }
  setOut() { this.outT = this.master.currentTime; if (this.inT !== null && this.inT >= this.outT) this.inT = null; this.updateLoop(); }
  toggleLoop() { this.loop = !this.loop; this.updateLoop(); }

  updateLoop() {
    this.loopBtn.classList.toggle("active", this.loop);
    this.loopBtn.setAttribute("aria-pressed", this.loop ? "true" : "false");
    const a = this.inT ?? 0, b = this.outT ?? this.duration;
    this.loopLabel.textContent = this.inT !== null || this.outT !== null ? `${this.frameOf(a)}–${this.frameOf(b)}` : "";
    const d = this.duration || 1;
    this.rangeMark.style.left = `${(a / d) * 100}%`;
    this.rangeMark.style.width = `${((b - a) / d) * 100}%`;
    this.rangeMark.hidden = !(this.loop || this.inT !== null || this.outT !== null);
  }

  updateUi(t = this.master?.currentTime || 0) {
    const d = this.duration;
    if (document.activeElement !== this.scrub) this.scrub.value = d ? Math.round((t / d) * 1000) : 0;
    const total = Math.max(...this.items.map((it) => it.info?.frames || 0), 0);
    this.timeLabel.textContent = `${fmtDuration(t)} · frame ${this.frameOf(t)}${total ? " / " + total : ""}`;
    for (const it of this.items) {
      const v = it.video;
      if (it.scrub && document.activeElement !== it.scrub) {
        const len = lengthOf(it);
        it.scrub.value = len ? Math.round((v.currentTime / len) * 1000) : 0;
      }
      if (it.frameLabel) it.frameLabel.textContent = `frame ${Math.floor(v.currentTime * it.fps + 1e-3)}`;
    }
    if (this.playhead && this.report) this.drawPlot();
    this.notes?.update();
    this.editor?.update(t);
    this.sound?.update(t);
    this.drawBoxes();
  }

  // The `local` boxes of the changed segment A is in, over A's and the compared player's pictures.
  drawBoxes() {
    const [a, b] = this.pair;
    const tech = this.report?.technical?.a;
    const t = a.video?.currentTime || 0;
    const seg = (this.report?.segments || []).find((s) => s.kind === "changed" && s.a && t >= s.a[0] && t < s.a[1]);
    const boxes = seg ? (seg.causes || []).filter((c) => c.cause === "local").flatMap((c) => c.boxes) : [];
    for (const it of this.items) {
      if (!it.boxLayer) continue;
      clear(it.boxLayer);
      if (!boxes.length || !tech?.width || (it !== a && it !== b)) continue;
      const v = it.video;
      if (!v.videoWidth) continue;
      // The picture inside the tile: <video> letterboxes it (object-fit: contain).
      const bw = v.clientWidth, bh = v.clientHeight;
      const s = Math.min(bw / v.videoWidth, bh / v.videoHeight);
      const pw = v.videoWidth * s, ph = v.videoHeight * s;
      const ox = v.offsetLeft + (bw - pw) / 2, oy = v.offsetTop + (bh - ph) / 2;
      for (const [x, y, w, hgt] of boxes) {
        it.boxLayer.append(h("div", { class: "local-box", "data-testid": "local-box",
          style: `position:absolute;left:${ox + (x / tech.width) * pw}px;top:${oy + (y / tech.height) * ph}px;`
            + `width:${(w / tech.width) * pw}px;height:${(hgt / tech.height) * ph}px;border:2px solid #ffdc00;box-sizing:border-box` }));
      }
    }
  }

  drawDiff(force) {
    if (this.mode !== "diff" || !this.canvas) return;
    const [a, b] = this.pair;
    if (!a.video.videoWidth || !b.video.videoWidth) return;
    if (!force && this.lastDrawn === a.video.currentTime) return;
    this.lastDrawn = a.video.currentTime;
    const w = Math.min(a.video.videoWidth, 1280);
    const hgt = Math.round((w / a.video.videoWidth) * a.video.videoHeight);
    if (this.canvas.width !== w || this.canvas.height !== hgt) { this.canvas.width = w; this.canvas.height = hgt; }
    this.offA ??= document.createElement("canvas");
    this.offB ??= document.createElement("canvas");
    for (const c of [this.offA, this.offB]) { c.width = w; c.height = hgt; }
    const ca = this.offA.getContext("2d", { willReadFrequently: true });
    const cb = this.offB.getContext("2d", { willReadFrequently: true });
    ca.drawImage(a.video, 0, 0, w, hgt);
    cb.drawImage(b.video, 0, 0, w, hgt);
    const da = ca.getImageData(0, 0, w, hgt);
    const db = cb.getImageData(0, 0, w, hgt).data;
    const p = da.data;
    const g = this.gain;
    for (let i = 0; i < p.length; i += 4) {
      p[i] = Math.min(255, Math.abs(p[i] - db[i]) * g);
      p[i + 1] = Math.min(255, Math.abs(p[i + 1] - db[i + 1]) * g);
      p[i + 2] = Math.min(255, Math.abs(p[i + 2] - db[i + 2]) * g);
      p[i + 3] = 255;
    }
    this.canvas.getContext("2d").putImageData(da, 0, 0);
  }

  // -- analysis under the players ------------------------------------------------
  async loadAnalysis() {
    const [a, b] = this.pair;
    const ra = `${a.id}@v${a.version}`, rb = `${b.id}@v${b.version}`;
    const q = `a=${encodeURIComponent(ra)}&b=${encodeURIComponent(rb)}`;
    this.plotBox = h("div", { class: "card-panel plot-panel" }, h("h3", {}, `Difference per frame · ${this.pairTitle}`),
      h("p", { class: "muted", "data-testid": "analysis-status" }, "Comparing… (computed once, then kept)"));
    this.techBox = h("div", { class: "card-panel", "data-testid": "technical" }, h("h3", {}, "Technical differences"));
    this.paramBox = h("div", { class: "card-panel" }, h("h3", {}, "Generation parameters"), h("p", { class: "muted" }, "Loading…"));
    clear(this.analysis).append(this.plotBox, h("div", { class: "side-panels" }, this.techBox, this.paramBox));
    this.notes?.place();
    this.renderTechFallback();
    const vs = this.vs;  // a reply for a pair no longer shown is dropped
    get(`/api/diff-params?${q}`).then((d) => { if (vs === this.vs) this.renderParams(d); }).catch((err) => {
      if (vs === this.vs) clear(this.paramBox).append(h("h3", {}, "Generation parameters"), h("p", { class: "muted" }, err.message));
    });
    try {
      let report = await get(`/api/compare?${q}`);
      if (vs !== this.vs) return;
      if (report && report.job && !report.metrics) {
        // Made by a worker, not inside the request: show how far it got, then fetch the report.
        const status = this.plotBox.querySelector("[data-testid=analysis-status]");
        const show = (p, job) => {
          if (status) status.textContent = job.state === "queued" ? "Waiting for a worker…" : `Analysing ${Math.round(p * 100)}%`;
        };
        show(report.job.progress || 0, report.job);
        await waitForJob(report.job.id, show, () => vs === this.vs);
        if (vs !== this.vs) return;
        report = await get(`/api/compare?${q}`);
        if (vs !== this.vs) return;
        if (report && report.job && !report.metrics) throw new Error("The comparison is made but not readable here yet; open the pair again.");
      }
      this.report = report;
      this.renderReport();
    } catch (err) {
      const status = this.plotBox.querySelector("[data-testid=analysis-status]");
      if (status) status.textContent = err.message;
    }
  }

  // Until the report comes: the facts of the two versions being compared (not the takes' current ones).
  renderTechFallback() {
    const [a, b] = this.pair;
    const fields = ["width", "height", "fps", "frames", "duration"];
    const rows = [["version", a.ref, b.ref], ...fields.map((f) => [f, fmtField(f, a.info?.[f]), fmtField(f, b.info?.[f])])];
    clear(this.techBox).append(h("h3", {}, "Technical differences"), techTable(rows, [a.label, b.label]));
  }

  renderReport() {
    const r = this.report;
    const frames = r.metrics?.frames || [];
    const psnr = r.metrics?.psnr?.average, ssim = r.metrics?.ssim?.all;
    this.plot = h("canvas", { class: "plot", height: 140, "data-testid": "diff-plot" });
    this.playhead = true;
    this.plot.addEventListener("click", (e) => {
      const rect = this.plot.getBoundingClientRect();
      // To the middle of the frame under x: a frame boundary could show either neighbour.
      const t = ((e.clientX - rect.left) / rect.width) * this.duration;
      this.offset = 0;
      this.seekAll((Math.floor(t * this.fps) + 0.5) / this.fps);
    });
    this.plot.addEventListener("mousemove", (e) => {
      const rect = this.plot.getBoundingClientRect();
      const t = ((e.clientX - rect.left) / rect.width) * this.duration - 0.5 / this.fps;
      const near = frames.reduce((best, f) => (best === null || Math.abs(f.a_time - t) < Math.abs(best.a_time - t) ? f : best), null);
      this.plot.title = near ? `A ${near.a_time?.toFixed(3)} s · PSNR ${fmtNum(near.psnr)} dB · SSIM ${fmtNum(near.ssim, 4)}` : "";
    });
    const [fa, fb] = this.pair.map((it) => it.fps);
    this.reportSpan = Math.max(0, ...(r.segments || []).flatMap((s) => [s.a?.[1] || 0, s.b?.[1] || 0]),
      ...frames.flatMap((f) => [(f.a_time ?? 0) + 1 / fa, (f.b_time ?? 0) + 1 / fb]));
    const span = this.duration || 1;
    const segs = renderLanes(r, span, (seg) => this.pickSegment(seg));
    const waves = renderWaveforms(r, span);
    const sentences = r.summary?.sentences || [];
    const told = sentences.length ? h("ul", { class: "compare-summary", "data-testid": "compare-summary" },
      sentences.map((text) => h("li", {}, text))) : null;
    const legend = h("div", { class: "legend muted" },
      h("span", {}, h("span", { class: "line" }), "PSNR (up = more different)"),
      h("span", {}, h("i", { style: "background:rgba(224,136,58,.6)" }), "1 − SSIM"),
      Object.entries(SEGMENT_COLORS).map(([k, c]) => h("span", {}, h("i", { style: `background:${c}` }), k)));
    const summary = h("p", { class: "muted" },
      `PSNR ${fmtNum(psnr)} dB · SSIM ${fmtNum(ssim, 4)} · cuts A ${(r.cuts?.a || []).length}, B ${(r.cuts?.b || []).length} · click the plot or a segment to jump`);
    clear(this.plotBox).append(...[h("h3", {}, `Difference per frame · ${this.pairTitle}`), told, summary, this.plot, segs, legend, waves]
      .filter(Boolean));
    this.frames = frames;
    this.sound?.draw();  // the report may have widened the time base
    this.updateLoop();
    this.updateUi();
    requestAnimationFrame(() => this.drawPlot());
    if (r.technical) {
      const diffs = Array.isArray(r.technical.differences) ? r.technical.differences : [];
      // One table: which versions, then each field that differs, in units people read.
      const rows = [["version", this.pair[0].ref, this.pair[1].ref],
        ...diffs.map((d) => [d.field, fmtField(d.field, d.a), fmtField(d.field, d.b)])];
      const table = techTable(rows, this.pair.map((it) => it.label));
      const none = diffs.length ? null : h("p", { class: "muted" }, "No other differences.");
      clear(this.techBox).append(...[h("h3", {}, "Technical differences"), table, none].filter(Boolean),
        ...(r.technical.warnings || []).map((w) => h("p", { class: "warn" }, String(w))));
    }
  }

  drawPlot() {
    const c = this.plot;
    if (!c || !c.isConnected) return;
    const w = (c.width = c.clientWidth * devicePixelRatio);
    const hh = (c.height = 140 * devicePixelRatio);
    const ctx = c.getContext("2d");
    ctx.clearRect(0, 0, w, hh);
    const span = this.duration || 1;
    const frames = this.frames || [];
    // A frame's point sits mid-frame: where a frame step puts the players, so the cursor lands on it.
    const half = 0.5 / this.fps;
    const xOf = (t) => ((t + half) / span) * w;
    ctx.strokeStyle = "#2a303b";
    for (let i = 1; i < 4; i++) { ctx.beginPath(); ctx.moveTo(0, (hh * i) / 4); ctx.lineTo(w, (hh * i) / 4); ctx.stroke(); }
    // 1 − SSIM as a filled area (0 at the bottom = identical), PSNR as a line (60 dB at the bottom).
    ctx.fillStyle = "rgba(224,136,58,0.35)";
    ctx.strokeStyle = "#e0883a";
    if (frames.length) {
      ctx.beginPath();
      ctx.moveTo(xOf(frames[0].a_time), hh);
      for (const f of frames) ctx.lineTo(xOf(f.a_time), hh - Math.min(1, (1 - (f.ssim ?? 1)) * 4) * hh);
      ctx.lineTo(xOf(frames[frames.length - 1].a_time), hh);
      ctx.closePath();
      ctx.fill();
    }
    ctx.strokeStyle = "#4c8dff";
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    frames.forEach((f, i) => {
      const p = f.psnr === null || f.psnr === undefined || !isFinite(f.psnr) ? 60 : Math.min(60, f.psnr);
      const x = xOf(f.a_time), y = hh - ((60 - p) / 60) * hh;
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
    const t = this.master?.currentTime || 0;
    ctx.strokeStyle = "#f2b134";
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath(); ctx.moveTo((t / span) * w, 0); ctx.lineTo((t / span) * w, hh); ctx.stroke();
  }

  renderParams(d) {
    const box = this.paramBox;
    clear(box).append(h("h3", {}, "Generation parameters"));
    if (!d || typeof d !== "object") { box.append(h("p", { class: "muted" }, "No parameters to compare.")); return; }
    if (d.same) box.append(h("p", { class: "note-ok" }, "Same generation parameters."));
    if (d.fields?.length) box.append(techTable(d.fields.map((f) => [f.field, f.a, f.b]), this.pair.map((it) => it.label)));
    for (const [key, label] of [["prompt", "Prompt"], ["negative", "Negative prompt"]]) {
      const w = d[key];
      if (!w || (!w.added?.length && !w.removed?.length)) continue;
      box.append(h("div", { class: "words" }, h("span", { class: "muted" }, `${label}: `),
        ...(w.removed || []).map((x) => h("span", { class: "word removed", title: "only in A" }, x)),
        ...(w.added || []).map((x) => h("span", { class: "word added", title: `only in ${this.pair[1].label}` }, x))));
    }
    // Each kind of change (added, removed, values_changed…) is its own table, one row per change.
    for (const [key, label] of [["loras", "LoRAs"], ["graph", "Workflow graph"]]) {
      const parts = Object.entries(d[key] || {}).filter(([k, v]) => !["a", "b"].includes(k) && v?.length);
      if (!parts.length) continue;
      box.append(h("h4", {}, label), h("div", { class: `param-${key}` }, parts.map(([k, v]) => [
        h("div", { class: "muted param-kind" }, k.replace(/_/g, " ")), renderAny(v)])));
    }
    if (d.source && (d.source.a || d.source.b)) box.append(h("p", { class: "muted" }, `Source: A ${d.source.a || "—"} · ${this.pair[1].label} ${d.source.b || "—"}`));
  }
}

// A player's length in seconds: its frames at its rate. Not the <video>'s duration, which spans
// its longest track: proxies made with mistimed audio reported ~47 s for a 1 s picture, which
// stretched the whole timeline (seek bar, plot, segments) by that factor.
function lengthOf(it) {
  const frames = it.info?.frames;
  if (frames && it.fps) return frames / it.fps;
  return it.info?.duration || it.video?.duration || 0;
}

function fmtNum(v, digits = 2) {
  if (v === null || v === undefined) return "—";
  if (typeof v !== "number") return String(v);
  return isFinite(v) ? v.toFixed(digits) : "∞";
}

// A technical value for people: bit rates in kb/s or Mb/s, durations in s, frame rates as 23.976 fps.
export function fmtField(field, v) {
  if (v === null || v === undefined || v === "") return v;
  if (field === "bit_rate" && typeof v === "number") return v >= 1e6 ? `${(v / 1e6).toFixed(2)} Mb/s` : `${Math.round(v / 1e3)} kb/s`;
  if (field === "duration" && typeof v === "number") return `${v.toFixed(3)} s`;
  if (field === "fps") {
    const [n, d] = String(v).split("/").map(Number);
    const fps = d ? n / d : n;
    if (!isFinite(fps) || fps <= 0) return v;
    return `${Number.isInteger(fps) ? fps : fps.toFixed(3).replace(/0+$/, "").replace(/\.$/, "")} fps`;
  }
  if ((field === "width" || field === "height") && typeof v === "number") return `${v} px`;
  return v;
}

function techTable(rows, [la, lb] = ["A", "B"]) {
  return h("table", { class: "kv" }, h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, la), h("th", {}, lb))),
    h("tbody", {}, rows.map(([k, a, b]) => h("tr", { class: JSON.stringify(a) !== JSON.stringify(b) ? "differs" : "" },
      h("th", {}, k), h("td", {}, show(a)), h("td", {}, show(b))))));
}

function show(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// Render data of a shape we only partly know: lists of records as tables, objects as key/value rows.
export function renderAny(v) {
  if (Array.isArray(v)) {
    if (!v.length) return h("p", { class: "muted" }, "No differences.");
    if (v.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
      const keys = [...new Set(v.flatMap((x) => Object.keys(x)))];
      return h("table", { class: "kv" }, h("thead", {}, h("tr", {}, keys.map((k) => h("th", {}, k)))),
        h("tbody", {}, v.map((x) => h("tr", {}, keys.map((k) => h("td", {}, show(x[k])))))));
    }
    return h("ul", {}, v.map((x) => h("li", {}, show(x))));
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v);
    if (!entries.length) return h("p", { class: "muted" }, "No differences.");
    return h("table", { class: "kv" }, h("tbody", {}, entries.map(([k, x]) => h("tr", {}, h("th", {}, k), h("td", {}, show(x))))));
  }
  return h("p", {}, show(v));
}
