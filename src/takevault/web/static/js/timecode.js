// SMPTE timecode in the page, counted exactly as takevault/timecode.py counts it: HH:MM:SS:FF, or
// HH:MM:SS;FF drop-frame at 29.97 and 59.94 fps (frame numbers 0 and 1, 0-3 at 59.94, are skipped at
// the start of every minute except each tenth).

function isDrop(fps) {
  return Math.abs(fps - 30000 / 1001) < 1e-3 || Math.abs(fps - 60000 / 1001) < 1e-3;
}

// Frame number -> SMPTE timecode.
export function timecode(frame, fps) {
  const base = Math.max(1, Math.round(fps));
  const drop = isDrop(fps);
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

// SMPTE timecode -> frame number (the inverse of timecode()); null when the text is not one.
export function parseTimecode(text, fps) {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})([:;.])(\d{2,3})$/.exec(String(text || "").trim());
  if (!m) return null;
  const [hh, mm, ss, sep, ff] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4], Number(m[5])];
  const base = Math.max(1, Math.round(fps));
  if (mm > 59 || ss > 59 || ff >= base) return null;
  const minutes = hh * 60 + mm;
  let frame = (minutes * 60 + ss) * base + ff;
  if (sep === ";" && isDrop(fps)) frame -= 2 * Math.floor(base / 30) * (minutes - Math.floor(minutes / 10));
  return frame;
}

// The source timecode of `frame` of a file whose first frame carries `start` (its timecode tag);
// null for a file without one.
export function sourceTimecode(start, frame, fps) {
  const first = parseTimecode(start, fps);
  return first === null ? null : timecode(first + Math.max(0, frame), fps);
}
