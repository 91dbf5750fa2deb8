/* The Kanban board: drag a card to another column (HTML5 drag and drop), or pick a stage
 * in the card's select on a phone. Both post to the deal's move URL with the CSRF token;
 * a lost stage first asks for the loss reason in a modal. On success the columns are
 * reloaded from the server (counts and sums stay exact); on error the card goes back and
 * the server's message is shown. Translated texts come from the page (data attributes). */
(function () {
  "use strict";
  var root = document.getElementById("board-root");
  if (!root) {
    return;
  }
  var results = document.getElementById("results");
  var messageBox = document.getElementById("board-message");
  var modalElement = document.getElementById("loss-modal");
  var lossForm = document.getElementById("loss-form");
  var lossInput = document.getElementById("loss-reason");
  var lossDeal = document.getElementById("loss-deal");
  var dragged = null;
  var origin = null;
  var originNext = null;

  function showMessage(text, kind) {
    messageBox.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-" + kind + " alert-dismissible py-2";
    alert.setAttribute("role", kind === "danger" ? "alert" : "status");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "×");
    alert.appendChild(close);
    messageBox.appendChild(alert);
  }

  function refresh() {
    return fetch(window.location.href, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          results.innerHTML = html;
          if (window.htmx) {
            window.htmx.process(results);
          }
        }
      });
  }

  /* Resolves to the loss reason, or to null when the user closes the modal. */
  function askLossReason(card) {
    return new Promise(function (resolve) {
      var modal = window.bootstrap.Modal.getOrCreateInstance(modalElement);
      var answered = false;
      lossInput.value = "";
      lossInput.classList.remove("is-invalid");
      lossDeal.textContent = card.dataset.name;
      function submit(event) {
        event.preventDefault();
        var reason = lossInput.value.trim();
        if (!reason) {
          lossInput.classList.add("is-invalid");
          lossInput.focus();
          return;
        }
        answered = true;
        modal.hide();
        resolve(reason);
      }
      function hidden() {
        lossForm.removeEventListener("submit", submit);
        modalElement.removeEventListener("hidden.bs.modal", hidden);
        if (!answered) {
          resolve(null);
        }
      }
      lossForm.addEventListener("submit", submit);
      modalElement.addEventListener("hidden.bs.modal", hidden);
      modalElement.addEventListener(
        "shown.bs.modal",
        function () {
          lossInput.focus();
        },
        { once: true }
      );
      modal.show();
    });
  }

  /* Resolves to true when the server moved the deal. The board is aria-busy meanwhile. */
  function move(card, stageId, lossReason) {
    root.setAttribute("aria-busy", "true");
    return send(card, stageId, lossReason).then(function (moved) {
      root.setAttribute("aria-busy", "false");
      return moved;
    });
  }

  function send(card, stageId, lossReason) {
    var body = new URLSearchParams();
    body.append("stage", stageId);
    body.append("loss_reason", lossReason || "");
    return fetch(card.dataset.moveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": root.dataset.csrf, Accept: "application/json" },
      body: body,
      credentials: "same-origin",
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (!response.ok) {
              showMessage(data.error || root.dataset.errorText, "danger");
              return false;
            }
            showMessage(data.message, "success");
            return refresh().then(function () {
              return true;
            });
          });
      })
      .catch(function () {
        showMessage(root.dataset.errorText, "danger");
        return false;
      });
  }

  function moveTo(card, column) {
    var reason = Promise.resolve("");
    if (column.dataset.kind === "lost") {
      reason = askLossReason(card);
    }
    return reason.then(function (lossReason) {
      if (lossReason === null) {
        return false;
      }
      return move(card, column.dataset.stage, lossReason);
    });
  }

  root.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) {
      return;
    }
    dragged = card;
    origin = card.parentNode;
    originNext = card.nextSibling;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
    card.classList.add("dragging");
  });

  root.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest(".board-column");
    if (!column) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });

  root.addEventListener("dragleave", function (event) {
    var column = event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) {
      column.classList.remove("drop-target");
    }
  });

  root.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest(".board-column");
    if (!column) {
      return;
    }
    event.preventDefault();
    column.classList.remove("drop-target");
    var card = dragged;
    var home = origin;
    var next = originNext;
    dragged = null;
    if (column === home.closest(".board-column")) {
      return;
    }
    column.querySelector(".board-cards").prepend(card);
    moveTo(card, column).then(function (moved) {
      if (!moved && card.isConnected) {
        home.insertBefore(card, next && next.parentNode === home ? next : null);
      }
    });
  });

  root.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (card) {
      card.classList.remove("dragging");
    }
    dragged = null;
    root.querySelectorAll(".drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  });

  root.addEventListener("change", function (event) {
    var select = event.target.closest(".board-stage-select");
    if (!select) {
      return;
    }
    var card = select.closest(".board-card");
    var option = select.options[select.selectedIndex];
    var column = {
      dataset: { stage: select.value, kind: option.dataset.kind },
    };
    moveTo(card, column).then(function (moved) {
      if (!moved) {
        select.value = select.dataset.current;
      }
    });
  });
})();
