// The host workbench: live figures and new comments (with delete and mute buttons) arrive by
// server-sent events. Text goes in with textContent only.
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

  new EventSource(box.dataset.events).onmessage = function (msg) {
    var e = JSON.parse(msg.data);
    if (e.type === "stats") {
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
