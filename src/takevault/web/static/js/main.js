// Entry point: pick the view from the URL; links inside the app switch views without a reload.
import { get } from "./api.js";
import { h, clear, toast, setVideoAccept } from "./dom.js";
import { renderGallery } from "./gallery.js";
import { renderCompare } from "./compare.js";
import { promptDialog } from "./dialogs.js";
import { loadMe } from "./signin.js";
import { renderGuest } from "./guest.js";
import * as selection from "./selection.js";

let info = null;

async function route() {
  const view = document.getElementById("view");
  const page = location.pathname.startsWith("/compare") ? "compare" : "gallery";
  for (const a of document.querySelectorAll(".mainnav a")) a.classList.toggle("active", a.dataset.nav === page);
  document.body.dataset.page = page;
  document.title = page === "compare" ? "Compare room · takevault" : "Gallery · takevault";
  const guestLink = location.pathname.match(/^\/review\/([^/]+)$/);
  if (guestLink) { await renderGuest(view, decodeURIComponent(guestLink[1])); return; }
  try {
    if (!info) {
      const me = await loadMe().catch(() => null);
      info = await get("/api/info");
      setVideoAccept(info.video_accept);
      document.getElementById("project-label").textContent = info.vault;
      if (!me?.guest) projectPicker(info).catch((err) => toast(err.message, "error"));
    }
    if (page === "compare") await renderCompare(view);
    else await renderGallery(view, info);
  } catch (err) {
    clear(view).append(h("div", { class: "empty error" }, h("h2", {}, "Cannot load"), h("p", {}, err.message)));
  }
}

// The vault's projects; switching reloads the page on the other project (its own URL, its own picks).
const NEW_PROJECT = "\u0000new";

async function projectPicker(info) {
  const picker = document.getElementById("project-picker");
  const names = (await get("/api/projects")).map((p) => p.name);
  if (!names.includes(info.project)) names.push(info.project);
  clear(picker).append(...names.sort().map((n) => h("option", { value: n, selected: n === info.project }, n)),
    h("option", { value: NEW_PROJECT }, "New project…"));
  picker.addEventListener("change", async () => {
    let name = picker.value;
    if (name === NEW_PROJECT) {
      const v = await promptDialog({ title: "New project", confirm: "Open", fields: [
        { name: "name", label: "Name", placeholder: "trailer", required: true }],
      check: (values) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(values.name) ? null
        : "Use letters, digits, '.', '_' or '-' for the project name (up to 100), e.g. trailer.") });
      if (!v) { picker.value = info.project; return; }
      name = v.name;
    }
    if (name === info.project) return;
    selection.setPicked([]);
    location.assign(name === info.default_project ? "/" : `/?project=${encodeURIComponent(name)}`);
  });
}

function navigate(url) {
  history.pushState(null, "", url);
  document.getElementById("panel").hidden = true;
  route();
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-nav]");
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  const project = new URLSearchParams(location.search).get("project");
  if (a.dataset.nav === "compare") navigate(selection.compareUrl());
  else navigate(project ? `/?project=${encodeURIComponent(project)}` : "/");
});

// A file dropped outside a drop zone must not replace the page with the video.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => {
  e.preventDefault();
  if (e.dataTransfer?.files?.length && document.body.dataset.page !== "gallery") {
    toast("Drop files on the gallery to add takes.", "error");
  }
});
document.getElementById("uploads-close").addEventListener("click", () => {
  document.getElementById("uploads").hidden = true;
  clear(document.getElementById("upload-list"));
});
window.addEventListener("popstate", route);
selection.refreshCount();
route();
