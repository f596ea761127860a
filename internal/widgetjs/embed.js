/* aftercare booking widget. A site adds it with one tag:
 *
 *   <script src="https://API/widget/KEY/embed.js" async></script>
 *
 * and, optionally, <div id="aftercare-booking"></div> where it should appear
 * (without one, the widget goes right after the script tag). This file is
 * the same for every key: it reads the API address and its key from its own
 * URL. The UI lives in an open Shadow DOM, so the host page's CSS cannot
 * break it. Times are shown in the store's own time zone.
 */
(() => {
  "use strict";

  const CONTAINER = "aftercare-booking";
  const DAYS = 14; // how far ahead a customer may pick a day

  const script = document.currentScript;
  const src = script && script.src ? new URL(script.src) : null;
  const path = src && /^(.*)\/widget\/([^/]+)\/embed\.js$/.exec(src.pathname);
  if (!path) {
    console.error("aftercare: load embed.js with <script src=\".../widget/KEY/embed.js\">");
    return;
  }
  const endpoint = src.origin + path[1] + "/widget/" + path[2] + "/graphql";

  const ME = `{ me { dealership { id name timeZone openingHours { weekday opens closes } } } }`;
  const SERVICE_TYPES = `query($s: ID!) { serviceTypes(dealershipID: $s) { code name durationMinutes } }`;
  const SLOTS = `query($s: ID!, $t: AppointmentServiceType!, $from: Time!, $to: Time!) {
    availableSlots(dealershipID: $s, serviceType: $t, from: $from, to: $to) {
      slots { startsAt endsAt available remaining } suggestions { startsAt } } }`;
  const BOOK = `mutation($in: WidgetBookingInput!) { requestBooking(input: $in) { reference status startsAt } }`;

  const CSS = `
    :host { all: initial; display: block; color: #1d2433;
      font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", sans-serif; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .w { max-width: 34rem; padding: 1rem 1.25rem; border: 1px solid #d6dae3; border-radius: 12px; background: #fff; }
    h2 { font-size: 1.2rem; margin: 0; }
    h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
    p { margin: 0; }
    .store { margin: .1rem 0 1rem; color: #4a5366; }
    .field, fieldset { margin: 0 0 .9rem; }
    fieldset { border: 0; padding: 0; min-width: 0; }
    label, legend { display: block; font-weight: 600; margin: 0 0 .25rem; padding: 0; }
    input:not([type=checkbox]), select { width: 100%; font: inherit; color: inherit; background: #fff;
      padding: .5rem .6rem; border: 1px solid #b9c0cd; border-radius: 8px; }
    [aria-invalid=true] { border-color: #b3261e !important; }
    .slots { display: grid; grid-template-columns: repeat(auto-fill, minmax(5.5rem, 1fr)); gap: .4rem; }
    .slot { font: inherit; color: inherit; padding: .45rem .3rem; border: 1px solid #b9c0cd; border-radius: 8px;
      background: #fff; cursor: pointer; }
    .slot.suggested { border-color: #2f6fde; border-width: 2px; }
    .slot[aria-pressed=true] { background: #2f6fde; border-color: #2f6fde; color: #fff; }
    .slot:disabled { color: #9aa1ad; background: #f2f3f6; border-color: #e1e4ea; text-decoration: line-through; cursor: not-allowed; }
    .check { display: flex; gap: .5rem; align-items: flex-start; margin: 0 0 .5rem; }
    .check input { margin: .25rem 0 0; }
    .check label { font-weight: 400; margin: 0; }
    .hint { color: #4a5366; font-size: .9em; margin-top: .25rem; }
    .err { color: #b3261e; font-size: .9em; margin-top: .25rem; }
    .err:empty, .hint:empty { display: none; }
    .primary { font: inherit; font-weight: 600; color: #fff; background: #2f6fde; border: 0; border-radius: 8px;
      padding: .6rem 1.4rem; margin-top: .5rem; cursor: pointer; }
    .primary:disabled { opacity: .6; cursor: progress; }
    .alert { color: #b3261e; }
    .alert button { margin-top: .5rem; font: inherit; }
    .ref { font-size: 1.3rem; font-weight: 700; letter-spacing: .05em; }
    :focus-visible { outline: 3px solid #8bb4ff; outline-offset: 1px; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  // Static markup only: every value from the API is set with textContent.
  const HTML = `
    <section class="w" data-state="loading" aria-labelledby="title">
      <h2 id="title">Book a service visit</h2>
      <p class="store" id="store"></p>
      <p id="status" role="status">Loading\u2026</p>
      <div id="alert" class="alert" role="alert" hidden><p id="alert-text"></p>
        <button type="button" id="retry">Try again</button></div>
      <form id="form" novalidate hidden>
        <div class="field"><label for="serviceType">Service</label>
          <select id="serviceType" aria-describedby="serviceType-err">
            <option value="">Choose a service\u2026</option></select>
          <p class="err" id="serviceType-err"></p></div>
        <div class="field"><label for="date">Day</label>
          <input type="date" id="date" aria-describedby="date-hint date-err">
          <p class="hint" id="date-hint"></p><p class="err" id="date-err"></p></div>
        <fieldset aria-describedby="slots-msg startsAt-err"><legend>Time</legend>
          <div class="slots" id="startsAt"></div>
          <p class="hint" id="slots-msg" aria-live="polite"></p><p class="err" id="startsAt-err" aria-live="assertive"></p>
        </fieldset>
        <div class="field"><label for="name">Name</label>
          <input id="name" autocomplete="name" maxlength="200" aria-describedby="name-err">
          <p class="err" id="name-err"></p></div>
        <div class="field"><label for="phone">Mobile phone</label>
          <input id="phone" type="tel" autocomplete="tel" maxlength="32" aria-describedby="phone-err">
          <p class="err" id="phone-err"></p></div>
        <div class="field"><label for="plate">Number plate</label>
          <input id="plate" autocomplete="off" maxlength="20" aria-describedby="plate-err">
          <p class="err" id="plate-err"></p></div>
        <div class="check"><input type="checkbox" id="consentService" aria-describedby="consentService-err">
          <label for="consentService">The store may contact me about this booking (required)</label></div>
        <p class="err" id="consentService-err"></p>
        <div class="check"><input type="checkbox" id="consentMarketing">
          <label for="consentMarketing">Send me service reminders and offers (optional)</label></div>
        <button type="submit" class="primary" id="book">Book</button>
        <p class="err" id="form-err" role="alert"></p>
      </form>
      <div id="done" hidden tabindex="-1">
        <h3>Booking requested</h3>
        <p>Your reference: <span class="ref" id="reference"></span></p>
        <p class="hint" id="done-when"></p>
      </div>
    </section>`;

  // ---- API ----------------------------------------------------------------

  class ApiError extends Error {
    constructor(code, message, field, retryable) {
      super(message);
      this.code = code;
      this.field = field;
      this.retryable = retryable; // the server may not have acted: retry with the same idempotency key
    }
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // gql posts one operation, retrying network failures, 5xx and 429 (after
  // Retry-After, capped). A retried booking carries the same idempotency
  // key, so the server books at most once.
  async function gql(query, variables, attempts = 3) {
    for (let i = 1; ; i++) {
      let err;
      try {
        const res = await fetch(endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ query, variables }),
          credentials: "omit",
          signal: AbortSignal.timeout ? AbortSignal.timeout(15000) : undefined,
        });
        const body = await res.json().catch(() => null);
        const e = body && body.errors && body.errors[0];
        if (e) {
          const x = e.extensions || {};
          const code = x.code || "ERROR";
          const retryable = res.status >= 500 || ["RATE_LIMITED", "UNAVAILABLE", "INTERNAL"].includes(code);
          err = new ApiError(code, e.message, x.field, retryable);
          err.wait = 1000 * (Number(res.headers.get("Retry-After")) || x.retryAfter || 0);
        } else if (!res.ok || !body || !body.data) {
          err = new ApiError("HTTP", "The booking service answered " + res.status + ".", null, true);
        } else {
          return body.data;
        }
      } catch (e) {
        // fetch rejects when offline, on a timeout, or when the browser
        // blocks the call (this site is not allowed for the key).
        err = new ApiError("NETWORK", "We could not reach the booking service.", null, true);
      }
      if (!err.retryable || i >= attempts) throw err;
      await sleep(Math.min(err.wait || 400 * 3 ** (i - 1), 5000));
    }
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- Days in the store's time zone (a day is "YYYY-MM-DD") --------------

  function dayIn(tz, date) {
    const p = {};
    for (const x of new Intl.DateTimeFormat("en-US", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(date)) p[x.type] = x.value;
    return `${p.year}-${p.month}-${p.day}`;
  }
  const utcDay = (day) => { const [y, m, d] = day.split("-").map(Number); return Date.UTC(y, m - 1, d); };
  const addDays = (day, n) => new Date(utcDay(day) + n * 86400000).toISOString().slice(0, 10);
  const weekday = (day) => new Date(utcDay(day)).getUTCDay(); // 0 is Sunday, as in openingHours

  // ---- The widget ------------------------------------------------------------

  function mount(host) {
    const root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && CSSStyleSheet.prototype.replaceSync) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS); // not an inline <style>, so strict host CSPs still allow it
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(document.createElement("style")).textContent = CSS;
    }
    const box = document.createElement("div");
    box.innerHTML = HTML;
    root.append(...box.childNodes);
    const $ = (id) => root.getElementById(id);
    const form = $("form");

    let store = null;       // me.dealership
    let tz = "UTC";
    let today = "";
    let picked = null;      // startsAt of the chosen slot (RFC 3339)
    let attemptKey = null;  // idempotency key of the booking attempt in flight or to retry
    let slotsSeq = 0;       // ignores slot answers that a newer request overtook

    const setState = (s) => { root.querySelector(".w").dataset.state = s; };
    const fmt = (opts) => new Intl.DateTimeFormat(undefined, { timeZone: tz, ...opts });
    const timeFmt = () => fmt({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

    function fail(message) {
      setState("error");
      $("status").textContent = "";
      $("alert-text").textContent = message;
      $("alert").hidden = false;
      form.hidden = true;
    }

    async function start() {
      setState("loading");
      $("alert").hidden = true;
      $("status").textContent = "Loading\u2026";
      try {
        store = (await gql(ME, {})).me.dealership;
        tz = store.timeZone;
        try { new Intl.DateTimeFormat("en", { timeZone: tz }); } catch { tz = "UTC"; }
        const types = (await gql(SERVICE_TYPES, { s: store.id })).serviceTypes;
        const select = $("serviceType");
        select.length = 1;
        for (const t of types) select.add(new Option(`${t.name} (${t.durationMinutes} min)`, t.code));
      } catch (e) {
        fail(e.code === "NETWORK"
          ? "Online booking is not available on this page right now. Please call the store or try again later."
          : "Online booking is not available right now: " + e.message);
        return;
      }
      $("store").textContent = store.name;
      today = dayIn(tz, new Date());
      const date = $("date");
      date.min = today;
      date.max = addDays(today, DAYS - 1);
      let first = today;
      for (let i = 0; i < DAYS && !isOpen(addDays(today, i)); i++) first = addDays(today, i + 1);
      date.value = first <= date.max ? first : today;
      describeDay();
      $("status").textContent = "";
      form.hidden = false;
      setState("ready");
    }

    function hoursOf(day) {
      return (store.openingHours || []).filter((h) => h.weekday === weekday(day));
    }
    const isOpen = (day) => !store.openingHours || hoursOf(day).length > 0;

    function describeDay() {
      const day = $("date").value;
      const hours = hoursOf(day).map((h) => `${h.opens}\u2013${h.closes}`).join(", ");
      $("date-hint").textContent = day && hours ? `Open ${hours}. Times are the store's local time (${tz}).` : "";
    }

    async function loadSlots() {
      const seq = ++slotsSeq;
      const list = $("startsAt");
      const msg = $("slots-msg");
      const type = $("serviceType").value;
      const day = $("date").value;
      picked = null;
      list.replaceChildren();
      showError("date", "");
      describeDay();
      if (!type) { msg.textContent = "Choose a service to see free times."; return; }
      if (!day || day < $("date").min || day > $("date").max) {
        msg.textContent = "";
        showError("date", `Pick a day within the next ${DAYS} days.`);
        return;
      }
      if (!isOpen(day)) { msg.textContent = "The store is closed on this day."; return; }
      msg.textContent = "Loading free times\u2026";
      // Ask for a window wider than any UTC offset, keep the slots on this day.
      const from = new Date(utcDay(day) - 15 * 3600000).toISOString();
      const to = new Date(utcDay(day) + 39 * 3600000).toISOString();
      let data;
      try {
        data = (await gql(SLOTS, { s: store.id, t: type, from, to })).availableSlots;
      } catch (e) {
        if (seq === slotsSeq) msg.textContent = e.code === "NETWORK" ? "Could not load free times. Please try again." : e.message;
        return;
      }
      if (seq !== slotsSeq) return;
      const suggested = new Set(data.suggestions.map((s) => Date.parse(s.startsAt)));
      const slots = data.slots.filter((s) => dayIn(tz, new Date(s.startsAt)) === day);
      const times = timeFmt();
      for (const s of slots) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "slot";
        b.dataset.startsAt = s.startsAt;
        const time = times.format(new Date(s.startsAt));
        b.textContent = time;
        b.disabled = !s.available;
        b.setAttribute("aria-pressed", "false");
        if (s.available && suggested.has(Date.parse(s.startsAt))) {
          b.classList.add("suggested");
          b.append(" \u2605");
          b.setAttribute("aria-label", `${time}, suggested`);
          b.title = "Suggested: a quieter time";
        }
        list.append(b);
      }
      const free = slots.filter((s) => s.available).length;
      msg.textContent = free === 0 ? "No free times on this day. Please try another day."
        : suggested.size ? "\u2605 marks quieter times we suggest." : "";
    }

    function pick(button) {
      for (const b of $("startsAt").querySelectorAll(".slot")) b.setAttribute("aria-pressed", String(b === button));
      picked = button.dataset.startsAt;
      showError("startsAt", "");
    }

    const FIELDS = ["serviceType", "date", "startsAt", "name", "phone", "plate", "consentService"];
    function showError(field, message) {
      if (field === "vin") field = "plate";
      const el = FIELDS.includes(field) && $(field + "-err");
      if (!el) { $("form-err").textContent = message; return false; }
      el.textContent = message;
      const input = $(field);
      if (input && input.tagName !== "DIV") input.setAttribute("aria-invalid", String(Boolean(message)));
      return true;
    }
    function clearErrors() {
      for (const f of FIELDS) showError(f, "");
      $("form-err").textContent = "";
    }

    async function book(ev) {
      ev.preventDefault();
      if ($("book").disabled) return;
      clearErrors();
      const input = {
        name: $("name").value.trim(),
        phone: $("phone").value.trim(),
        plate: $("plate").value.trim(),
        serviceType: $("serviceType").value,
        startsAt: picked,
        consentService: $("consentService").checked,
        consentMarketing: $("consentMarketing").checked,
      };
      const missing = [
        [!input.serviceType, "serviceType", "Please choose a service."],
        [!input.startsAt, "startsAt", "Please pick a time."],
        [!input.name, "name", "Please enter your name."],
        [!input.phone, "phone", "Please enter your mobile number."],
        [!input.plate, "plate", "Please enter your number plate."],
        [!input.consentService, "consentService", "Please agree so that the store can contact you about this booking."],
      ].filter(([bad]) => bad);
      if (missing.length) {
        for (const [, field, message] of missing) showError(field, message);
        focusField(missing[0][1]);
        return;
      }
      // One key per attempt, kept until the server has surely answered, so a
      // retry after a lost response cannot book twice.
      attemptKey = attemptKey || uuid();
      $("book").disabled = true;
      $("book").textContent = "Booking\u2026";
      try {
        const receipt = (await gql(BOOK, { in: { ...input, idempotencyKey: attemptKey } })).requestBooking;
        attemptKey = null;
        done(receipt);
      } catch (e) {
        if (!e.retryable) attemptKey = null;
        if (e.code === "SLOT_FULL") {
          await loadSlots();
          showError("startsAt", "Sorry, that time was just taken. Please pick another.");
          focusField("startsAt");
        } else if (e.code === "BAD_USER_INPUT" && e.field && showError(e.field, e.message)) {
          focusField(e.field);
        } else if (e.code === "NETWORK" || e.code === "HTTP") {
          $("form-err").textContent = "We could not reach the booking service. Please check your connection and press Book again.";
        } else if (e.code === "RATE_LIMITED") {
          $("form-err").textContent = "Too many requests just now. Please wait a moment and press Book again.";
        } else {
          $("form-err").textContent = e.message || "Something went wrong. Please try again.";
        }
      } finally {
        $("book").disabled = false;
        $("book").textContent = "Book";
      }
    }

    function focusField(field) {
      const el = field === "startsAt" ? $("startsAt").querySelector(".slot:not(:disabled)") : $(field === "vin" ? "plate" : field);
      if (el) el.focus();
    }

    function done(receipt) {
      form.hidden = true;
      $("reference").textContent = receipt.reference;
      $("done-when").textContent = fmt({ weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
        .format(new Date(receipt.startsAt)) + " (store time). The store will confirm your visit.";
      $("done").hidden = false;
      setState("booked");
      $("done").focus();
    }

    $("serviceType").addEventListener("change", loadSlots);
    $("date").addEventListener("change", loadSlots);
    $("startsAt").addEventListener("click", (ev) => {
      const b = ev.target.closest(".slot");
      if (b && !b.disabled) pick(b);
    });
    form.addEventListener("submit", book);
    $("retry").addEventListener("click", start);
    start();
  }

  // ---- Placement ----------------------------------------------------------------

  function place() {
    let host = document.getElementById(CONTAINER);
    if (!host) {
      host = document.createElement("div");
      host.id = CONTAINER;
      if (script.isConnected && document.body && document.body.contains(script)) script.after(host);
      else document.body.append(host);
    }
    if (host.shadowRoot) return; // the script was included twice
    mount(host);
  }
  // An async script may run before the parser reaches the container.
  if (document.getElementById(CONTAINER) || document.readyState !== "loading") place();
  else document.addEventListener("DOMContentLoaded", place, { once: true });
})();
