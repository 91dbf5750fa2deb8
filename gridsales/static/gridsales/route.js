/* The route page: the day's stops on a Leaflet map, and reordering them.
 *
 * #plan-body holds the summary, the ordered stops and the map data (#route-data, in the
 * map tiles' coordinates). Dragging a stop (HTML5 drag and drop, desktop) or its ↑/↓
 * buttons (phones, where drag and drop does not work) POSTs the new order to the page's
 * reorder URL; the server recomputes the times (no new search) and answers the refreshed
 * #plan-body, whose stops starting after their window closes are red. Without script the
 * ↑/↓ buttons are plain forms.
 */
(function () {
  "use strict";

  const cfg = document.getElementById("route-config").dataset;
  const body = document.getElementById("plan-body");
  const map = L.map("route-map", { zoomControl: true });
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { maxZoom: 18, attribution: cfg.attribution }).addTo(map);
  }
  const layer = L.layerGroup().addTo(map);

  function pin(text, extra) {
    return L.divIcon({
      className: "",
      html: `<div class="route-pin ${extra}" style="width:26px;height:26px">${text}</div>`,
      iconSize: [26, 26],
      iconAnchor: [13, 13],
    });
  }

  function draw() {
    const data = JSON.parse(document.getElementById("route-data").textContent);
    layer.clearLayers();
    const depot = data.depot;
    const path = [depot];
    L.marker(depot, { icon: pin("⌂", "depot"), title: cfg.labelDepot }).addTo(layer);
    data.points.forEach((p) => {
      path.push(p.ll);
      if (p.lunch) {
        return;  // taken at the previous stop's place
      }
      L.marker(p.ll, { icon: pin(p.n, p.late ? "late" : ""), title: `${p.n}. ${p.name}` })
        .bindTooltip(`${p.n}. ${p.name} ${p.at}`)
        .addTo(layer);
    });
    path.push(depot);
    L.polyline(path, { color: "#0d6efd", weight: 3, opacity: 0.7 }).addTo(layer);
    if (data.points.length) {
      map.fitBounds(L.latLngBounds(path), { padding: [24, 24], animate: false });
    } else {
      map.setView(depot, 13);
    }
  }

  function csrfToken() {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(form) {
    body.setAttribute("aria-busy", "true");
    body.style.opacity = "0.6";
    return fetch(cfg.reorder, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body: form,
    })
      .then((response) => response.text().then((html) => ({ ok: response.ok || response.status === 400, html })))
      .then(({ ok, html }) => {
        if (!ok) {
          throw new Error("failed");
        }
        body.innerHTML = html;
        draw();
        bind();
      })
      .catch(() => {
        window.alert(cfg.labelFailed);
      })
      .finally(() => {
        body.removeAttribute("aria-busy");
        body.style.opacity = "";
      });
  }

  function currentOrder() {
    return Array.from(body.querySelectorAll(".route-stop")).map((li) => li.dataset.stop);
  }

  function bind() {
    body.querySelectorAll(".move-form").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const data = new FormData(form);
        data.set("direction", event.submitter ? event.submitter.value : "down");
        send(data);
      });
    });
    if (!cfg.canChange) {
      return;
    }
    let dragged = null;
    const list = body.querySelector("[data-testid=stop-list]");
    if (!list) {
      return;
    }
    list.querySelectorAll(".route-stop").forEach((li) => {
      li.addEventListener("dragstart", (event) => {
        dragged = li;
        li.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.dataset.stop);
      });
      li.addEventListener("dragend", () => {
        li.classList.remove("dragging");
      });
      li.addEventListener("dragover", (event) => {
        if (!dragged || dragged === li) {
          return;
        }
        event.preventDefault();
        const box = li.getBoundingClientRect();
        const after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? li.nextSibling : li);
      });
    });
    list.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!dragged) {
        return;
      }
      dragged = null;
      const data = new FormData();
      data.set("order", currentOrder().join(","));
      send(data);
    });
  }

  document.querySelectorAll("form[data-busy]").forEach((form) => {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button");
      button.disabled = true;
      button.textContent = form.dataset.busy;
    });
  });

  draw();
  bind();
})();
