// Redoc (api/redoc/) draws its maker's logo from cdn.redoc.ly in its sidebar: on an intranet
// that address is unreachable, and the site's CSP refuses it. Loaded before Redoc, this swaps
// that one image for an empty one, however Redoc sets it; nothing else is touched.
(function () {
  "use strict";
  var empty = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==";
  function local(value) {
    return String(value).indexOf("https://cdn.redoc.ly/") === 0 ? empty : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this.tagName === "IMG" && String(name).toLowerCase() === "src") {
      value = local(value);
    }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: function () { return src.get.call(this); },
    set: function (value) { src.set.call(this, local(value)); },
  });
})();
