// The merchant counter's QR scanner: the phone camera, decoded by the browser's BarcodeDetector
// where it exists, else by jsQR (vendored in static/vendor, no CDN). A decoded code fills the code
// field and submits the lookup form; the member then confirms on the next page.
(function () {
  "use strict";
  var start = document.querySelector("[data-qr-start]");
  var box = document.querySelector("[data-qr-scanner]");
  var form = document.querySelector("[data-code-form]");
  if (!start || !box || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  start.hidden = false;
  var video = box.querySelector("[data-qr-video]");
  var field = form.querySelector("[data-voucher-code]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var detector = ("BarcodeDetector" in window) ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  var stream = null;

  function found(text) {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    field.value = text;
    form.submit();
  }

  function scanFrame() {
    if (!stream) { return; }
    if (video.readyState < 2) { window.requestAnimationFrame(scanFrame); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) { found(codes[0].rawValue); } else { window.requestAnimationFrame(scanFrame); }
      }, function () { window.requestAnimationFrame(scanFrame); });
      return;
    }
    if (!window.jsQR) { return; }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (code && code.data) { found(code.data); } else { window.requestAnimationFrame(scanFrame); }
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      box.hidden = false;
      start.hidden = true;
      video.srcObject = s;
      video.play();
      window.requestAnimationFrame(scanFrame);
    }, function () {
      box.hidden = false;
      box.querySelector("[data-qr-status]").textContent = start.getAttribute("data-denied") || "";
    });
  });
}());
