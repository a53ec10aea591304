// An editor's keyboard for the compare room, and SMPTE timecode beside the frame number.
//   J / K / L   shuttle back / pause / forward; pressing L (or J) again doubles the speed (up to 8×)
//   ← / →       one frame          Shift+← / Shift+→   ten frames
//   Home / End  first / last frame
//   F           flip: show A, then B, full frame (the wipe at one side or the other)
//   X           swap A and B
// ",", "." (previous/next note) live in notes.js. Timecode is HH:MM:SS:FF, or HH:MM:SS;FF drop-frame
// at 29.97 and 59.94 fps, counted as takevault/timecode.py counts it.

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
    this.smpte.textContent = timecode(this.room.frameOf(t), fps);
  }
}

// Frame number -> SMPTE timecode; the same arithmetic as takevault/timecode.py.
export function timecode(frame, fps) {
  const base = Math.max(1, Math.round(fps));
  const drop = Math.abs(fps - 30000 / 1001) < 1e-3 || Math.abs(fps - 60000 / 1001) < 1e-3;
  let f = Math.max(0, frame);
  if (drop) {
    const dropped = 2 * Math.floor(base / 30);
    const perTen = base * 600 - dropped * 9;
    const perMinute = base * 60 - dropped;
    const tens = Math.floor(f / perTen), rest = f % perTen;
    f += rest > dropped ? dropped * 9 * tens + dropped * Math.floor((rest - dropped) / perMinute) : dropped * 9 * tens;
  }
  const ff = f % base, s = Math.floor(f / base);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${drop ? ";" : ":"}${pad(ff)}`;
}
