// The live room: server-sent events update the pinned product, deals, coupons, comments and figures
// without reloading; comments and likes are posted to the JSON API. Text goes in with
// textContent only (never as HTML).
(function () {
  "use strict";
  var room = document.getElementById("live-room");
  if (!room || !window.EventSource) return;
  var $ = function (sel) { return room.querySelector(sel); };
  var headers = { "content-type": "application/json", "x-csrftoken": room.dataset.csrf };

  function setPinned(product) {
    var box = $("[data-pinned]");
    box.textContent = "";
    var title = document.createElement(product ? "a" : "span");
    title.setAttribute("data-pinned-title", "");
    title.textContent = product ? product.title : "—";
    if (product) title.href = product.url;
    box.appendChild(title);
  }

  function addComment(c) {
    var list = $("[data-comments]"), item = document.createElement("li"), who = document.createElement("b");
    item.dataset.comment = c.id;
    who.textContent = c.member;
    item.appendChild(who);
    item.appendChild(document.createTextNode(" " + c.text));
    list.appendChild(item);
    while (list.children.length > 100) list.removeChild(list.firstChild);
  }

  var money = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "currency", currency: "CNY" });
  function fill(node, amount) { node.textContent = node.dataset.pattern.replace("{amount}", money.format(amount / 100)); }

  function addCoupon(c) {  // a copy of the server-rendered item in <template>, filled in
    var list = $("[data-coupons]"), item = $("[data-coupon-template]").content.firstElementChild.cloneNode(true);
    var min = item.querySelector("[data-min]"), claim = item.querySelector("[data-claim]");
    if (list.querySelector('[data-coupon="' + Number(c.id) + '"]')) return;
    item.dataset.coupon = Number(c.id);
    fill(item.querySelector("[data-off]"), c.amount);
    if (c.min_spend) fill(min, c.min_spend); else min.textContent = min.dataset.none;
    if (claim) claim.setAttribute("action", claim.getAttribute("action").replace("/coupons/0/", "/coupons/" + Number(c.id) + "/"));
    list.insertBefore(item, list.firstChild);
  }

  var handlers = {
    coupon: function (e) { addCoupon(e.coupon); },
    pinned: function (e) { setPinned(e.product); },
    comment: function (e) { addComment(e.comment); },
    comment_deleted: function (e) {
      e.ids.forEach(function (id) { var li = $('[data-comment="' + Number(id) + '"]'); if (li) li.remove(); });
    },
    stats: function (e) { $("[data-viewers]").textContent = e.viewers; $("[data-like-count]").textContent = e.likes; },
    status: function () { window.location.reload(); },  // rare: the page shows each state differently
    sale: function (e) { if (e.sale.status === "open") $("[data-sale-notice]").hidden = false; },
    group: function (e) {
      var card = $("[data-group]"), link = $("[data-group-link]");
      var img = link.querySelector("img") || link.appendChild(document.createElement("img"));
      img.width = img.height = 160;
      img.alt = card.dataset.alt;
      img.src = e.url + "/qr.svg";
      link.href = e.url;
      card.hidden = false;
    },
  };
  var source = new EventSource(room.dataset.events);
  source.onmessage = function (msg) {
    var event = JSON.parse(msg.data), handle = handlers[event.type];
    if (handle) handle(event);
  };

  var like = $("[data-like]"), pending = 0;
  if (like) {
    like.hidden = false;
    like.addEventListener("click", function () {
      pending += 1;
      if (pending > 1) return;
      setTimeout(function () {
        var count = Math.min(pending, 20);
        pending = 0;
        fetch(room.dataset.likes, { method: "POST", headers: headers, body: JSON.stringify({ count: count }) });
      }, 1000);
    });
  }

  var form = $("[data-comment-form]");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = form.elements.text, error = $("[data-comment-error]");
      fetch(room.dataset.comments, { method: "POST", headers: headers, body: JSON.stringify({ text: input.value }) })
        .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
        .then(function (res) {
          error.textContent = res[0] ? "" : res[1].error.message;
          if (res[0]) input.value = "";
        });
    });
  }
})();
