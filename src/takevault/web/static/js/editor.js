// An editor's keyboard for the compare room, and SMPTE timecode beside the frame number.
//   J / K / L   shuttle back / pause / forward; pressing L (or J) again doubles the speed (up to 8×)
//   ← / →       one frame          Shift+← / Shift+→   ten frames
//   Home / End  first / last frame
//   F           flip: show A, then B, full frame (the wipe at one side or the other)
//   X           swap A and B
//   1 / 0       zoom to 1:1 (one video pixel per screen pixel) / fit; + and - zoom, wheel zooms at the
//               cursor, drag pans; the values of the pixel under the cursor are shown for every player
//   G           safe-area (action 93%, title 90%) and 2.39:1 / 1.85:1 aspect guides
//   S           sound: A, then B (then C…), then none; the waveform strip follows (sound.js)
//   ?           this list of keys, in the room
// ",", "." (previous/next note) live in notes.js. Timecode is HH:MM:SS:FF, or HH:MM:SS;FF drop-frame
// at 29.97 and 59.94 fps, counted as takevault/timecode.py counts it (timecode.js); beside it the
// source timecode of A when its file carries a start timecode.
import { timecode, sourceTimecode } from "./timecode.js";

export const KEYS = [
  ["Space", "play / pause"],
  ["J / K / L", "shuttle back / stop / forward (again: faster)"],
  ["← / →", "one frame (Shift: ten)"],
  ["Home / End", "first / last frame"],
  [", / .", "previous / next note"],
  ["I / O", "In / Out"],
  ["F", "flip A / B full frame"],
  ["X", "swap A and B"],
  ["S", "sound: A, B, …, none"],
  ["1 / 0", "zoom 1:1 / fit (+ and - zoom)"],
  ["G", "safe-area and aspect guides"],
  ["?", "show or hide these keys"],
];

const SPEEDS = [1, 2, 4, 8];

export function attachEditor(room) {
  return new Editor(room);
}

class Editor {
  constructor(room) {
    this.room = room;
    this.shuttle = 0;   // negative: backwards, positive: forwards, 0: stopped
    this.timer = null;
    this.flipped = false;
    this.smpte = document.createElement("span");
    this.smpte.className = "mono timecode smpte";
    this.smpte.dataset.testid = "smpte";
    this.smpte.title = "SMPTE timecode of A (drop-frame at 29.97/59.94)";
    room.timeLabel?.after(this.smpte);
    this.source = document.createElement("span");
    this.source.className = "mono timecode source-tc";
    this.source.dataset.testid = "source-tc";
    this.source.title = "Source timecode of A (the start timecode its file carries)";
    this.source.hidden = true;
    this.smpte.after(this.source);
    this.zoom = 1;
    this.pan = [0, 0];
    this.guides = false;
    this.pixel = document.createElement("span");
    this.pixel.className = "mono muted pixel-values";
    this.pixel.dataset.testid = "pixel-values";
    room.transport?.append(this.pixel);
    this.probe = document.createElement("canvas");
    this.probe.width = this.probe.height = 1;
  }

  // -- zoom, pan, pixel values, guides ---------------------------------------------
  boxes() {
    return this.room.items.map((it) => ({ it, box: it.video?.parentElement })).filter((x) => x.box?.classList.contains("tile-video"));
  }

  setZoom(zoom, at = null) {
    const old = this.zoom;
    // Below 1 is allowed: 1:1 of a small video shows it smaller than the tile.
    this.zoom = Math.min(32, Math.max(0.05, zoom));
    if (Math.abs(this.zoom - 1) < 1e-6) { this.zoom = 1; this.pan = [0, 0]; }
    else if (at) {
      // Keep the point under the cursor where it is.
      const k = this.zoom / old;
      this.pan = [at[0] - (at[0] - this.pan[0]) * k, at[1] - (at[1] - this.pan[1]) * k];
    }
    this.apply();
  }

  oneToOne() {
    const first = this.boxes()[0];
    if (!first) return;
    const r = contentRect(first.it.video);
    const scale = first.it.video.videoWidth ? first.it.video.videoWidth / r.w : 1;
    const box = first.box.getBoundingClientRect();
    this.setZoom(scale, [box.width / 2, box.height / 2]);
  }

  apply() {
    const transform = `translate(${this.pan[0]}px, ${this.pan[1]}px) scale(${this.zoom})`;
    for (const { it, box } of this.boxes()) {
      for (const el of [it.video, it.overlay, it.guides]) {
        if (!el) continue;
        el.style.transformOrigin = "0 0";
        el.style.transform = transform;
      }
      box.dataset.zoom = String(Math.round(this.zoom * 1000) / 1000);
      this.bindBox(it, box);
    }
    this.drawGuides();
  }

