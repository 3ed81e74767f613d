// Every page's first step (written into the pages by `cargo xtask build`), once the
// page has loaded: the service worker (`sw.js`, from `xtask/service-worker.mjs`) is
// registered, and an enrolled phone asks the browser to keep its storage for good. A
// newer build's worker, once installed, waits; the page then offers it ("Đã có phiên
// bản mới") and, on "Cập nhật", lets it take over, and every open page of the app
// reloads under it, so no page runs a mix of two builds.
function install() {
  if (navigator.storage && navigator.storage.persist && localStorage.getItem("sotay.v1.enrolment")) {
    addEventListener("load", function () { navigator.storage.persist(); });
  }
  var sw = navigator.serviceWorker;
  if (!sw) return;
  var reloading = false;
  sw.addEventListener("controllerchange", function () {
    if (!reloading) {
      reloading = true;
      location.reload();
    }
  });
  addEventListener("load", function () {
    sw.register("/sw.js").then(function (registration) {
      function offer(worker) {
        if (!worker || !sw.controller || document.getElementById("update")) return;
        var bar = document.createElement("div");
        var button = document.createElement("button");
        bar.id = "update";
        bar.setAttribute("role", "status");
        bar.textContent = "Đã có phiên bản mới.";
        button.textContent = "Cập nhật";
        button.onclick = function () {
          button.disabled = true;
          worker.postMessage({ type: "SKIP_WAITING" });
        };
        bar.appendChild(button);
        document.body.appendChild(bar);
      }
      offer(registration.waiting);
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed") offer(worker);
        });
      });
      // An app left open for days still hears of a new build.
      setInterval(function () { registration.update(); }, 3600000);
    });
  });
}
