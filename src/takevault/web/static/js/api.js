// The JSON API, with the access token when the server wants one.
// The token lives in sessionStorage (this tab, this session); it is also traded once
// for an HttpOnly cookie so <video> and <img> elements can load media.
import { h } from "./dom.js";
import { askSignIn, csrfHeaders } from "./signin.js";

const TOKEN_KEY = "takevault.token";
let asking = null;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export function project() {
  return new URLSearchParams(location.search).get("project") || "";
}

export function withProject(url) {
  const p = project();
  if (!p) return url;
  return url + (url.includes("?") ? "&" : "?") + "project=" + encodeURIComponent(p);
}

function authHeaders(method = "GET") {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...csrfHeaders(method) };
}

// A 401 either asks for the server token or, on a server with users, for a sign-in.
function askAgain(data) {
  return data && data.sign_in ? askSignIn(data.error) : askToken(data && data.error);
}

export async function api(method, url, body) {
  const headers = authHeaders(method);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(withProject(url), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (err) {
    throw new ApiError("The takevault server does not answer; check that 'takevault serve' is running.", 0);
  }
  if (res.status === 401) {
    const data = await res.json().catch(() => ({}));
    await askAgain(data);
    return api(method, url, body);
  }
  const isJson = (res.headers.get("content-type") || "").includes("json");
  const data = isJson ? await res.json() : null;
  if (!res.ok) throw new ApiError((data && data.error) || `The server answered ${res.status}.`, res.status);
  return data;
}

export const get = (url) => api("GET", url);
export const post = (url, body) => api("POST", url, body === undefined ? {} : body);
export const patch = (url, body) => api("PATCH", url, body);
export const del = (url) => api("DELETE", url);

// Upload a File as the raw request body, reporting progress (0..1).
export function upload(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", withProject(url));
    for (const [k, v] of Object.entries(authHeaders("POST"))) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onload = async () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status === 401) {
        try {
          await askAgain(data);
          resolve(await upload(url, file, onProgress));
        } catch (err) { reject(err); }
        return;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError((data && data.error) || `The server answered ${xhr.status}.`, xhr.status));
    };
    xhr.onerror = () => reject(new ApiError(
      "The upload was cut off; the file may be larger than the server accepts, or the server stopped.", 0));
    xhr.send(file);
  });
}

// Ask for the access token once; every waiting call resumes when it is accepted.
export function askToken(reason) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const dialog = document.getElementById("dialog");
    const input = h("input", { type: "password", id: "token-input", autocomplete: "current-password",
      placeholder: "Access token", required: true });
    const message = h("p", { class: "dialog-error", id: "token-error" });
    const form = h("form", { method: "dialog", class: "dialog-body" },
      h("h2", {}, "Access token"),
      h("p", { class: "muted" }, reason || "This server needs an access token."),
      h("p", { class: "muted" }, "Ask whoever started 'takevault serve'. It is kept for this browser tab only."),
      input, message,
      h("div", { class: "dialog-actions" }, h("button", { type: "submit", class: "primary" }, "Continue")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await fetch("/api/session", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: input.value }), credentials: "same-origin",
      });
      if (!res.ok) {
        const data = await res.json().catch(() => ({}));
        message.textContent = data.error || "That token was not accepted.";
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, input.value);
      dialog.close();
      asking = null;
      resolve();
    });
    dialog.replaceChildren(form);
    dialog.addEventListener("cancel", (e) => e.preventDefault(), { once: true });
    dialog.showModal();
    input.focus();
  });
  return asking;
}

export function mediaUrl(takeId, version, what) {
  return withProject(`/api/media/${encodeURIComponent(takeId)}/${version}/${what}`);
}

// Follow a job (long work done by the server's workers) until it finishes; onProgress gets 0..1.
// Resolves with the finished job when done; rejects with the job's own sentence otherwise.
export async function waitForJob(jobId, onProgress, isCurrent = () => true) {
  let delay = 200;
  for (;;) {
    const job = await get(`/api/jobs/${jobId}`);
    if (!isCurrent()) return job;
    if (onProgress) onProgress(job.progress || 0, job);
    if (job.state === "done") return job;
    if (job.state === "failed" || job.state === "cancelled") {
      throw new ApiError(job.error || `The job ${job.state === "failed" ? "failed" : "was cancelled"}.`, 0);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(500, delay * 1.5);
  }
}