  bindBox(it, box) {
    if (box.dataset.editorBound) return;
    box.dataset.editorBound = "1";
    box.addEventListener("wheel", (e) => {
      e.preventDefault();
      const b = box.getBoundingClientRect();
      this.setZoom(this.zoom * (e.deltaY < 0 ? 1.25 : 0.8), [e.clientX - b.left, e.clientY - b.top]);
    }, { passive: false });
    let drag = null;
    box.addEventListener("pointerdown", (e) => {
      if (this.zoom === 1 || e.target.classList.contains("drawing")) return;
      drag = { x: e.clientX, y: e.clientY, pan: [...this.pan], moved: false };
    });
    box.addEventListener("pointermove", (e) => {
      this.showPixel(it, box, e);
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      this.pan = [drag.pan[0] + dx, drag.pan[1] + dy];
      this.apply();
    });
    box.addEventListener("pointerup", () => { setTimeout(() => { drag = null; }, 0); });
    // A drag that panned is not a click (the tile's click plays and pauses).
    box.addEventListener("click", (e) => { if (drag?.moved) e.stopImmediatePropagation(); }, true);
    box.addEventListener("pointerleave", () => { this.pixel.textContent = ""; });
  }

  // The picture pixel under the cursor, and its value in every player (the same pixel of each frame).
  showPixel(it, box, e) {
    const b = box.getBoundingClientRect();
    const x = (e.clientX - b.left - this.pan[0]) / this.zoom, y = (e.clientY - b.top - this.pan[1]) / this.zoom;
    const r = contentRect(it.video);
    const u = (x - r.x) / r.w, v = (y - r.y) / r.h;
    if (u < 0 || v < 0 || u >= 1 || v >= 1 || !it.video.videoWidth) { this.pixel.textContent = ""; return; }
    const px = Math.floor(u * it.video.videoWidth), py = Math.floor(v * it.video.videoHeight);
    const ctx = this.probe.getContext("2d", { willReadFrequently: true });
    const values = this.room.items.map((o) => {
      if (!o.video?.videoWidth) return `${o.label} —`;
      const ox = Math.floor(u * o.video.videoWidth), oy = Math.floor(v * o.video.videoHeight);
      ctx.clearRect(0, 0, 1, 1);
      ctx.drawImage(o.video, ox, oy, 1, 1, 0, 0, 1, 1);
      const [R, G, B] = ctx.getImageData(0, 0, 1, 1).data;
      return `${o.label} ${R} ${G} ${B}`;
    });
    this.pixel.textContent = `${px},${py} · ${values.join(" · ")}`;
  }

  toggleGuides() {
    this.guides = !this.guides;
    this.drawGuides();
  }

  drawGuides() {
    for (const { it, box } of this.boxes()) {
      if (!this.guides) { it.guides?.remove(); it.guides = null; continue; }
      if (!it.guides || it.guides.parentElement !== box) {
        it.guides = document.createElement("canvas");
        it.guides.className = "guides-overlay";
        it.guides.dataset.testid = "guides";
        box.append(it.guides);
        it.guides.style.transformOrigin = "0 0";
        it.guides.style.transform = `translate(${this.pan[0]}px, ${this.pan[1]}px) scale(${this.zoom})`;
      }
      const c = it.guides;
      c.width = c.clientWidth;
      c.height = c.clientHeight;
      const ctx = c.getContext("2d");
      const r = contentRect(it.video);
      ctx.lineWidth = 1 / this.zoom;
      for (const [share, color] of [[0.93, "rgba(255,255,255,.7)"], [0.9, "rgba(242,177,52,.8)"]]) {
        ctx.strokeStyle = color;
        ctx.strokeRect(r.x + (r.w * (1 - share)) / 2, r.y + (r.h * (1 - share)) / 2, r.w * share, r.h * share);
      }
      for (const [aspect, color] of [[2.39, "rgba(76,141,255,.9)"], [1.85, "rgba(63,174,106,.9)"]]) {
        const hh = r.w / aspect;
        if (hh >= r.h) continue;
        ctx.strokeStyle = color;
        const top = r.y + (r.h - hh) / 2;
        ctx.beginPath();
        ctx.moveTo(r.x, top); ctx.lineTo(r.x + r.w, top);
        ctx.moveTo(r.x, top + hh); ctx.lineTo(r.x + r.w, top + hh);
        ctx.stroke();
      }
      c.dataset.on = "1";
    }
  }

