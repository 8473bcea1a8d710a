// Progressive enhancement only: every page works without it.
(function () {
  document.documentElement.classList.add("js");
  // Sort menus apply on change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // The SKU picker shows the chosen option's price.
  var shown = document.querySelector("[data-price]:not(input)");
  document.querySelectorAll(".sku-picker input[name=sku_id]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!shown) return;
      shown.textContent = radio.dataset.price;
      if (radio.dataset.listPrice) {
        var s = document.createElement("s");
        s.textContent = radio.dataset.listPrice;
        shown.append(" ", s);
      }
    });
  });
  // One submit per form: a double tap does not post twice.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { setTimeout(function () { b.disabled = true; }, 0); });
    });
  });
})();
