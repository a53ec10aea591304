// Modal dialogs: confirm, replace. All text goes in through textContent.
import { h, fmtBytes, fmtDuration, VIDEO_ACCEPT } from "./dom.js";

const dialog = () => document.getElementById("dialog");

export function confirmDialog({ title, body, confirm = "OK", danger = false, testid }) {
  return new Promise((resolve) => {
    const d = dialog();
    const done = (answer) => { d.close(); resolve(answer); };
    const form = h("form", { method: "dialog", class: "dialog-body", "data-testid": testid || "confirm-dialog" },
      h("h2", {}, title),
      ...[].concat(body).map((line) => (line instanceof Node ? line : h("p", {}, line))),
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", onclick: () => done(false) }, "Cancel"),
        h("button", { type: "submit", class: danger ? "danger" : "primary", "data-testid": "confirm" }, confirm)));
    form.addEventListener("submit", (e) => { e.preventDefault(); done(true); });
    d.replaceChildren(form);
    d.addEventListener("cancel", () => resolve(false), { once: true });
    d.showModal();
  });
}

// Replace: shows what will be replaced, that the old version is kept, then uploads with progress.
export function replaceDialog(take, doUpload) {
  return new Promise((resolve) => {
    const d = dialog();
    const m = take.media || {};
    const nextVersion = (take.versions || take.version) + 1;
    const chosen = h("p", { class: "replace-new muted" }, "No file chosen yet.");
    const bar = h("progress", { max: 1, value: 0, hidden: true });
    const error = h("p", { class: "dialog-error" });
    const submit = h("button", { type: "submit", class: "primary", disabled: true, "data-testid": "replace-confirm" },
      "Replace");
    const input = h("input", { type: "file", accept: VIDEO_ACCEPT, "data-testid": "replace-file",
      "aria-label": "New video" });
    const pngInput = h("input", { type: "file", accept: ".png,image/png", "data-testid": "replace-png",
      "aria-label": "Its workflow PNG (optional)" });
    const describe = () => {
      const f = input.files[0];
      const png = pngInput.files[0];
      submit.disabled = !f;
      chosen.textContent = f
        ? `New: ${f.name} (${fmtBytes(f.size)}) becomes v${nextVersion}${png ? `, with ${png.name} as its workflow PNG` : ""}.`
        : "No file chosen yet.";
    };
    input.addEventListener("change", describe);
    pngInput.addEventListener("change", describe);
    const form = h("form", { method: "dialog", class: "dialog-body", "data-testid": "replace-dialog" },
      h("h2", {}, `Replace ${take.ref}`),
      h("p", {}, `Current: v${take.version}`,
        ` · ${[m.width && `${m.width}×${m.height}`, m.fps && `${m.fps} fps`, fmtDuration(m.duration),
          fmtBytes(take.size)].filter(Boolean).join(" · ")}`),
      h("p", { class: "note-ok" }, `v${take.version} is kept in the history; you can restore it at any time.`),
      h("label", { class: "field" }, h("span", {}, "Video"), input),
      h("label", { class: "field" }, h("span", {}, "Workflow PNG (optional, e.g. ComfyUI’s gen_00001.png)"), pngInput),
      chosen, bar, error,
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", onclick: () => { d.close(); resolve(null); } }, "Cancel"), submit));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = input.files[0];
      if (!f) return;
      submit.disabled = true;
      bar.hidden = false;
      error.textContent = "";
      try {
        const result = await doUpload(f, pngInput.files[0] || null, (p) => { bar.value = p; });
        d.close();
        resolve(result);
      } catch (err) {
        error.textContent = err.message;
        submit.disabled = false;
        bar.hidden = true;
      }
    });
    d.replaceChildren(form);
    d.addEventListener("cancel", () => resolve(null), { once: true });
    d.showModal();
  });
}

// A small form. `check(values)` returns a message to show, or null; `submit(values)` (async) does the work:
// when it fails, its message shows in the dialog, which stays open with what was typed.
export function promptDialog({ title, fields, confirm = "Save", check, submit }) {
  return new Promise((resolve) => {
    const d = dialog();
    const inputs = {};
    const error = h("p", { class: "dialog-error" });
    const rows = fields.map((f) => {
      const input = f.options
        ? h("select", { name: f.name }, ...f.options.map((o) => h("option", { value: o.value }, o.label)))
        : h("input", { name: f.name, type: f.type || "text", placeholder: f.placeholder || "", required: f.required,
          value: f.value });
      if (f.options && f.value !== undefined) input.value = f.value;
      inputs[f.name] = input;
      return h("label", { class: "field" }, h("span", {}, f.label), input);
    });
    const form = h("form", { method: "dialog", class: "dialog-body", "data-testid": "prompt-dialog" },
      h("h2", {}, title), ...rows, error,
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", onclick: () => { d.close(); resolve(null); } }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, confirm)));
    const ok = form.querySelector("button[type=submit]");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = {};
      for (const [k, el] of Object.entries(inputs)) values[k] = el.value.trim();
      error.textContent = check?.(values) || "";
      if (error.textContent) return;
      let result = values;
      if (submit) {
        ok.disabled = true;
        try { result = await submit(values); }
        catch (err) { error.textContent = err.message; return; }
        finally { ok.disabled = false; }
      }
      d.close();
      resolve(result);
    });
    d.replaceChildren(form);
    d.addEventListener("cancel", () => resolve(null), { once: true });
    d.showModal();
    Object.values(inputs)[0]?.focus();
  });
}