  // Called first by the room's key handler; true when the key was ours.
  onKey(e) {
    if (e.target.closest?.("input, textarea, select") && e.target.type !== "range") return false;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const room = this.room;
    if (key === "k") { this.stop(); room.pause(); return true; }
    if (key === "l") { this.run(1); return true; }
    if (key === "j") { this.run(-1); return true; }
    if ((key === "ArrowLeft" || key === "ArrowRight") && e.shiftKey) {
      e.preventDefault();
      this.stop();
      room.step(key === "ArrowLeft" ? -10 : 10);
      return true;
    }
    if (key === "ArrowLeft" || key === "ArrowRight") { this.stop(); return false; }  // the room steps one frame
    if (key === "Home" || key === "End") {
      e.preventDefault();
      this.stop();
      room.pause();
      const last = Math.max(0, Math.round(room.duration * room.fps) - 1);
      room.seekAll(((key === "Home" ? 0 : last) + 0.5) / room.fps);
      return true;
    }
    if (key === "f") { this.flip(); return true; }
    if (key === "x") { this.swap(); return true; }
    if (key === "1") { this.oneToOne(); return true; }
    if (key === "0") { this.setZoom(1); return true; }
    if (key === "=" || key === "+") { this.setZoom(this.zoom * 2); return true; }
    if (key === "-") { this.setZoom(this.zoom / 2); return true; }
    if (key === "g") { this.toggleGuides(); return true; }
    if (key === "s" && !e.ctrlKey && !e.metaKey) { room.sound?.next(); return true; }
    if (key === "?") { this.toggleHelp(); return true; }
    return false;
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.shuttle = 0;
    this.room.rate = 1;
    this.smpte.dataset.shuttle = "0";
  }

  // Forward shuttle plays the videos at 1×, 2×, 4×, 8×; backwards steps frames on a timer
  // (browsers do not play video backwards), at the same speeds.
  run(direction) {
    const room = this.room;
    const same = Math.sign(this.shuttle) === direction;
    const speed = same ? SPEEDS[Math.min(SPEEDS.indexOf(Math.abs(this.shuttle)) + 1, SPEEDS.length - 1)] : 1;
    clearInterval(this.timer);
    this.timer = null;
    this.shuttle = direction * speed;
    this.smpte.dataset.shuttle = String(this.shuttle);
    if (direction > 0) {
      room.rate = speed;
      if (!room.playing) room.play();
      for (const it of room.items) it.video.playbackRate = speed;
      return;
    }
    room.pause();
    const interval = 1000 / (room.fps * speed);
    const stepMs = Math.max(interval, 40);
    const frames = Math.max(1, Math.round(stepMs / interval));
    this.timer = setInterval(() => {
      const frame = room.frameOf(room.master.currentTime);
      if (frame <= 0) { this.stop(); return; }
      room.seekAll((Math.max(0, frame - frames) + 0.5) / room.fps);
    }, stepMs);
  }

  flip() {
    const room = this.room;
    this.flipped = !this.flipped;
    room.wipe = this.flipped ? 0 : 100;  // 0: B covers the frame, 100: A does
    if (room.mode !== "wipe") { room.mode = "wipe"; room.renderModes(); }
    room.layout();
  }

  swap() {
    const p = new URLSearchParams(location.search);
    const items = (p.get("items") || "").split(",");
    if (items.length < 2) return;
    [items[0], items[this.room.vs]] = [items[this.room.vs], items[0]];
    p.set("items", items.join(","));
    history.replaceState(null, "", `${location.pathname}?${p}`);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }

  update(t) {
    const fps = this.room.fps;
    const frame = this.room.frameOf(t);
    this.smpte.textContent = timecode(frame, fps);
    const src = sourceTimecode(this.room.items[0]?.info?.start_timecode, frame, fps);
    this.source.hidden = src === null;
    this.source.textContent = src === null ? "" : `src ${src}`;
  }

  // The keys of the room, in a small panel over it (the ? button or the ? key).
  toggleHelp() {
    if (this.help?.isConnected) { this.help.remove(); this.help = null; return; }
    const table = document.createElement("table");
    table.className = "kv";
    for (const [k, what] of KEYS) {
      const tr = table.insertRow();
      const th = document.createElement("th");
      th.textContent = k;
      tr.append(th);
      tr.insertCell().textContent = what;
    }
    this.help = document.createElement("div");
    this.help.className = "card-panel key-help";
    this.help.dataset.testid = "key-help";
    const title = document.createElement("h3");
    title.textContent = "Keys";
    this.help.append(title, table);
    this.help.addEventListener("click", () => this.toggleHelp());
    this.room.root.querySelector("[data-testid=compare-room]")?.append(this.help);
  }
}

// Where the picture sits inside a <video> with object-fit: contain (before any zoom).
function contentRect(video) {
  const W = video?.clientWidth || 1, H = video?.clientHeight || 1;
  const vw = video?.videoWidth || 16, vh = video?.videoHeight || 9;
  const s = Math.min(W / vw, H / vh);
  return { x: (W - vw * s) / 2, y: (H - vh * s) / 2, w: vw * s, h: vh * s };
}

export { timecode };
