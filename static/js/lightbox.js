// Opens an attachment image in place, in a <dialog> (Esc and the close button close it).
(function () {
  var dialog = document.getElementById("lightbox");
  if (!dialog) return;
  var image = document.getElementById("lightbox-image");
  var title = document.getElementById("lightbox-title");
  document.querySelectorAll(".lightbox-open").forEach(function (button) {
    button.addEventListener("click", function () {
      image.src = button.dataset.src;
      image.alt = button.dataset.title;
      title.textContent = button.dataset.title;
      dialog.showModal();
    });
  });
  dialog.querySelector(".lightbox-close").addEventListener("click", function () { dialog.close(); });
})();
