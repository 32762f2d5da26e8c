/* The door page: camera, search, the full-screen answer, the offline queue.
 *
 * Online, every scan is put to the server, whose answer is the door's.
 * When the server cannot be reached, the device judges the scan itself
 * (door-check.js), and a scan it lets in is queued with its nonce and time
 * and sent as soon as the network returns; the server records it as made
 * offline and answers each nonce once, however often it arrives.
 */
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("door-config").textContent);
  const text = config.text;
  const store = idbKeyval;
  const keys = {
    manifest: "manifest:" + config.event,
    queue: "queue",
    entries: (where) => "entries:" + config.event + ":" + (where ?? "venue"),
  };
  const SERVER_TIMEOUT_MS = 4000;
  const SYNC_EVERY_MS = 15000;
  const REFRESH_EVERY_MS = 5 * 60 * 1000;
  const SAME_CODE_PAUSE_MS = 3000;
  const GREEN_SHOWN_MS = 3000;
  const $ = (id) => document.getElementById(id);

  let index = null;
  let entries = {};
  let lastCode = { value: null, at: 0 };
  let resultTimer = null;
  let audio = null;
  let syncing = false;
  // Once the list is removed, it is not downloaded again until the page reloads.
  let forgotten = false;

  const settings = {
    get door() {
      return localStorage.getItem("door-name") || "";
    },
    get where() {
      const value = localStorage.getItem("door-where:" + config.event) || "";
      return value ? Number(value) : null;
    },
    get device() {
      let device = localStorage.getItem("door-device");
      if (!device) {
        device = crypto.randomUUID();
        localStorage.setItem("door-device", device);
      }
      return device;
    },
  };

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  }

  function clock(iso) {
    return new Intl.DateTimeFormat(document.documentElement.lang, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: config.time_zone,
    }).format(new Date(iso));
  }

  function reason(answer) {
    if (answer.check === "already_in" && answer.entered) {
      return format(text.already_in, {
        time: clock(answer.entered.at),
        door: answer.entered.door,
      });
    }
    return answer.reason || config.reasons[answer.check] || config.reasons.unknown;
  }

  /* The beep and the buzz: one short high tone to let in, two low to stop. */
  function signal(admitted) {
    if (navigator.vibrate) navigator.vibrate(admitted ? 120 : [250, 120, 250]);
    if (!audio) return;
    const tones = admitted ? [[880, 0, 0.15]] : [[220, 0, 0.2], [220, 0.3, 0.2]];
    for (const [frequency, start, length] of tones) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.3;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + start);
      oscillator.stop(audio.currentTime + start + length);
    }
  }

  function unlockAudio() {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (audio && audio.state === "suspended") audio.resume();
  }

  function setText(id, value) {
    $(id).textContent = value || "";
  }

  function showResult(answer, note) {
    const delegate =
      answer.delegate || (index && index.byId.get(answer.registration)) || answer.person;
    const box = $("result");
    box.classList.toggle("door-result-green", answer.admitted);
    box.classList.toggle("door-result-red", !answer.admitted);
    setText("result-verdict", answer.admitted ? text.admit : text.refuse);
    const photo = $("result-photo");
    photo.hidden = !(delegate && delegate.photo);
    if (delegate && delegate.photo) photo.src = delegate.photo;
    setText("result-name", delegate && delegate.name);
    setText("result-name-ja", delegate && delegate.name_ja);
    setText("result-organisation", delegate && delegate.organisation);
    const role = delegate
      ? [delegate.rank, delegate.role, delegate.delegation, delegate.category]
          .filter(Boolean)
          .join(" · ")
      : "";
    setText("result-role", role);
    setText("result-reason", answer.admitted ? "" : reason(answer));
    setText("result-note", note);
    const anyway = $("result-anyway");
    anyway.hidden = answer.check !== "already_in" || !answer.retry;
    anyway.onclick = () => {
      hideResult();
      const { nonce, scanned_at, ...again } = answer.retry;
      redeem({ ...again, forced: true }, delegate);
    };
    box.hidden = false;
    $("result-next").focus();
    signal(answer.admitted);
    clearTimeout(resultTimer);
    if (answer.admitted) resultTimer = setTimeout(hideResult, GREEN_SHOWN_MS);
  }

  function hideResult() {
    clearTimeout(resultTimer);
    lastCode.at = Date.now();
    $("result").hidden = true;
  }

  async function remember(registration, at) {
    if (entries[registration]) return;
    entries[registration] = { at, door: settings.door };
    await store.set(keys.entries(settings.where), entries);
  }

  async function showQueue() {
    const queue = (await store.get(keys.queue)) || [];
    setText("queue-state", queue.length ? format(text.queued, { count: queue.length }) : text.all_sent);
  }

  function showNetwork(online) {
    const state = $("network-state");
    state.textContent = online ? text.online : text.offline;
    state.className = "badge " + (online ? "text-bg-success" : "text-bg-danger");
  }

  async function post(scans) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), SERVER_TIMEOUT_MS);
    try {
      const response = await fetch(config.redeem, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf },
        body: JSON.stringify({ scans }),
        credentials: "same-origin",
        signal: controller.signal,
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.message || text.server_error);
      showNetwork(true);
      return body.answers;
    } finally {
      clearTimeout(timer);
    }
  }

  /* Put a scan to the server; if it cannot be reached, judge it here. */
  async function redeem(scan, delegate) {
    if (!settings.door) {
      openSettings(text.set_up_first);
      return;
    }
    const full = {
      nonce: crypto.randomUUID(),
      door: settings.door,
      device: settings.device,
      scanned_at: new Date().toISOString(),
      session: settings.where,
      ...scan,
    };
    if (navigator.onLine) {
      try {
        const [answer] = await post([full]);
        if (answer.admitted) await remember(answer.registration, full.scanned_at);
        showResult({ ...answer, retry: full, delegate });
        return;
      } catch (error) {
        console.warn("Door: judged on the device", error);
      }
    }
    showNetwork(false);
    if (full.short_code) {
      showResult({ admitted: false, check: "unknown", reason: text.code_offline });
      return;
    }
    const answer = full.badge_hash
      ? DoorCheck.judgeHash(index, full.badge_hash, entries, settings.where)
      : DoorCheck.judgeDelegate(delegate, entries, settings.where);
    answer.retry = full;
    if (full.forced && answer.check === "already_in") answer.admitted = true;
    if (answer.admitted) {
      await store.update(keys.queue, (queue) => [...(queue || []), { ...full, offline: true }]);
      await remember(answer.delegate.id, full.scanned_at);
      showQueue();
    }
    showResult(answer, answer.admitted ? text.checked_here : "");
  }

  /* Send the queued scans; each one answered leaves the queue. */
  async function sync() {
    if (syncing || !navigator.onLine) return;
    const queue = (await store.get(keys.queue)) || [];
    if (!queue.length) return;
    syncing = true;
    try {
      const answers = await post(queue.slice(0, 200));
      const answered = new Set(answers.map((answer) => answer.nonce));
      await store.update(keys.queue, (current) =>
        (current || []).filter((scan) => !answered.has(scan.nonce)),
      );
    } catch (error) {
      showNetwork(navigator.onLine && error.name !== "AbortError" && error.name !== "TypeError");
      setText("queue-state", error.message);
    } finally {
      syncing = false;
      showQueue();
    }
  }

  function showData(manifest) {
    setText(
      "data-state",
      manifest
        ? format(text.data, { count: manifest.delegates.length, time: clock(manifest.generated_at) })
        : text.no_data,
    );
  }

  async function refresh() {
    if (forgotten) return;
    try {
      const response = await fetch(config.data, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.status);
      const manifest = await response.json();
      await store.set(keys.manifest, manifest);
      index = DoorCheck.indexed(manifest);
      showNetwork(true);
    } catch (error) {
      console.warn("Door: kept the list on the device", error);
    }
    showData(index && index.manifest);
  }

  /* The camera: a frame every tenth of a second, read by jsQR. */
  async function startCamera() {
    unlockAudio();
    const video = $("camera");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setText("camera-state", text.camera_missing);
      return;
    }
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      setText("camera-state", format(text.camera_failed, { error: error.name }));
      return;
    }
    await video.play();
    $("camera-start").hidden = true;
    setText("camera-state", text.camera_on);
    if (navigator.wakeLock) navigator.wakeLock.request("screen").catch(() => {});
    const canvas = $("frame");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    setInterval(async () => {
      if (!$("result").hidden || !index || video.readyState < 2) return;
      const scale = Math.min(1, 800 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(image.data, image.width, image.height, {
        inversionAttempts: "dontInvert",
      });
      if (!code || !code.data) return;
      const now = Date.now();
      // A badge held in front of the camera is read once, however long it stays.
      const same = code.data === lastCode.value && now - lastCode.at < SAME_CODE_PAUSE_MS;
      lastCode = { value: code.data, at: now };
      if (same) return;
      redeem({ badge_hash: await DoorCheck.sha256Hex(code.data) });
    }, 100);
  }

  function showFound(found) {
    const list = $("search-results");
    list.replaceChildren();
    for (const delegate of found) {
      const item = document.createElement("li");
      item.className = "door-found";
      if (delegate.photo) {
        const photo = document.createElement("img");
        photo.src = delegate.photo;
        photo.alt = "";
        item.append(photo);
      }
      const who = document.createElement("div");
      const name = document.createElement("strong");
      name.textContent = delegate.name + (delegate.name_ja ? " (" + delegate.name_ja + ")" : "");
      who.append(name, document.createElement("br"), delegate.organisation);
      const admit = document.createElement("button");
      admit.type = "button";
      admit.className = "btn btn-success";
      admit.textContent = text.admit_button;
      admit.setAttribute("aria-label", text.admit_button + ": " + delegate.name);
      admit.addEventListener("click", () => redeem({ registration: delegate.id }, delegate));
      item.append(who, admit);
      list.append(item);
    }
  }

  function onSearch(event) {
    event.preventDefault();
    unlockAudio();
    const typed = $("search-text").value.trim();
    if (DoorCheck.folded(typed).length < 2) {
      setText("search-state", text.too_short);
      showFound([]);
      return;
    }
    const found = index ? DoorCheck.search(index, typed, 20) : [];
    const code = DoorCheck.asShortCode(typed);
    if (code && !found.length) {
      setText("search-state", "");
      showFound([]);
      redeem({ short_code: code });
      return;
    }
    setText("search-state", found.length ? format(text.found, { count: found.length }) : text.none_found);
    showFound(found);
  }

  function showSettings() {
    setText("door-name", settings.door || text.not_set_up);
  }

  function openSettings(message) {
    $("settings").hidden = false;
    $("settings-open").setAttribute("aria-expanded", "true");
    $("setting-door").value = settings.door;
    $("setting-where").value = settings.where ?? "";
    $("setting-door").focus();
    // Say why only when a scan was refused for want of a name, not on opening.
    if (message) {
      $("setting-door").setCustomValidity(message);
      $("setting-door").reportValidity();
    }
  }

  async function saveSettings(event) {
    event.preventDefault();
    const name = $("setting-door").value.trim();
    $("setting-door").setCustomValidity("");
    if (!name) {
      $("setting-door").setCustomValidity(text.set_up_first);
      $("setting-door").reportValidity();
      return;
    }
    localStorage.setItem("door-name", name);
    localStorage.setItem("door-where:" + config.event, $("setting-where").value);
    entries = (await store.get(keys.entries(settings.where))) || {};
    $("settings").hidden = true;
    $("settings-open").setAttribute("aria-expanded", "false");
    showSettings();
  }

  /* Delete the list and the entries known here; unsent scans stay queued. */
  async function forget() {
    await store.del(keys.manifest);
    const names = await store.keys();
    await store.delMany(names.filter((name) => String(name).startsWith("entries:")));
    index = null;
    entries = {};
    forgotten = true;
    showData(null);
    $("settings").hidden = true;
    $("settings-open").setAttribute("aria-expanded", "false");
  }

  async function start() {
    showSettings();
    showNetwork(navigator.onLine);
    $("setting-door").addEventListener("input", () => $("setting-door").setCustomValidity(""));
    $("settings").addEventListener("submit", saveSettings);
    $("settings-open").addEventListener("click", () =>
      $("settings").hidden ? openSettings() : ($("settings").hidden = true),
    );
    $("forget").addEventListener("click", forget);
    $("camera-start").addEventListener("click", startCamera);
    $("search").addEventListener("submit", onSearch);
    $("result-next").addEventListener("click", hideResult);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hideResult();
    });
    window.addEventListener("online", () => {
      showNetwork(true);
      sync();
    });
    window.addEventListener("offline", () => showNetwork(false));
    const kept = await store.get(keys.manifest);
    if (kept) index = DoorCheck.indexed(kept);
    entries = (await store.get(keys.entries(settings.where))) || {};
    showData(kept);
    showQueue();
    if (!settings.door) openSettings();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.worker, { scope: config.scope }).catch((error) => {
        console.warn("Door: no offline copy of the page", error);
      });
    }
    await refresh();
    sync();
    setInterval(sync, SYNC_EVERY_MS);
    setInterval(refresh, REFRESH_EVERY_MS);
  }

  start();
})();
