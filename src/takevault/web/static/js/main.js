// Entry point: pick the view from the URL; links inside the app switch views without a reload.
import { get } from "./api.js";
import { h, clear, toast } from "./dom.js";
import { renderGallery } from "./gallery.js";
import { renderCompare } from "./compare.js";
import * as selection from "./selection.js";

let info = null;

async function route() {
  const view = document.getElementById("view");
  const page = location.pathname.startsWith("/compare") ? "compare" : "gallery";
  for (const a of document.querySelectorAll(".mainnav a")) a.classList.toggle("active", a.dataset.nav === page);
  document.body.dataset.page = page;
  document.title = page === "compare" ? "Compare room · takevault" : "Gallery · takevault";
  try {
    info = info || (await get("/api/info"));
    document.getElementById("project-label").textContent = `${info.vault} · ${info.project}`;
    if (page === "compare") await renderCompare(view);
    else await renderGallery(view, info);
  } catch (err) {
    clear(view).append(h("div", { class: "empty error" }, h("h2", {}, "Cannot load"), h("p", {}, err.message)));
  }
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
