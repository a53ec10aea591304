// Floating player windows: move by the title bar, resize from the corner, close; several at once.
// Each shows the frame number, the record-run SMPTE and the source timecode (when the file carries
// one); "Lock" ties players together: locked ones play, pause, seek and step frames as one.
import { h, parseFps, toast } from "./dom.js";
import { get, post, mediaUrl } from "./api.js";
import { timecode, sourceTimecode } from "./timecode.js";

let zTop = 10;
let cascade = 0;

// Resolve what the browser should play for one version, making a proxy first when needed.
export async function playableSource(takeId, version, onProgress) {
  let info = await get(`/api/media/${takeId}/${version}/playback`);
  if (info.needs_proxy && !info.ready) {
    let job = await post(`/api/media/${takeId}/${version}/proxy`);
    while (job.state === "running") {
      onProgress?.(job.progress);
      await new Promise((r) => setTimeout(r, 400));
      info = await get(`/api/media/${takeId}/${version}/playback`);
      if (info.ready) break;
      job = info.job || (await post(`/api/media/${takeId}/${version}/proxy`));
    }
    if (job.state === "failed") throw new Error(job.error || "The browser proxy could not be made.");
    info = await get(`/api/media/${takeId}/${version}/playback`);
  }
  return { info, src: mediaUrl(takeId, version, "play") };
}

export function openPlayer(take, version = take.version) {
  const layer = document.getElementById("windows");
  const title = `${take.ref} · v${version}`;
  const status = h("div", { class: "player-status" }, "Loading…");
  const video = h("video", { controls: true, playsinline: true, preload: "auto", loop: true });
  const frameLabel = h("span", { class: "frame-label mono", "data-testid": "player-frame" });
  const smpte = h("span", { class: "frame-label mono", "data-testid": "player-smpte", title: "Record-run SMPTE timecode" });
  const source = h("span", { class: "frame-label mono source-tc", "data-testid": "player-source-tc", hidden: true,
    title: "Source timecode (the start timecode the file carries)" });
  const lockBtn = h("button", { type: "button", class: "small lock", "aria-pressed": "false", "data-testid": "player-lock",
    title: "Lock: play, pause, seek and step with the other locked players, at the frame offset they have now" }, "Lock");
  const close = h("button", { type: "button", class: "icon", title: "Close", "aria-label": "Close" }, "×");
  const bar = h("div", { class: "window-bar" }, h("span", { class: "window-title" }, title), frameLabel, smpte, source, lockBtn, close);
  const win = h("section", { class: "window", "data-testid": "player-window", role: "dialog", "aria-label": title, tabindex: "0" },
    bar, h("div", { class: "window-body" }, video, status));
  const offset = (cascade++ % 6) * 28;
  win.style.left = `${120 + offset}px`;
  win.style.top = `${90 + offset}px`;
  win.style.zIndex = ++zTop;
  layer.append(win);

  const p = { video, win, fps: 24, frames: 0, start: null, base: 0, syncing: false, quiet: { play: false, pause: false } };
  close.addEventListener("click", () => {
    unlock(p);
    video.pause(); video.removeAttribute("src"); video.load(); win.remove();
  });
  win.addEventListener("pointerdown", () => { win.style.zIndex = ++zTop; });
  dragBy(bar, win);
  lockBtn.addEventListener("click", () => {
    if (group.has(p)) unlock(p); else lock(p);
    lockBtn.setAttribute("aria-pressed", group.has(p) ? "true" : "false");
    lockBtn.classList.toggle("active", group.has(p));
    lockBtn.textContent = group.has(p) ? "Locked" : "Lock";
    win.dataset.locked = group.has(p) ? "1" : "0";
  });

  const showFrame = () => {
    const frame = frameOf(p);
    frameLabel.textContent = `frame ${frame}`;
    smpte.textContent = timecode(frame, p.fps);
    const src = sourceTimecode(p.start, frame, p.fps);
    source.hidden = src === null;
    source.textContent = src === null ? "" : `src ${src}`;
  };
  video.addEventListener("timeupdate", showFrame);
  video.addEventListener("seeked", () => {
    showFrame();
    // A seek the lock made follows nobody; one the user made (bar, keys, a loop back to 0) leads.
    if (p.syncing) { p.syncing = false; return; }
    follow(p);
  });
  video.addEventListener("play", () => {
    if (p.quiet.play) { p.quiet.play = false; return; }
    if (group.has(p)) playGroup(p);
  });
  video.addEventListener("pause", () => {
    if (p.quiet.pause) { p.quiet.pause = false; return; }
    if (group.has(p)) pauseGroup(p);
  });
  // ← / → one frame (Shift: ten), space plays and pauses: in the window that has the focus.
  win.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select")) return;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      e.stopPropagation();
      video.pause();
      const n = (e.key === "ArrowLeft" ? -1 : 1) * (e.shiftKey ? 10 : 1);
      seekFrame(p, frameOf(p) + n, false);
    } else if (e.key === " ") {
      e.preventDefault();
      e.stopPropagation();
      if (video.paused) video.play().catch(() => {}); else video.pause();
    }
  }, true);
  win.addEventListener("pointerdown", (e) => { if (!e.target.closest("button, video")) win.focus(); });

  playableSource(take.id, version, (pr) => { status.textContent = `Preparing a browser proxy… ${Math.round(pr * 100)}%`; })
    .then(({ info, src }) => {
      p.fps = parseFps(info.fps);
      p.frames = info.frames || 0;
      p.start = info.start_timecode || null;
      status.remove();
      video.src = src;
      video.addEventListener("loadeddata", () => { video.dataset.ready = "1"; showFrame(); }, { once: true });
      video.play().catch(() => {});
    })
    .catch((err) => { status.textContent = err.message; status.classList.add("error"); toast(err.message, "error"); });
  return win;
}

