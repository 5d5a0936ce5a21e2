// The workbench's few lines of script: drag and drop onto the upload form, the scan's progress,
// and keyboard shortcuts on a cell's page. Every page works without it.
(function () {
  "use strict";
  var drop = document.getElementById("drop");
  var files = document.getElementById("files");
  if (drop && files) {
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      files.files = event.dataTransfer.files;
      document.getElementById("upload-form").submit();
    });
  }

  var progress = document.getElementById("progress");
  if (progress && progress.dataset.running === "yes") {
    var poll = function () {
      fetch(progress.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        document.getElementById("files").textContent = s.done + " / " + s.files;
        document.getElementById("pages").textContent = s.pages_done + " / " + s.pages;
        document.getElementById("items").textContent = s.items_done;
        document.getElementById("current").textContent = s.current;
        var bar = document.getElementById("bar");
        bar.max = s.files || 1;
        bar.value = s.done;
        var list = document.getElementById("scan-failures");
        list.textContent = "";
        s.failures.forEach(function (f) {
          var item = document.createElement("li");
          item.textContent = f[1];
          list.appendChild(item);
        });
        if (s.error) {
          document.getElementById("error-text").textContent = s.error;
          document.getElementById("error").hidden = false;
        }
        if (s.running) {
          setTimeout(poll, 700);
        } else {
          location.reload();
        }
      });
    };
    setTimeout(poll, 300);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      return;
    }
    var follow = function (id) {
      var link = document.getElementById(id);
      if (link) { link.click(); }
    };
    if (event.key === "j" || event.key === "ArrowRight") { follow("next"); }
    if (event.key === "k" || event.key === "ArrowLeft") { follow("previous"); }
    if (event.key === "c") { follow("confirm"); }
  });
})();
