// Redoc (api/redoc/) draws its maker's logo from cdn.redoc.ly in its sidebar: on an intranet
// that address is unreachable, and the site's CSP refuses it. Loaded before Redoc, this swaps
// that one image for an empty one; nothing else is touched.
(function () {
  "use strict";
  var setAttribute = Element.prototype.setAttribute;
  var empty = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==";
  Element.prototype.setAttribute = function (name, value) {
    if (this.tagName === "IMG" && name === "src" && String(value).indexOf("https://cdn.redoc.ly/") === 0) {
      value = empty;
    }
    return setAttribute.call(this, name, value);
  };
})();
