// The host workbench: live figures and new comments (with delete and mute buttons) arrive by
// server-sent events; an "orders" event has the figures re-read (at most once a second).
// Text goes in with textContent only.
(function () {
  "use strict";
  var box = document.getElementById("live-figures");
  if (!box || !window.EventSource) return;
  var list = document.getElementById("live-comments");

  function action(path, label, field, value) {
    var form = document.createElement("form"), token = document.createElement("input"), button = document.createElement("button");
    form.method = "post";
    form.className = "inline";
    form.action = list.dataset.base + path;
    token.type = "hidden";
    token.name = "_csrf_token";
    token.value = list.dataset.csrf;
    form.appendChild(token);
    if (field) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = field;
      input.value = value;
      form.appendChild(input);
    }
    button.textContent = label;
    form.appendChild(button);
    return form;
  }

  var reading = false;
  function readFigures() {
    if (reading) return;
    reading = true;
    setTimeout(function () {
      fetch(box.dataset.figures, { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (f) {
          reading = false;
          if (!f) return;
          box.querySelector("[data-orders]").textContent = f.orders;
          box.querySelector("[data-gmv]").textContent = f.gmv_text;
          box.querySelector("[data-coupons-claimed]").textContent = f.coupons_claimed;
          box.querySelector("[data-coupons-used]").textContent = f.coupons_used;
        }, function () { reading = false; });
    }, 1000);
  }

  new EventSource(box.dataset.events).onmessage = function (msg) {
    var e = JSON.parse(msg.data);
    if (e.type === "orders") {
      readFigures();
    } else if (e.type === "stats") {
      box.querySelector("[data-viewers]").textContent = e.viewers;
      box.querySelector("[data-peak]").textContent = e.peak_viewers;
      box.querySelector("[data-likes]").textContent = e.likes;
    } else if (e.type === "comment") {
      var li = document.createElement("li"), id = Number(e.comment.id);
      li.dataset.comment = id;
      li.appendChild(document.createTextNode(e.comment.member + ": " + e.comment.text + " "));
      li.appendChild(action("/comments/" + id + "/delete", list.dataset["delete"]));
      li.appendChild(action("/mutes", list.dataset.mute, "comment_id", id));
      list.appendChild(li);
    } else if (e.type === "comment_deleted") {
      e.ids.forEach(function (id) {
        var gone = list.querySelector('[data-comment="' + Number(id) + '"]');
        if (gone) gone.remove();
      });
    }
  };
})();
