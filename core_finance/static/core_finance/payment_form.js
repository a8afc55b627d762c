// Live balance check on the payment form: shows the indicator's available balance and the
// month's plan balance as the clerk types. The server checks again when the form is sent.
(function () {
  "use strict";
  const out = document.getElementById("cf-balance");
  const indicator = document.getElementById("id_indicator");
  const month = document.getElementById("id_month");
  const amount = document.getElementById("id_amount");
  if (!out || !indicator) return;
  const lang = document.documentElement.lang || "zh-hans";
  const zh = lang.indexOf("zh") === 0;
  const t = {
    balance: zh ? "指标可用余额" : "Indicator available",
    plan: zh ? "本月用款计划余额" : "Plan left this month",
    noPlan: zh ? "本月没有已批复的用款计划" : "No approved plan for this month",
    over: zh ? "申请金额超出可用额度" : "The amount exceeds what is available",
  };
  let data = null;
  function render() {
    if (!data) { out.textContent = ""; return; }
    const parts = [t.balance + "：" + data.balance];
    let limit = parseFloat(data.balance);
    if (data.plans_enabled) {
      const left = data.plans[String(month && month.value)];
      if (left === undefined) { parts.push(t.noPlan); limit = 0; }
      else { parts.push(t.plan + "：" + left); limit = Math.min(limit, parseFloat(left)); }
    }
    const wanted = parseFloat((amount && amount.value || "").replace(/,/g, ""));
    if (!isNaN(wanted) && wanted > limit) parts.push(t.over);
    out.textContent = parts.join("；");
  }
  function load() {
    data = null;
    if (!indicator.value) { render(); return; }
    const url = out.dataset.urlTemplate.replace("/0/", "/" + encodeURIComponent(indicator.value) + "/");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (json) { data = json; render(); });
  }
  indicator.addEventListener("change", load);
  if (month) month.addEventListener("input", render);
  if (amount) amount.addEventListener("input", render);
  load();
})();
