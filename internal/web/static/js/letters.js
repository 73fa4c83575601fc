// Responsibility letters: signing on screen and the print button.
//
// Each signing form holds a canvas for the vendored signature pad (finger,
// stylus or mouse) and a hidden file input named "signature". On submit the
// drawn PNG is put into that input, so the form goes as an ordinary
// multipart post and the server's page (the letter, or its errors) follows.
// An empty pad is refused here, with the message beside the canvas.
(function () {
  "use strict";
  var printBtn = document.getElementById("print-now");
  if (printBtn) printBtn.addEventListener("click", function () { window.print(); });

  if (!window.SignaturePad) return;

  function pngFile(dataURL) {
    var bin = atob(dataURL.split(",")[1]);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new File([bytes], "signature.png", { type: "image/png" });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.sign-form"), function (form) {
    var canvas = form.querySelector("canvas.sig-pad");
    var input = form.querySelector("input.sig-file");
    var msg = form.querySelector(".pad-error");
    var wrap = canvas.parentNode;
    var pad = new SignaturePad(canvas, { penColor: "#111", minWidth: 1.2, maxWidth: 3.2, backgroundColor: "rgba(0,0,0,0)" });
    canvas.pad = pad; // for tests and the console
    form.classList.add("has-pad");

    // The canvas is drawn at the device's pixel ratio, so that strokes are
    // sharp; a change of width (rotating a phone) redraws what was signed.
    var width = 0;
    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var w = canvas.offsetWidth;
      if (!w || w === width) return;
      width = w;
      var strokes = pad.toData();
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(canvas.offsetHeight * ratio);
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (strokes.length) pad.fromData(strokes);
    }
    window.addEventListener("resize", resize);
    resize();

    function hideError() {
      msg.hidden = true;
      wrap.classList.remove("invalid");
    }
    pad.addEventListener("beginStroke", hideError);
    form.querySelector(".pad-clear").addEventListener("click", function () {
      pad.clear();
      hideError();
    });

    form.addEventListener("submit", function (e) {
      if (pad.isEmpty()) {
        e.preventDefault();
        msg.textContent = form.getAttribute("data-empty");
        msg.hidden = false;
        wrap.classList.add("invalid");
        canvas.scrollIntoView({ block: "center" });
        return;
      }
      var dt = new DataTransfer();
      dt.items.add(pngFile(pad.toDataURL("image/png")));
      input.files = dt.files;
      var btn = form.querySelector("button[type=submit]");
      // The form is sent once; a second tap would only meet "already signed".
      setTimeout(function () { btn.disabled = true; }, 0);
    });
    window.addEventListener("pageshow", function () {
      form.querySelector("button[type=submit]").disabled = false;
    });
  });
})();