// -- locked players --------------------------------------------------------------------------------
// Every locked player keeps `base`, the frame it showed when the group's frame was 0: the group's
// frame is what any member shows less its base, so locking keeps the frame (timecode) offsets the
// players have at that moment, and each member shows `group frame + base` (held at its ends).
const group = new Set();
let drift = null;

function frameOf(p) { return Math.floor(p.video.currentTime * p.fps + 1e-3); }

function lastFrame(p) {
  const n = p.frames || Math.round((p.video.duration || 0) * p.fps);
  return Math.max(0, n - 1);
}

// `quietly`: a seek made by the lock, which must not lead the others in turn.
function seekFrame(p, frame, quietly) {
  const f = Math.max(0, Math.min(lastFrame(p), frame));
  const t = (f + 0.5) / p.fps;
  if (Math.abs(p.video.currentTime - t) < 0.5 / p.fps) return;
  if (quietly) p.syncing = true;
  p.video.currentTime = t;
}

function groupFrame(p) { return frameOf(p) - p.base; }

function follow(leader) {
  if (!group.has(leader)) return;
  const g = groupFrame(leader);
  for (const o of group) if (o !== leader) seekFrame(o, g + o.base, true);
}

function lock(p) {
  const other = [...group][0];
  p.base = other ? frameOf(p) - groupFrame(other) : frameOf(p);
  group.add(p);
  if (other && !other.video.paused && p.video.paused) { p.quiet.play = true; p.video.play().catch(() => {}); }
  if (other && other.video.paused && !p.video.paused) { p.quiet.pause = true; p.video.pause(); }
}

function unlock(p) {
  group.delete(p);
  p.video.playbackRate = 1;
}

function playGroup(leader) {
  const g = groupFrame(leader);
  for (const o of group) {
    if (o === leader) continue;
    seekFrame(o, g + o.base, true);
    // Frame for frame: a 25 fps player runs at 25/24 of the speed beside a 24 fps one.
    o.video.playbackRate = leader.video.playbackRate * (o.fps / leader.fps);
    if (o.video.paused) { o.quiet.play = true; o.video.play().catch(() => { o.quiet.play = false; }); }
  }
  cancelAnimationFrame(drift);
  const tick = () => {
    if (leader.video.paused || !group.has(leader)) return;
    const now = groupFrame(leader);
    for (const o of group) {
      if (o === leader || o.video.seeking) continue;
      if (Math.abs(groupFrame(o) - now) > 2) seekFrame(o, now + o.base, true);  // drifted: catch up
    }
    drift = requestAnimationFrame(tick);
  };
  drift = requestAnimationFrame(tick);
}

function pauseGroup(leader) {
  cancelAnimationFrame(drift);
  for (const o of group) {
    if (o === leader) continue;
    if (!o.video.paused) { o.quiet.pause = true; o.video.pause(); }
  }
  follow(leader);
}

export function dragBy(handle, win) {
  handle.addEventListener("pointerdown", (e) => {
    if (e.target.closest("button")) return;
    const startX = e.clientX, startY = e.clientY;
    const left = win.offsetLeft, top = win.offsetTop;
    handle.setPointerCapture(e.pointerId);
    // Some of the title bar always stays on screen, so a window can never be dragged out of reach.
    const move = (ev) => {
      const x = left + ev.clientX - startX, y = top + ev.clientY - startY;
      win.style.left = `${Math.min(Math.max(x, 80 - win.offsetWidth), innerWidth - 80)}px`;
      win.style.top = `${Math.min(Math.max(y, 0), innerHeight - handle.offsetHeight)}px`;
    };
    const up = () => { handle.removeEventListener("pointermove", move); handle.removeEventListener("pointerup", up); };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
  });
}
