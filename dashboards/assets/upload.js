/* Upload page: a drop zone and a file chooser that post the files as multipart/form-data to
 * the dashboard's upload route (see dashboards/uploads.py), then open the page of the import job.
 * Dash renders the page later than this script loads, so everything works by delegation. */
(function () {
  "use strict";

  function zone() { return document.getElementById("upload-drop"); }

  function say(text, kind) {
    var box = document.getElementById("upload-sending");
    if (!box) { return; }
    box.textContent = text;
    box.className = "progress-text" + (kind ? " message " + kind : "");
  }

  function addChooser() {
    var drop = zone();
    if (!drop || document.getElementById("upload-input")) { return; }
    var input = document.createElement("input");
    input.type = "file";
    input.id = "upload-input";
    input.multiple = true;
    input.accept = ".fit,.gpx,.tcx,.gz,.zip";
    input.className = "visually-hidden";  // hidden from sight, not from the keyboard: Tab reaches it, Enter opens it
    input.setAttribute("aria-label", "Choose FIT, GPX, TCX, .gz or .zip files to upload");
    drop.appendChild(input);
  }

  function send(files) {
    var drop = zone();
    if (!drop || !files || !files.length) { return; }
    var maxFiles = Number(drop.dataset.maxFiles), maxBytes = Number(drop.dataset.maxBytes);
    var bytes = 0, form = new FormData();
    for (var i = 0; i < files.length; i++) {
      bytes += files[i].size;
      form.append("files", files[i], files[i].name);
    }
    if (files.length > maxFiles || bytes > maxBytes) {
      say("Not imported: at most " + maxFiles + " files and " + Math.floor(maxBytes / 1048576) +
          " MB at once.", "error");
      return;
    }
    var field = document.getElementById("upload-athlete");
    var athlete = (field && field.value || "").trim();
    say("Sending " + files.length + " file(s), " + (bytes / 1048576).toFixed(1) + " MB…");
    fetch(drop.dataset.route + "?athlete=" + encodeURIComponent(athlete), {
      method: "POST", body: form, credentials: "same-origin", headers: {"X-Trainlog-Upload": "1"}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok || !body.job) {
          say("Not imported: " + (body.error || ("the server answered HTTP " + response.status)), "error");
          return;
        }
        var next = "/upload?" + new URLSearchParams({athlete: body.athlete, job: body.job});
        if (window.trainlogGo) { window.trainlogGo(next, {id: "upload-input", heading: true}); } else { window.location.assign(next); }
      });
    }).catch(function (error) {
      say("Not imported: the upload did not reach the server (" + error + ").", "error");
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "upload-input") {
      send(event.target.files);
    }
  });
  document.addEventListener("click", function (event) {
    var drop = zone(), input = document.getElementById("upload-input");
    if (drop && input && event.target === drop) { input.click(); }  // the label opens it by itself
  });
  document.addEventListener("dragover", function (event) {
    var drop = zone();
    if (drop && drop.contains(event.target)) {
      event.preventDefault();
      drop.style.borderColor = "#2563eb";
    }
  });
  document.addEventListener("dragleave", function (event) {
    var drop = zone();
    if (drop && event.target === drop) { drop.style.borderColor = ""; }
  });
  document.addEventListener("drop", function (event) {
    var drop = zone();
    if (drop && drop.contains(event.target)) {
      event.preventDefault();
      drop.style.borderColor = "";
      send(event.dataTransfer && event.dataTransfer.files);
    }
  });
  new MutationObserver(addChooser).observe(document.documentElement, {childList: true, subtree: true});
  addChooser();
})();
