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

  // phrases Decap's zh_Hans locale lacks (they would show in English)
  var ZH_HANS = {
    auth: {loginWithForgejo: "使用 Forgejo 登录"},
    collection: {
      collectionTop: {viewAsList: "列表视图", viewAsGrid: "网格视图"},
      entries: {unpublishedHeader: "未发布的修改"},
    },
    editor: {
      editorControl: {field: {widgetLabel: "%{widgetLabel}字段"}},
      editorControlPane: {widget: {
        rangeMin: "%{fieldLabel}至少需要 %{minCount} 项。",
        rangeMax: "%{fieldLabel}最多 %{maxCount} 项。",
      }},
      editorInterface: {toggleNotes: "显示或隐藏备注"},
      editorNotesPane: {
        title: "备注", emptyState: "还没有备注。", addNote: "添加备注", addPlaceholder: "添加备注……",
        editPlaceholder: "编辑备注……", save: "保存", cancel: "取消", edit: "编辑", delete: "删除",
        resolve: "标为已解决", unresolve: "标为未解决", confirmDelete: "确定删除这条备注吗？",
        shortcut: "提示：按 Ctrl+Enter 快速添加备注",
      },
      editorToolbar: {
        statusInfoTooltipDraft: "当前为草稿。要提交审核，请把状态设为“待审核”",
        statusInfoTooltipInReview: "正在审核中，无需其他操作；审核期间仍可继续修改。",
      },
      editorWidgets: {
        datetime: {setToNow: "将%{fieldLabel}设为现在"},
        list: {addType: "新增%{item}"},
        object: {expand: "展开", collapse: "收起"},
      },
    },
    mediaLibrary: {mediaLibraryModal: {close: "关闭"}},
    ui: {settingsDropdown: {account: "账户选项"}},
  };

  function fillIn(target, phrases) {
    Object.keys(phrases).forEach(function (key) {
      if (typeof phrases[key] === "object") {
        target[key] = target[key] || {};
        fillIn(target[key], phrases[key]);
      } else if (!(key in target)) {
        target[key] = phrases[key];
      }
    });
  }
  var zhHans = CMS.getLocale("zh_Hans");
  if (zhHans) fillIn(zhHans, ZH_HANS);

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

  // Decap opens a case it has just published under its own lowercased slug, where no file
  // is: an empty form a clerk might fill in again. Open the case where it was saved instead.
  var justPublished = null;

  function caseAddress(id) {
    var year = id.slice(0, 4), month = id.slice(4, 6);
    var monthList = "cases-" + year + "-" + month;
    if (CASELOG.collections.indexOf(monthList) !== -1) return "#/collections/" + monthList + "/entries/" + id;
    return "#/collections/cases-" + year + "/entries/" + month + "/" + id;
  }

  function openPublished() {
    if (!justPublished) return;
    var lowered = "/entries/" + justPublished.toLowerCase();
    if (window.location.hash.slice(-lowered.length) === lowered) {
      var id = justPublished;
      justPublished = null;
      // a fresh load: Decap keeps the empty form's state across a change of address
      window.history.replaceState(null, "", caseAddress(id));
      window.location.reload();
    }
  }
  window.addEventListener("hashchange", openPublished);

  function published(id) {
    justPublished = id;
    window.setTimeout(openPublished, 0);
    window.setTimeout(function () { justPublished = null; }, 5000);
  }

  // When GitHub refuses to merge a pull request (checks failing or running, review missing,
  // conflicts), Decap's GitHub backend writes the change into the branch directly instead
  // ("force merge"), which would skip the checks wherever branch protection does not stop it.
  // Publishing only ever merges the pull request; a refusal is told to the clerk in Chinese.
  var NOT_MERGED = "合并请求未能合并：检查未通过或尚未完成，或者还没有审核通过。" +
    "请在合并请求中查看检查结果和“案件变更摘要”，按其中“需要处理”的说明修改后再发布。";

  // the forge's API client exists once the clerk has signed in (or was signed in already)
  function onSignIn(backend, change) {
    var authenticate = backend.authenticate.bind(backend);
    backend.authenticate = function (state) {
      return authenticate(state).then(function (user) {
        change(backend.api);
        return user;
      });
    };
  }

  function notMerged() {
    var error = new Error(NOT_MERGED);
    error.toString = function () { return NOT_MERGED; }; // shown as 发布失败: <message>
    return error;
  }

  function keepMergesInPullRequests(api) {
    api.forceMergePR = function () { return Promise.reject(notMerged()); };
  }

  // Every five minutes Decap's GitHub backend asks www.githubstatus.com whether GitHub is up; a
  // GitHub Enterprise server is not GitHub.com, and the page asks no other host: it only checks
  // that the clerk is still signed in.
  var GITHUB_API = "https://api.github.com";

  function signedInStatus(backend) {
    return function () {
      // asked again each time (Decap's own user() answers from memory and would never notice)
      var signedIn = backend.api ? backend.api.request("/user").then(function () { return true; },
                                                                     function () { return false; })
        : Promise.resolve(false);
      return signedIn.then(function (auth) {
        return {auth: {status: auth}, api: {status: true, statusPage: ""}};
      });
    };
  }

  // Decap's GitLab backend squashes a merge request under its own English message ("Automatically
  // generated. Merged on Decap CMS."), which the case pages' history would show instead of
  // 登记留言 <id>; merge under the merge request's title, as GitLab itself does by default, and say in
  // Chinese when GitLab refuses the merge.
  function titledMerges(api) {
    api.mergeMergeRequest = function (mergeRequest) {
      return api.requestJSON({
        method: "PUT",
        url: api.repoURL + "/merge_requests/" + mergeRequest.iid + "/merge",
        params: {merge_commit_message: mergeRequest.title, squash_commit_message: mergeRequest.title,
                 squash: api.squashMerges, should_remove_source_branch: true},
      }).catch(function (error) {
        // GitLab answers 405 (pipeline failed or running, approvals missing) or 406 (conflicts)
        if (error && (error.status === 405 || error.status === 406)) throw notMerged();
        throw error;
      });
    };
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
        var saved = dataFiles[0] && dataFiles[0].path.split("/").pop().replace(/\.yaml$/, "");
        var lowered = entry.dataFiles[0] && entry.dataFiles[0].slug !== saved;
        return persist(Object.assign({}, entry, {dataFiles: dataFiles}), fixed).then(function (result) {
          if (lowered && !(options && options.useWorkflow) && ID_PATTERN.test(saved)) published(saved);
          return result;
        });
      };
      if (name === "github") onSignIn(backend, keepMergesInPullRequests);
      if (name === "github" && backend.apiRoot !== GITHUB_API) backend.status = signedInStatus(backend);
      if (name === "gitlab") onSignIn(backend, titledMerges);
      var publishUnpublished = backend.publishUnpublishedEntry && backend.publishUnpublishedEntry.bind(backend);
      if (publishUnpublished) {
        backend.publishUnpublishedEntry = function (collection, slug) {
          return publishUnpublished(collection, slug).then(function (result) {
            var id = String(slug).toUpperCase();
            if (ID_PATTERN.test(id) && id !== slug) published(id);
            return result;
          });
        };
      }
      return backend;
    };
  }
  ["github", "gitlab", "gitea", "forgejo", "proxy"].forEach(function (name) {
    if (CMS.getBackend(name)) CMS.registerBackend("caselog-" + name, placingBackend(name));
  });
})();
