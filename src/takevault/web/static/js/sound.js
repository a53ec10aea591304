// Which player's sound is heard in the compare room, and a waveform strip of it under the players.
// Only the chosen side's <video> is unmuted (or none). The strip draws the server's per-column min/max
// peaks (GET /api/media/{id}/{n}/waveform, made once per video and kept) on the room's time base,
// with the playhead; a click seeks every player there. "Both" shows A above the compared player.
import { h, clear } from "./dom.js";
import { get } from "./api.js";

const LANE_H = 30;

export function attachSound(room) {
  return new Sound(room);
}

class Sound {
  constructor(room) {
    this.room = room;
    const asked = new URLSearchParams(location.search).get("sound");
    const index = room.items.findIndex((it) => it.label === asked);
    this.audible = asked === "none" ? -1 : Math.max(0, index);
    this.both = new URLSearchParams(location.search).get("waves") === "both";
    this.peaks = new Map();  // item index -> peaks JSON, or { error } for a version without sound
    this.control = h("div", { class: "segmented sound-choice", role: "group", "aria-label": "Sound" });
    this.canvas = h("canvas", { class: "sound-strip", "data-testid": "sound-strip", height: LANE_H,
      title: "Sound of the players: click to go there" });
    this.head = h("div", { class: "sound-head", "data-testid": "sound-head" });
    this.message = h("div", { class: "muted sound-message", "data-testid": "sound-message" });
    this.strip = h("div", { class: "sound-wrap", "data-testid": "sound-wrap" },
      h("div", { class: "sound-box" }, this.canvas, this.head), this.message);
    this.canvas.addEventListener("click", (e) => this.seekAt(e));
    this.resize = () => this.draw();
    addEventListener("resize", this.resize);
    this.renderControl();
    this.apply();
  }

  destroy() { removeEventListener("resize", this.resize); }

  // The buttons: one per player, then "none", then the "both" strip toggle.
  renderControl() {
    const choices = [...this.room.items.map((it) => [it.index, it.label]), [-1, "none"]];
    clear(this.control).append(h("span", { class: "muted" }, "Sound"), ...choices.map(([index, label]) => {
      const b = h("button", { type: "button", class: this.audible === index ? "active" : "",
        "aria-pressed": this.audible === index ? "true" : "false", "data-testid": `sound-${label}`,
        title: index < 0 ? "No sound (S)" : `Hear ${label} only (S cycles)` }, index < 0 ? "none" : label);
      b.addEventListener("click", () => this.choose(index));
      return b;
    }), this.bothButton());
  }

  bothButton() {
    const b = h("button", { type: "button", class: this.both ? "active" : "", "aria-pressed": this.both ? "true" : "false",
      "data-testid": "sound-both", title: "Waveforms of both sides, A above" }, "A/B waves");
    b.addEventListener("click", () => { this.both = !this.both; setParam("waves", this.both ? "both" : ""); this.renderControl(); this.load(); });
    return b;
  }

  choose(index) {
    this.audible = index;
    setParam("sound", index < 0 ? "none" : index === 0 ? "" : this.room.items[index].label);
    this.renderControl();
    this.apply();
    this.load();
  }

  // The S key: A, B, C…, none, and round again.
  next() {
    const n = this.room.items.length;
    this.choose(this.audible < 0 ? 0 : this.audible + 1 >= n ? -1 : this.audible + 1);
  }

  apply() {
    for (const it of this.room.items) {
      if (!it.video) continue;
      it.video.muted = it.index !== this.audible;
      it.video.dataset.audible = it.index === this.audible ? "1" : "0";
    }
  }

  // Which players the strip shows: the audible one; A above the compared one for "both" or no sound.
  lanes() {
    const [a, b] = this.room.pair;
    if (this.both || this.audible < 0) return [a, b];
    return [this.room.items[this.audible]];
  }

  async load() {
    const lanes = this.lanes();
    await Promise.all(lanes.filter((it) => !this.peaks.has(it.index)).map(async (it) => {
      try {
        this.peaks.set(it.index, await get(`/api/media/${it.id}/${it.version}/waveform`));
      } catch (err) {
        this.peaks.set(it.index, { error: err.message });
      }
    }));
    this.draw();
  }

  draw() {
    const c = this.canvas;
    if (!c.isConnected) return;
    const lanes = this.lanes();
    const dpr = devicePixelRatio || 1;
    const w = (c.width = Math.max(1, c.clientWidth * dpr));
    const laneH = LANE_H * dpr;
    c.height = laneH * lanes.length;
    c.style.height = `${LANE_H * lanes.length}px`;
    c.dataset.lanes = lanes.map((it) => it.label).join(",");
    const ctx = c.getContext("2d");
    ctx.clearRect(0, 0, w, c.height);
    const span = this.room.duration || 1;
    const silent = [];
    lanes.forEach((it, i) => {
      const top = i * laneH, mid = top + laneH / 2;
      ctx.fillStyle = "#1b2029";
      ctx.fillRect(0, top + 1, w, laneH - 2);
      ctx.fillStyle = "#5d6775";
      ctx.font = `${10 * dpr}px sans-serif`;
      ctx.fillText(it.label, 3 * dpr, top + 11 * dpr);
      const p = this.peaks.get(it.index);
      if (!p || p.error) { if (p?.error) silent.push(`${it.label}: ${p.error}`); return; }
      ctx.fillStyle = it.index === this.audible ? "#7fb0ff" : "#9aa7b8";
      // Each player's sound at its own time, as its own seek bar shows it.
      const colW = Math.max(1, w / (span * p.per_second));
      // Drawn to the file's loudest peak (as NLE strips are), so quiet dialogue still reads; a floor
      // keeps near-silence from being blown up into noise.
      const loudest = Math.max(0.1, ...p.max.map(Math.abs), ...p.min.map(Math.abs));
      const scale = (laneH / 2 - 2) / loudest;
      for (let k = 0; k < p.min.length; k++) {
        const x = ((k / p.per_second) / span) * w;
        if (x < -colW || x > w) continue;
        const y0 = mid - p.max[k] * scale, y1 = mid - p.min[k] * scale;
        ctx.fillRect(x, y0, colW, Math.max(1, y1 - y0));
      }
    });
    this.message.textContent = silent.join(" · ");
    c.dataset.ready = lanes.every((it) => this.peaks.has(it.index)) ? "1" : "0";
    this.drawHead();
  }

  // The playhead is a thin line over the strip, moved on every frame change without redrawing the peaks.
  drawHead() {
    const t = this.room.master?.currentTime || 0;
    const span = this.room.duration || 1;
    const x = Math.max(0, Math.min(1, t / span));
    this.head.style.left = `${x * 100}%`;
    this.canvas.dataset.playhead = x.toFixed(4);
  }

  update() { this.drawHead(); }

  seekAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const t = ((e.clientX - r.left) / r.width) * this.room.duration;
    const fps = this.room.fps;
    this.room.offset = 0;
    this.room.seekAll((Math.floor(t * fps) + 0.5) / fps);
  }
}

function setParam(name, value) {
  const p = new URLSearchParams(location.search);
  if (value) p.set(name, value); else p.delete(name);
  history.replaceState(null, "", `${location.pathname}?${p}`);
}
