// Progress bar for the CSV import: the form works without this script (a plain POST).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("import-form");
  const bar = document.getElementById("import-progress");
  if (!form || !bar || !window.XMLHttpRequest) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    bar.hidden = false;
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100); });
    xhr.addEventListener("load", () => { document.open(); document.write(xhr.responseText); document.close(); });
    xhr.send(new FormData(form));
  });
});
