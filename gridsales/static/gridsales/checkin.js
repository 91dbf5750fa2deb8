/* Visit check-in and check-out from a phone (the Today page and the activity page).
 *
 * Buttons carry data-checkin="in" | "out" | "here" and data-url (the API action).
 * A tap asks the browser for the position (navigator.geolocation, WGS-84), POSTs it with
 * the CSRF token, and shows the answer (time, distance, flags) in the nearest
 * [data-checkin-result]. Check-out then opens the log form (data-log-url); an unplanned
 * visit ("here") opens data-next, or reloads the page, which lists it under "checked in".
 * Messages come from the page (#checkin-messages), translated by Django.
 */
(function () {
  "use strict";

  const messages = JSON.parse(document.getElementById("checkin-messages").textContent);

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return match ? decodeURIComponent(match[1]) : "";
    }
  }

  function locate() {
    return new Promise((resolve, reject) => {
      if (!window.isSecureContext) {
        reject({ code: "insecure" });
      } else if (!("geolocation" in navigator)) {
        reject({ code: "unsupported" });
      } else {
        navigator.geolocation.getCurrentPosition(resolve, reject, {
          enableHighAccuracy: true,
          timeout: 15000,
          maximumAge: 30000,
        });
      }
    });
  }

  function locationProblem(error) {
    switch (error && error.code) {
      case 1: return messages.denied;
      case 2: return messages.unavailable;
      case 3: return messages.timeout;
      case "insecure": return messages.insecure;
      default: return messages.unsupported;
    }
  }

  function errorText(body) {
    if (!body || typeof body !== "object") return "";
    const parts = [];
    for (const value of Object.values(body)) {
      if (Array.isArray(value)) parts.push(...value.map(String));
      else if (typeof value === "string") parts.push(value);
    }
    return parts.join(" ");
  }

  async function post(url, payload) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(),
          "Accept": "application/json",
        },
        body: JSON.stringify(payload),
      });
    } catch (error) {
      throw new Error(messages.network);
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(say(messages.failed, { reason: errorText(body) || response.status }));
    }
    return body;
  }

  function show(box, html, kind) {
    if (!box) return;
    box.className = "small mt-1 text-" + (kind || "body");
    box.replaceChildren(...html);
  }

  function span(text, className) {
    const el = document.createElement("span");
    el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function summary(activity) {
    const time = new Date(activity.checkin_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    const parts = [span(say(messages.checked_in, { time: time }) + " ", "text-success")];
    if (activity.checkin_distance_m !== null && activity.checkin_distance_m !== undefined) {
      const distance = span(say(messages.distance, { distance: Math.round(activity.checkin_distance_m) }));
      distance.dataset.testid = "checkin-distance";
      parts.push(distance);
    } else {
      parts.push(span(messages.no_customer_location));
    }
    if (activity.checkin_accuracy_m !== null && activity.checkin_accuracy_m !== undefined) {
      parts.push(span(" (" + say(messages.accuracy, { accuracy: Math.round(activity.checkin_accuracy_m) }) + ")", "text-muted"));
    }
    (activity.checkin_flag_labels || []).forEach((label, i) => {
      const badge = span(label, "badge text-bg-warning ms-1");
      badge.dataset.flag = activity.checkin_flags[i];
      parts.push(badge);
    });
    return parts;
  }

  function resultBox(button) {
    const holder = button.closest("[data-activity]") || button.parentElement;
    let box = holder.nextElementSibling;
    if (box && box.hasAttribute("data-checkin-result")) return box;
    box = button.closest(".list-group-item, .card-body, body").querySelector("[data-checkin-result]");
    return box;
  }

  async function tap(button) {
    const kind = button.dataset.checkin;
    const box = resultBox(button);
    button.disabled = true;
    show(box, [span(messages.locating)], "muted");
    let payload = {};
    try {
      const position = await locate();
      payload = {
        lat: position.coords.latitude,
        lng: position.coords.longitude,
        accuracy_m: position.coords.accuracy,
      };
    } catch (error) {
      const problem = locationProblem(error);
      // A check-out may go without a position; a check-in may not.
      if (kind !== "out" || !window.confirm(problem + "\n\n" + messages.checkout_without_position)) {
        show(box, [span(problem)], "danger");
        button.disabled = false;
        return;
      }
    }
    if (kind === "here") payload.customer = button.dataset.customer;
    show(box, [span(messages.sending)], "muted");
    try {
      const activity = await post(button.dataset.url, payload);
      if (kind === "in") {
        show(box, summary(activity));
        button.classList.add("d-none");
        const out = button.parentElement.querySelector("[data-checkin=out]");
        if (out) out.classList.remove("d-none");
      } else if (kind === "here") {
        show(box, summary(activity));
        if (button.dataset.next) window.location.assign(button.dataset.next);
        else window.location.reload();
      } else {
        show(box, [span(messages.checked_out, "text-success")]);
        window.location.assign(button.dataset.logUrl);
      }
    } catch (error) {
      show(box, [span(error.message)], "danger");
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-checkin]");
    if (button) {
      event.preventDefault();
      tap(button);
    }
  });
})();
