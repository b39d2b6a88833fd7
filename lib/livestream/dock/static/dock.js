// The status dock: renders the script's view (server-sent events, polling as a fallback)
// and posts the buttons. Plain DOM, no network beyond this page's own server, and
// textContent only: titles and messages come from a provider and are never HTML.
"use strict";

(function () {
  const ACTIVE = ["creating", "waiting_for_ingest", "ready", "starting", "live", "ending"];
  let view = null;
  let receivedAt = 0;
  let lastEventAt = 0;  // of the event stream
  let lastPollAt = 0;
  let pending = false;

  const el = (id) => document.getElementById(id);

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  function setText(id, text) {
    const node = el(id);
    node.textContent = text || "";
    return node;
  }

  // Append a <tag class=...> holding text (as text, never HTML) to parent.
  function child(parent, tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    parent.append(node);
    return node;
  }

  function setLink(id, url) {
    const node = el(id);
    const ok = typeof url === "string" && /^https?:\/\//i.test(url);
    node.hidden = !ok;
    if (ok) { node.href = url; node.title = url; } else { node.removeAttribute("href"); }
    return ok;
  }

  function renderElapsed() {
    if (!view) return;
    const node = el("elapsed");
    if (ACTIVE.indexOf(view.state) < 0 || view.state === "ready") { node.textContent = ""; return; }
    const seconds = (view.elapsed || 0) + (performance.now() - receivedAt) / 1000;
    node.textContent = view.state === "live" ? duration(seconds) : Math.floor(seconds) + " s";
  }

  // The provider's status and how long ago it was read ("Streaming, 3 s ago"), ticking locally.
  function renderProviderStatus() {
    if (!view) return;
    let text = view.provider_status || "-";
    if (view.provider_status && view.provider_status_age != null) {
      const age = Math.floor(view.provider_status_age + (performance.now() - receivedAt) / 1000);
      text += ", " + (age < 120 ? age + " s" : Math.floor(age / 60) + " min") + " ago";
    }
    setText("provider_status", text);
  }

  function render(v) {
    document.body.dataset.state = v.state;
    document.body.dataset.level = v.level || "info";
    setText("label", v.reconnecting && v.state === "live" ? "Live (reconnecting)" : v.label || v.state);
    setText("message", v.message && v.message !== v.label ? v.message : "");
    const notice = el("notice");
    notice.hidden = !v.notice;
    notice.className = "notice " + (v.notice ? v.notice.level : "");
    notice.textContent = v.notice ? v.notice.text : "";

    const can = v.can || {};
    el("go_live").disabled = pending || !can.go_live;
    el("go_live").textContent = v.state === "ready" ? "Start streaming" : "Go live";
    el("prepare").disabled = pending || !can.prepare;
    el("end").disabled = pending || !can.end;

    const hasStream = Boolean(v.provider || v.stream_id);
    el("stream").hidden = !hasStream;
    setText("provider", v.provider);
    setText("title", v.title);
    el("title_row").hidden = !v.title;
    setText("stream_id", v.stream_id || "-");
    setLink("playback_url", v.playback_url);
    setLink("chat_url", v.chat_url);
    setLink("recording_url", v.recording_url);

    const health = v.health;
    el("health").hidden = !health;
    if (health) {
      setText("bitrate", health.bitrate_kbps == null ? "measuring..." : health.bitrate_kbps + " kb/s");
      setText("dropped", health.dropped_frames + " of " + health.total_frames + " frames (" +
        health.dropped_percent + "%)");
      el("dropped").className = health.dropped_percent >= 1 ? "warn" : "";
      el("reconnecting").hidden = !health.reconnecting;
    }

    const history = v.history || [];
    el("history_card").hidden = history.length === 0;
    const list = el("history");
    list.replaceChildren(...history.map((step) => {
      const li = document.createElement("li");
      li.dataset.state = step.state;
      li.append(step.label);
      if (step.seconds != null) {
        const secs = document.createElement("span");
        secs.className = "secs";
        secs.textContent = " " + step.seconds.toFixed(1) + " s";
        li.append(secs);
      }
      return li;
    }));

    // Simulcast targets: name, status and why (never a key: the view has none).
    const targets = v.targets || [];
    el("targets_card").hidden = targets.length === 0;
    el("targets").replaceChildren(...targets.map((t) => {
      const li = document.createElement("li");
      li.dataset.status = t.status || "";
      li.append(t.name + " ");
      child(li, "span", "status " + (t.status || ""), t.status || "-");
      if (t.host) child(li, "span", "secs mono", " " + t.host);
      if (t.reason) child(li, "div", t.status === "failed" ? "error" : "secs", t.reason);
      return li;
    }));

    const open = v.open_streams;
    el("open_card").hidden = !(open && open.length);
    el("open_streams").replaceChildren(...(open || []).map((s) => {
      const li = document.createElement("li");
      li.append([s.provider, s.title || s.stream_id, s.state].filter(Boolean).join(" · "));
      if (s.title && s.stream_id) child(li, "span", "secs mono", " " + s.stream_id);
      if (s.last_error) child(li, "div", "error", s.last_error);
      return li;
    }));
    renderElapsed();
    renderProviderStatus();
  }

  function accept(v) {
    view = v;
    receivedAt = performance.now();
    document.body.dataset.connected = "yes";
    el("connection").textContent = "Connected to OBS";
    render(v);
  }

  function disconnected() {
    document.body.dataset.connected = "no";
    el("connection").textContent = "Not connected to OBS: is the obs-livestream script loaded?";
  }

  function listen() {
    if (!window.EventSource) return;
    const source = new EventSource("events");
    source.onmessage = (event) => {
      lastEventAt = performance.now();
      accept(JSON.parse(event.data));
    };
    source.onerror = disconnected;  // EventSource reconnects by itself
  }

  async function poll() {
    lastPollAt = performance.now();
    try {
      const answer = await fetch("state", { cache: "no-store" });
      if (!answer.ok) throw new Error(String(answer.status));
      accept(await answer.json());
    } catch (e) {
      disconnected();
    }
  }

  async function press(action) {
    pending = true;
    if (view) render(view);
    try {
      const answer = await fetch("action/" + action, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
      });
      if (!answer.ok) throw new Error(String(answer.status));
    } catch (e) {
      el("notice").hidden = false;
      el("notice").className = "notice error";
      el("notice").textContent = "OBS did not take the " + action.replace("_", " ") + " request (" + e.message + ")";
    } finally {
      pending = false;
      if (view) render(view);
    }
  }

  for (const action of ["go_live", "prepare", "end"]) {
    el(action).addEventListener("click", () => press(action));
  }
  listen();
  poll();
  // The clock ticks locally; if events stop arriving (they come at least once a second),
  // poll once a second until they are back.
  setInterval(() => {
    renderElapsed();
    renderProviderStatus();
    const now = performance.now();
    if (now - lastEventAt > 2500 && now - lastPollAt >= 1000) poll();
  }, 250);
})();
