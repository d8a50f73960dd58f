// Shrink a phone photo in the browser before it is uploaded (progressive enhancement).
//
// A file input with data-shrink-long-side="2000" gets, for each JPEG chosen that is larger than
// that on its long side, a copy drawn at that size (the orientation the camera recorded applied,
// no EXIF kept) and encoded as JPEG. The server stores copies at that size anyway, so nothing a
// reviewer sees is lost; the person uploads about a seventh of the bytes and the server decodes a
// quarter of the pixels. PNG scans and PDFs are sent as they are. Whatever fails here (an old
// browser, a photo the browser cannot draw) leaves the chosen file untouched: the server takes
// the original and shrinks it itself.
(function () {
  "use strict";

  if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) {
    return;
  }

  var pending = new Map(); // input -> Promise of its shrinking

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function shrink(file, longSide, quality) {
    if (file.type !== "image/jpeg") {
      return Promise.resolve(null);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = longSide / Math.max(bitmap.width, bitmap.height);
      if (scale >= 1) {
        bitmap.close();
        return null;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          canvas.width = canvas.height = 0; // free the pixels at once on a phone
          if (!blob || blob.size >= file.size) {
            resolve(null);
            return;
          }
          var name = file.name.replace(/\.(jpe?g|jfif)$/i, "") + ".jpg";
          resolve({
            file: new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }),
            from: file.size,
          });
        }, "image/jpeg", quality);
      });
    });
  }

  function note(input, text) {
    var id = input.id + "-shrink";
    var line = document.getElementById(id);
    if (!line) {
      line = document.createElement("div");
      line.id = id;
      line.className = "form-text shrink-note";
      line.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", line);
    }
    line.textContent = text;
  }

  function onChange(event) {
    var input = event.target;
    var file = input.files && input.files[0];
    if (!file) {
      pending.delete(input);
      return;
    }
    var longSide = parseInt(input.dataset.shrinkLongSide, 10);
    var quality = parseFloat(input.dataset.shrinkQuality || "0.9");
    var job = shrink(file, longSide, quality)
      .then(function (result) {
        if (!result || input.files[0] !== file) {
          return; // nothing to shrink, or another file was chosen meanwhile
        }
        var transfer = new DataTransfer();
        transfer.items.add(result.file);
        input.files = transfer.files;
        note(input, "照片已压缩：" + megabytes(result.from) + " → " + megabytes(result.file.size) + "，清晰度足够审核使用。");
      })
      .catch(function () {
        // Leave the original: the server shrinks it.
      })
      .finally(function () {
        if (pending.get(input) === job) {
          pending.delete(input);
        }
      });
    pending.set(input, job);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-shrink-long-side]")) {
      onChange(event);
    }
  });

  // A submit while a photo is still being shrunk waits for it, then goes on with the same button.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var jobs = [];
    pending.forEach(function (job, input) {
      if (input.form === form) {
        jobs.push(job);
      }
    });
    if (!jobs.length) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    Promise.all(jobs).then(function () {
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    });
  });
})();
