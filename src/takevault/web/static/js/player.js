// Floating player windows: move by the title bar, resize from the corner, close; several at once.
import { h, parseFps, toast } from "./dom.js";
import { get, post, mediaUrl } from "./api.js";

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
  const frameLabel = h("span", { class: "frame-label mono" });
  const close = h("button", { type: "button", class: "icon", title: "Close", "aria-label": "Close" }, "×");
  const bar = h("div", { class: "window-bar" }, h("span", { class: "window-title" }, title), frameLabel, close);
  const win = h("section", { class: "window", "data-testid": "player-window", role: "dialog", "aria-label": title },
    bar, h("div", { class: "window-body" }, video, status));
  const offset = (cascade++ % 6) * 28;
  win.style.left = `${120 + offset}px`;
  win.style.top = `${90 + offset}px`;
  win.style.zIndex = ++zTop;
  layer.append(win);

  close.addEventListener("click", () => { video.pause(); video.removeAttribute("src"); video.load(); win.remove(); });
  win.addEventListener("pointerdown", () => { win.style.zIndex = ++zTop; });
  dragBy(bar, win);

  let fps = 24;
  const showFrame = () => { frameLabel.textContent = `frame ${Math.floor(video.currentTime * fps + 1e-3)}`; };
  video.addEventListener("timeupdate", showFrame);
  video.addEventListener("seeked", showFrame);

  playableSource(take.id, version, (p) => { status.textContent = `Preparing a browser proxy… ${Math.round(p * 100)}%`; })
    .then(({ info, src }) => {
      fps = parseFps(info.fps);
      status.remove();
      video.src = src;
      video.play().catch(() => {});
    })
    .catch((err) => { status.textContent = err.message; status.classList.add("error"); toast(err.message, "error"); });
  return win;
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
