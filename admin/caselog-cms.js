// caselog's additions to Decap CMS, loaded after its bundle and after caselog-config.js
// (window.CASELOG, written by `caselog admin-config` from the case format):
// - the case id widget, and a fresh id for each new case when it is first saved;
// - fields written in the format's order;
// - each case file saved at cases/YYYY/MM/<id>.yaml. Decap lowercases every path it makes
//   from a template, so the path is set here, in a wrapper of the backend, for every forge.
(function () {
  "use strict";
  var CASELOG = window.CASELOG;
  // Crockford's base32 without I L O U, as the case format says
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var ID_PATTERN = /^\d{8}-[0-9A-HJKMNP-TV-Z]{6}$/;

  function randomSuffix() {
    var bytes = new Uint8Array(6);
    window.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += ALPHABET[bytes[i] % 32];
    return out;
  }

  function newId(received) {
    return String(received || "").slice(0, 10).replace(/-/g, "") + "-" + randomSuffix();
  }

  // the keys of a map in the given order, then any others in their own order
  function ordered(map, order) {
    var out = map.clear();
    order.forEach(function (key) { if (map.has(key)) out = out.set(key, map.get(key)); });
    map.forEach(function (value, key) { if (!out.has(key)) out = out.set(key, value); });
    return out;
  }

  // Decap writes a field someone cleared as "", which the format reads as an empty text
  function pruned(map) {
    return map.filter(function (value) { return value !== "" && value !== null && value !== undefined; });
  }

  var IdControl = createClass({
    render: function () {
      return h("div", {
        className: this.props.classNameWrapper,
        style: {fontFamily: "monospace", padding: "12px 16px"},
      }, this.props.value || "（保存时自动生成）");
    },
  });
  var IdPreview = createClass({
    render: function () { return h("span", {}, this.props.value || ""); },
  });
  CMS.registerWidget("caselog-id", IdControl, IdPreview);

  CMS.registerEventListener({
    name: "preSave",
    handler: function (args) {
      var data = pruned(args.entry.get("data"));
      if (!(data.get("id") && ID_PATTERN.test(data.get("id")))) {
        data = data.set("id", newId(data.get("received")));
      }
      if (data.get("author")) data = data.set("author", ordered(pruned(data.get("author")), CASELOG.authorOrder));
      if (data.get("events")) {
        data = data.set("events", data.get("events").map(function (event) {
          return ordered(pruned(event), CASELOG.eventOrder);
        }));
      }
      return ordered(data, CASELOG.caseOrder);
    },
  });

  // cases/YYYY/MM/<id>.yaml, from the id and received lines of the file Decap wrote
  function casePath(raw) {
    var id = /^id: ['"]?(\d{8}-[0-9A-Z]{6})['"]?$/m.exec(raw);
    var received = /^received: ['"]?(\d{4})-(\d{2})-\d{2}/m.exec(raw);
    if (!id || !received) return null;
    return CASELOG.folder + "/" + received[1] + "/" + received[2] + "/" + id[1] + ".yaml";
  }

  function placed(dataFile) {
    var path = casePath(dataFile.raw);
    if (!path || !dataFile.path.startsWith(CASELOG.folder + "/")) return dataFile;
    var fixed = Object.assign({}, dataFile);
    // a case file never moves (the audit refuses it); Decap's proxy would move its whole folder
    delete fixed.newPath;
    if (!ID_PATTERN.test(dataFile.path.split("/").pop().replace(/\.yaml$/, ""))) {
      fixed.path = path; // a new case: Decap's own path is lowercased and has no month
    }
    return fixed;
  }

  function placingBackend(name) {
    var original = CMS.getBackend(name);
    return function PlacingBackend() {
      var backend = original.init.apply(null, arguments);
      var persist = backend.persistEntry.bind(backend);
      backend.persistEntry = function (entry, options) {
        var dataFiles = (entry.dataFiles || []).map(placed);
        var message = options && options.commitMessage;
        dataFiles.forEach(function (file, index) {
          var id = file.path.split("/").pop().replace(/\.yaml$/, "");
          var slug = entry.dataFiles[index].slug;
          if (message && slug && slug !== id && slug.toUpperCase().endsWith(id)) {
            message = message.replace(slug, id);
          }
        });
        var fixed = Object.assign({}, options, message ? {commitMessage: message} : {});
        return persist(Object.assign({}, entry, {dataFiles: dataFiles}), fixed);
      };
      return backend;
    };
  }
  ["github", "gitlab", "gitea", "proxy"].forEach(function (name) {
    CMS.registerBackend("caselog-" + name, placingBackend(name));
  });
})();
