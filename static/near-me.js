// "Offices near me": shows the position button only where the browser can
// give a position, and fills the form with it when the resident allows.
(function () {
  var form = document.getElementById('near-me-geo');
  if (!form || !('geolocation' in navigator)) { return; }
  var status = document.getElementById('near-me-status');
  form.hidden = false;
  form.addEventListener('submit', function (event) {
    if (form.elements.lat.value && form.elements.lng.value) { return; }
    event.preventDefault();
    status.textContent = '正在获取您的位置…';
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(5);
      form.elements.lng.value = pos.coords.longitude.toFixed(5);
      form.submit();
    }, function () {
      status.textContent = '未能获取位置，请在下方选择区县。';
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
}());
