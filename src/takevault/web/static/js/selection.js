// The takes picked for the compare room (this tab), shown as a count in the top bar.
const KEY = "takevault.compare";

export function picked() {
  try { return JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (_) { return []; }
}

function save(items) {
  sessionStorage.setItem(KEY, JSON.stringify(items));
  const count = document.getElementById("compare-count");
  if (count) { count.textContent = String(items.length); count.hidden = items.length === 0; }
  document.dispatchEvent(new CustomEvent("selection-changed"));
}

export const itemKey = (id, version) => `${id}@v${version}`;
export const isPicked = (id, version) => picked().some((i) => itemKey(i.id, i.version) === itemKey(id, version));

export function toggle(take, version = take.version) {
  const items = picked();
  const key = itemKey(take.id, version);
  const at = items.findIndex((i) => itemKey(i.id, i.version) === key);
  if (at >= 0) items.splice(at, 1);
  else items.push({ id: take.id, version, ref: take.ref });
  save(items);
  return at < 0;
}

export function setPicked(items) { save(items); }
export function refreshCount() { save(picked()); }

export function compareUrl(items = picked()) {
  const params = new URLSearchParams(location.search);
  const out = new URLSearchParams();
  if (params.get("project")) out.set("project", params.get("project"));
  out.set("items", items.map((i) => itemKey(i.id, i.version)).join(","));
  return `/compare?${out}`;
}
