/* Shows how far a form's files have been sent: any <form data-upload-progress> whose submit carries
   chosen files is posted with XMLHttpRequest (the same multipart body, the same URL), and a live
   region lists each file with a bar, the megabytes sent and the time left. Its words come from
   the page (templates/enquiries/includes/upload_progress.html), in the page's language.

   Without files, without this script or without the page's words the form posts as it always
   did: the server never knows the difference, and answers with the same page or redirect. */
"use strict";

(() => {
  const FORMS = "form[data-upload-progress]";
  const WORDS = "upload-progress-text";
  const MEGABYTE = 1024 * 1024;
  // The rate is read over the last seconds only: a phone's connection changes as it moves.
  const RATE_WINDOW_MS = 15000;
  // A time left guessed from the first second or two is wild; none is shown before this.
  const ESTIMATE_AFTER_MS = 3000;
  // The sentence of megabytes and time is text in a live region, which a screen reader reads at
  // each change: it changes at most this often (the bars themselves move with every event).
  const STATUS_EVERY_MS = 5000;

  const attached = new WeakSet();
  const sending = new WeakSet();
  let regions = 0;

  function words() {
    const source = document.getElementById(WORDS);
    return source ? source.dataset : null;
  }

  function fill(message, values) {
    return message.replace(/%\((\w+)\)s/g, (whole, name) =>
      name in values ? values[name] : whole,
    );
  }

  function language() {
    return document.documentElement.lang || undefined;
  }

  function megabytes(bytes, text) {
    // A small file is "0.01 MB" rather than "0 MB", which would read as empty.
    const value = bytes > 0 ? Math.max(bytes / MEGABYTE, 0.01) : 0;
    const number = new Intl.NumberFormat(language(), {
      maximumFractionDigits: value < 1 ? 2 : 1,
    });
    return fill(text.megabytes, { size: number.format(value) });
  }

  function minutes(count) {
    // The browser knows each language's plural forms (1 минута, 3 минуты, 11 минут).
    return new Intl.NumberFormat(language(), {
      style: "unit",
      unit: "minute",
      unitDisplay: "long",
    }).format(count);
  }

  function submitButtons(form) {
    return Array.from(form.elements).filter((element) => element.type === "submit");
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // The live region exists, empty, from the start: a region added with its text already inside
  // is not read out by every screen reader.
  function regionOf(form) {
    let region = form.querySelector(".upload-progress");
    if (!region) {
      region = element("div", "upload-progress");
      region.setAttribute("aria-live", "polite");
      const buttons = submitButtons(form);
      const last = buttons[buttons.length - 1];
      if (last && form.contains(last)) last.after(region);
      else form.append(region);
    }
    return region;
  }

  // Marked unavailable rather than `disabled`: a disabled button loses the keyboard focus, and a
  // keyboard or screen-reader user would be left nowhere while the files go up.
  function setSending(form, on) {
    if (on) sending.add(form);
    else sending.delete(form);
    for (const button of submitButtons(form)) {
      button.classList.toggle("disabled", on);
      if (on) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    }
  }

  function progressView(form, files, text) {
    const region = regionOf(form);
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const list = element("ul", "upload-progress-files");
    regions += 1;
    const bars = files.map((file, index) => {
      const item = element("li");
      const bar = element("progress");
      bar.id = `upload-progress-${regions}-${index}`;
      bar.max = Math.max(file.size, 1);
      bar.value = 0;
      const label = element("label");
      label.htmlFor = bar.id;
      // A Latin file name on an Arabic page keeps its own direction.
      label.append(element("bdi", "upload-progress-name", file.name), " ");
      label.append(element("span", "upload-progress-size", megabytes(file.size, text)));
      item.append(label, bar);
      list.append(item);
      return { bar, size: file.size };
    });
    const status = element("p", "upload-progress-status mb-0");
    region.replaceChildren(element("p", "upload-progress-intro", text.sending), list, status);

    const started = performance.now();
    const samples = [];
    let statusShownAt = null;

    function timeLeft(now, sent) {
      samples.push({ now, sent });
      while (samples.length > 2 && now - samples[1].now > RATE_WINDOW_MS) samples.shift();
      const oldest = samples[0];
      const rate = (sent - oldest.sent) / ((now - oldest.now) / 1000);
      if (now - started < ESTIMATE_AFTER_MS || !(rate > 0)) return null;
      return (total - sent) / rate;
    }

    function showStatus(now, sent, seconds) {
      if (statusShownAt !== null && now - statusShownAt < STATUS_EVERY_MS) return;
      statusShownAt = now;
      const values = { sent: megabytes(sent, text), total: megabytes(total, text) };
      let message = text.sent;
      if (seconds !== null && seconds < 60) message = text.sentUnderAMinute;
      else if (seconds !== null) {
        message = text.sentTimeLeft;
        values.time = minutes(Math.ceil(seconds / 60));
      }
      status.textContent = fill(message, values);
    }

    return {
      // `loaded` and `bodySize` count the whole body, answers included; the files' share of it
      // is laid over the files in the order the body carries them.
      update(loaded, bodySize) {
        const sent = bodySize > 0 ? Math.min(total, Math.round((loaded / bodySize) * total)) : 0;
        let before = 0;
        for (const { bar, size } of bars) {
          const own = Math.min(size, Math.max(0, sent - before));
          bar.value = size > 0 ? own : Number(sent >= before);
          before += size;
        }
        const now = performance.now();
        showStatus(now, sent, timeLeft(now, sent));
      },
      uploaded() {
        for (const { bar } of bars) bar.value = bar.max;
        status.textContent = text.waiting;
      },
      failed(message) {
        region.replaceChildren(element("p", "alert alert-warning mb-0", message));
      },
    };
  }

  function withoutFragment(url) {
    const parsed = new URL(url, document.baseURI);
    parsed.hash = "";
    return parsed.href;
  }

  // The page the server answered with takes this one's place, as a plain post would have put it:
  // its title and body, read from the top, the focus where the page's own autofocus puts it (an
  // error summary), else at the start of the main content.
  function showPage(page) {
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    attachAll();
    window.scrollTo({ top: 0, left: 0, behavior: "instant" });
    const first = document.querySelector("[autofocus]");
    const main = document.querySelector("main");
    if (first) first.focus();
    else if (main) main.focus({ preventScroll: true });
  }

  function arrived(form, request) {
    const page = new DOMParser().parseFromString(request.responseText, "text/html");
    const address = request.responseURL || form.action;
    showPage(page);
    if (withoutFragment(address) !== withoutFragment(form.action)) {
      // Redirected (the thank-you page): the page is shown from this response rather than
      // fetched again, since a page may show a notice only once (thank_you pops it from the
      // session). Its address is pushed like a navigation's; Back reloads the page it names.
      const shown = withoutFragment(address);
      history.pushState(null, "", address);
      window.addEventListener("popstate", function leave() {
        if (withoutFragment(location.href) === shown) return;
        window.removeEventListener("popstate", leave);
        location.reload();
      });
    }
  }

  function send(form, data, files, text) {
    const view = progressView(form, files, text);
    setSending(form, true);
    const request = new XMLHttpRequest();
    let uploaded = false;
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) view.update(event.loaded, event.total);
    });
    request.upload.addEventListener("load", () => {
      uploaded = true;
      view.uploaded();
    });
    request.addEventListener("load", () => arrived(form, request));
    for (const failure of ["error", "abort", "timeout"]) {
      request.addEventListener(failure, () => {
        // Cut while the files went up, they did not arrive; cut after, they may have (the
        // enquiry form's token makes the server keep one enquiry when it is sent again).
        // Nothing on the page is touched: every answer and chosen file is there to send again.
        view.failed(uploaded ? text.unanswered : text.failed);
        setSending(form, false);
      });
    }
    request.open("POST", form.action);
    request.send(data);
  }

  // The button's own name and value go with the answers, as in a plain post (a browser older
  // than FormData's second argument leaves them out; the server never reads them).
  function formData(form, submitter) {
    try {
      return new FormData(form, submitter);
    } catch (error) {
      return new FormData(form);
    }
  }

  function onSubmit(event) {
    const form = event.currentTarget;
    if (sending.has(form)) {
      event.preventDefault();
      return;
    }
    const text = words();
    if (event.defaultPrevented || !text || form.method !== "post") return;
    const data = formData(form, event.submitter);
    // An empty file field is still in the body, as a nameless empty file.
    const files = Array.from(data.values()).filter((value) => value instanceof File && value.name);
    if (files.length === 0) return;
    event.preventDefault();
    send(form, data, files, text);
  }

  function attach(form) {
    if (attached.has(form)) return;
    attached.add(form);
    regionOf(form);
    form.addEventListener("submit", onSubmit);
  }

  function attachAll() {
    document.querySelectorAll(FORMS).forEach(attach);
  }

  attachAll();
})();
