// The edit as two lanes: A's timeline above, B's below, to one time scale, each segment on the lane of
// the side it comes from, matched ranges joined (as alignment.png draws them). Removed material sits on
// A's lane only, inserted on B's only, so neither is half hidden under the other. Under the lanes, both
// sides' sound as waveform strips with B's sound pieces coloured.
import { h } from "./dom.js";

export const SEGMENT_COLORS = { same: "#2f3a4a", changed: "#e0883a", inserted: "#3fae6a", removed: "#d0524a", moved: "#7a6ae0", retimed: "#3aa0d0" };
const SOUND_COLORS = { same: "#2f3a4a", changed: "#e0883a", replaced: "#a05ad0", silent: "#8a8a8a", inserted: "#3fae6a", retimed: "#3aa0d0" };
const LANE_H = 18;
const JOIN_H = 26;

const pct = (t, span) => `${(Math.max(0, t) / span) * 100}%`;

function smpte(seg, side) {
  const tc = seg[`${side}_smpte`];
  return tc ? `${tc[0]}–${tc[1]}` : "—";
}

export function segmentTitle(seg) {
  const why = (seg.causes || []).map((c) => `${c.cause}: ${c.text}`).join("; ");
  const speed = seg.rate ? ` · ${seg.rate.toFixed(2)}x` : "";
  const at = seg.b ? "" : seg.at_smpte ? ` (at B ${seg.at_smpte})` : "";
  return `${seg.kind}${speed}: A ${smpte(seg, "a")} · B ${smpte(seg, "b")}${at}${why ? ` · ${why}` : ""}`;
}

// `onPick(seg)` runs when a segment is clicked on either lane.
export function renderLanes(report, span, onPick) {
  span = span || 1;
  const segs = report.segments || [];
  const laneA = h("div", { class: "lane", "data-testid": "lane-a", style: laneStyle() });
  const laneB = h("div", { class: "lane", "data-testid": "lane-b", style: laneStyle() });
  const joins = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  joins.setAttribute("data-testid", "lane-joins");
  joins.setAttribute("viewBox", `0 0 1000 ${JOIN_H}`);
  joins.setAttribute("preserveAspectRatio", "none");
  joins.style.cssText = `display:block;width:100%;height:${JOIN_H}px`;
  for (const seg of segs) {
    const color = SEGMENT_COLORS[seg.kind] || "#666";
    for (const [side, lane] of [["a", laneA], ["b", laneB]]) {
      const range = seg[side];
      if (!range) continue;
      const el = h("button", {
        type: "button", class: `segment k-${seg.kind}`, "data-kind": seg.kind, "data-side": side,
        style: `position:absolute;top:0;bottom:0;left:${pct(range[0], span)};width:max(2px, ${((range[1] - range[0]) / span) * 100}%);`
          + `background:${color};border:0;border-right:1px solid #11151c;padding:0;cursor:pointer`,
        title: segmentTitle(seg),
      });
      el.addEventListener("click", () => onPick(seg));
      lane.append(el);
    }
    if (seg.a && seg.b) {
      const x = (t) => (t / span) * 1000;
      const poly = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
      poly.setAttribute("points", `${x(seg.a[0])},0 ${x(seg.a[1])},0 ${x(seg.b[1])},${JOIN_H} ${x(seg.b[0])},${JOIN_H}`);
      poly.setAttribute("fill", color);
      poly.setAttribute("fill-opacity", seg.kind === "same" ? "0.35" : "0.6");
      poly.dataset.kind = seg.kind;
      joins.append(poly);
    } else if (!seg.b && seg.at !== undefined && seg.at !== null) {
      // Where removed material was, on B's lane: a thin mark, so the cut point can be found and clicked.
      const mark = h("button", { type: "button", class: "segment-mark", "data-kind": "removed-at", title: segmentTitle(seg),
        style: `position:absolute;z-index:2;top:-4px;bottom:-4px;left:${pct(seg.at, span)};width:5px;margin-left:-2px;background:${SEGMENT_COLORS.removed};border:1px solid #11151c;padding:0;cursor:pointer` });
      mark.addEventListener("click", () => onPick(seg));
      laneB.append(mark);
    }
  }
  // Lanes span the plot's full width (one time scale with it); their names sit just outside, on the left.
  const row = (label, lane) => h("div", { style: "position:relative" },
    h("b", { style: "position:absolute;left:-13px;top:1px;font-size:11px", "aria-hidden": "true" }, label), lane);
  return h("div", { class: "lanes", "data-testid": "segments", style: "margin:6px 0 4px" }, row("A", laneA), joins, row("B", laneB));
}

function laneStyle() {
  return `position:relative;height:${LANE_H}px;background:#1b2029;border-radius:3px;overflow:visible`;
}

// Both sides' sound as peak strips on the same time scale, B's sound pieces coloured underneath.
export function renderWaveforms(report, span) {
  const audio = report.audio;
  if (!audio || (!audio.a?.waveform && !audio.b?.waveform)) return null;
  const canvas = h("canvas", { class: "waveform", "data-testid": "waveform", height: 84, style: "width:100%;height:84px;display:block" });
  const draw = () => {
    if (!canvas.isConnected) return;
    const w = (canvas.width = canvas.clientWidth * devicePixelRatio);
    const hh = (canvas.height = 84 * devicePixelRatio);
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, hh);
    const lane = (hh - 10 * devicePixelRatio) / 2;
    [audio.a?.waveform, audio.b?.waveform].forEach((wave, i) => {
      const mid = i * lane + lane / 2;
      ctx.fillStyle = "#1b2029";
      ctx.fillRect(0, i * lane + 1, w, lane - 2);
      if (!wave) return;
      ctx.fillStyle = i ? "#7fb0ff" : "#9aa7b8";
      wave.peaks.forEach((p, k) => {
        const x = ((k / wave.rate) / span) * w;
        const half = Math.max(0.5, p * (lane / 2 - 2));
        ctx.fillRect(x, mid - half, Math.max(1, w / span / wave.rate), 2 * half);
      });
    });
    for (const piece of audio.segments || []) {
      ctx.fillStyle = SOUND_COLORS[piece.kind] || "#666";
      const x0 = (piece.b[0] / span) * w, x1 = (piece.b[1] / span) * w;
      ctx.fillRect(x0, 2 * lane + 2 * devicePixelRatio, Math.max(1, x1 - x0 - 1), 6 * devicePixelRatio);
    }
  };
  requestAnimationFrame(draw);
  const legend = h("div", { class: "legend muted" }, h("span", {}, "Sound: A above, B below; B's sound:"),
    Object.entries(SOUND_COLORS).filter(([k]) => (audio.segments || []).some((p) => p.kind === k))
      .map(([k, c]) => h("span", {}, h("i", { style: `background:${c}` }), k)));
  return h("div", { class: "waveforms" }, canvas, legend);
}
