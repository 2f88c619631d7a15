// The printable monthly statement: city totals, every firm's line, the breakdowns by service
// category and by street, and an inline SVG chart of payouts. Self-contained (no network, no
// script), deterministic (no timestamps), A4-friendly print CSS.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "common/text.hpp"
#include "settlement/settlement.hpp"

namespace vnh::settlement {
namespace {

std::string esc(std::string_view s) { return html_escape(s); }

// 123456 fen → "1,234.56"
std::string yuan(Fen fen) {
  bool neg = fen < 0;
  std::uint64_t a = neg ? static_cast<std::uint64_t>(-fen) : static_cast<std::uint64_t>(fen);
  std::string whole = std::to_string(a / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return fmt::format("{}{}.{:02}", neg ? "-" : "", grouped, a % 100);
}

std::string score(const std::optional<std::int64_t>& v) { return v ? format_fixed(*v, 2) : "—"; }

std::string breakdown_table(const std::vector<Breakdown>& rows, const char* title, const char* key_title) {
  std::string h = fmt::format("<h2>{}</h2>\n<table><thead><tr><th>{}</th><th>工单 tickets</th><th>合格 eligible</th>"
                              "<th>补贴 subsidy (元)</th><th>自付 co-pay (元)</th></tr></thead><tbody>\n",
                              title, key_title);
  for (const auto& b : rows) {
    h += fmt::format("<tr><td>{}<span class=\"code\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                     "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                     esc(b.label), esc(b.key == b.label ? "" : " " + b.key), b.tickets, b.eligible, yuan(b.subsidy),
                     yuan(b.copay));
  }
  return h + "</tbody></table>\n";
}

std::string payout_chart(const Settlement& s) {
  if (s.lines.empty()) return "<p>No firm had activity this month.</p>";
  const int bar_h = 18, gap = 6, label_w = 150, chart_w = 520;
  Fen max = 1;
  for (const auto& l : s.lines) max = std::max({max, l.payout, l.subsidy});
  int height = static_cast<int>(s.lines.size()) * (bar_h + gap) + 30;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"payout by firm\">\n",
      label_w + chart_w + 110, height);
  int y = 10;
  for (const auto& l : s.lines) {
    int sw = static_cast<int>(static_cast<double>(l.subsidy) / static_cast<double>(max) * chart_w);
    int pw = static_cast<int>(static_cast<double>(l.payout) / static_cast<double>(max) * chart_w);
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#c9d8ea\"/>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#1f5f99\"/>"
        "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n",
        label_w - 6, y + 13, esc(l.name), label_w, y, std::max(sw, 1), bar_h, label_w, y + 4, std::max(pw, 1),
        bar_h - 8, label_w + std::max(sw, pw) + 6, y + 13, yuan(l.payout));
    y += bar_h + gap;
  }
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#c9d8ea\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">"
      "补贴 S</text><rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#1f5f99\"/><text x=\"{}\" y=\"{}\" "
      "font-size=\"11\">拨付 payout</text>\n</svg>",
      label_w, y + 4, label_w + 14, y + 13, label_w + 90, y + 4, label_w + 104, y + 13);
  return svg;
}

// The canteens' lines (SPEC §12) and those listed for inspection by their override share.
std::string canteen_table(const Settlement& s) {
  if (s.canteens.empty()) return "";
  std::string h =
      "<h2>助餐点结算 Canteens</h2>\n<table><thead><tr><th>助餐点 canteen</th><th>用餐 served</th>"
      "<th>补贴餐 subsidised</th><th>政府 government (元)</th><th>老人 elder (元)</th><th>代刷 overrides</th>"
      "<th>剔除 excluded</th><th>运营补贴 operating (元)</th><th>拨付 payout (元)</th></tr></thead><tbody>\n";
  std::string flagged;
  for (const auto& l : s.canteens) {
    h += fmt::format(
        "<tr><td>{}<span class=\"code\"> {}</span>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        esc(l.name), esc(l.code), l.inspection ? " <span class=\"review\">待核查 inspection</span>" : "",
        l.meals_served, l.meals_subsidised, yuan(l.government), yuan(l.elder), l.override_meals, l.excluded_meals,
        yuan(l.operating_subsidy), yuan(l.payout));
    if (l.inspection) {
      flagged += fmt::format("<li>{} {} — {} / {} 餐代刷 meals identified by a typed ID number</li>\n", esc(l.code),
                             esc(l.name), l.override_meals, l.meals_served);
    }
  }
  h += fmt::format(
      "<tr class=\"totals\"><td>合计 total</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
      "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td></td><td class=\"n\">{}</td>"
      "</tr>\n</tbody></table>\n",
      s.meals_served, s.meals_subsidised, yuan(s.meals_government), yuan(s.meals_elder), s.meals_override,
      s.meals_excluded, yuan(s.meals_payout));
  if (!flagged.empty()) {
    h += fmt::format("<h2>代刷比例超过 {}% 的助餐点 Canteens listed for inspection</h2>\n<ul>\n{}</ul>\n",
                     format_fixed(s.override_alert_share, 2), flagged);
  }
  return h;
}

}  // namespace

namespace {

constexpr const char* kStatusOpen = "<!--vnh:status-->";
constexpr const char* kStatusClose = "<!--/vnh:status-->";
constexpr const char* kApprovalOpen = "<!--vnh:approval-->";
constexpr const char* kApprovalClose = "<!--/vnh:approval-->";

std::string when(const std::optional<TimeMs>& t, const TimeZone& tz) {
  if (!t) return "";
  std::string s = format_time(*t, tz);  // 2026-11-02T10:00:00+08:00 → 2026-11-02 10:00
  return s.size() >= 16 ? s.substr(0, 10) + " " + s.substr(11, 5) : s;
}

std::string status_block(const StatementMeta& m) {
  if (!m.approved_by) {
    return fmt::format("<div class=\"status draft\">草稿 DRAFT · 未经审批，不得作为拨付依据 · 制表 {} · {}</div>",
                       esc(m.run_by), when(m.run_at, *m.tz));
  }
  return fmt::format("<div class=\"status approved\">已审批 APPROVED · 审批人 {} · {} · 制表 {} · {}</div>",
                     esc(*m.approved_by), when(m.approved_at, *m.tz), esc(m.run_by), when(m.run_at, *m.tz));
}

std::string approval_block(const StatementMeta& m) {
  return fmt::format(
      "<div class=\"signatures\">"
      "<div class=\"sign\"><span>制表人 prepared by</span><b>{}</b><i>{}</i></div>"
      "<div class=\"sign\"><span>审核人 approved by</span><b>{}</b><i>{}</i></div>"
      "<div class=\"sign\"><span>负责人签字 signature</span><b></b><i>日期 date</i></div></div>",
      esc(m.run_by), when(m.run_at, *m.tz), m.approved_by ? esc(*m.approved_by) : "", when(m.approved_at, *m.tz));
}

Result<std::string> replace_between(const std::string& html, const char* open, const char* close,
                                    const std::string& with) {
  auto a = html.find(open);
  auto b = html.find(close);
  if (a == std::string::npos || b == std::string::npos || b < a) {
    return internal("the stored statement has no status marker; re-run the month");
  }
  return html.substr(0, a + std::strlen(open)) + with + html.substr(b);
}

}  // namespace

Result<std::string> restamp_html(const std::string& html, const StatementMeta& meta) {
  VNH_ASSIGN_OR_RETURN(auto with_status, replace_between(html, kStatusOpen, kStatusClose, status_block(meta)));
  return replace_between(with_status, kApprovalOpen, kApprovalClose, approval_block(meta));
}

std::string render_html(const Settlement& s, const StatementMeta& meta) {
  std::string m = s.month.to_string();
  const Fen transfer = s.payout + s.meals_payout + s.adjustments_total;
  std::string h = fmt::format(R"(<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>补贴结算 Settlement {0}</title>
<style>
@page {{ size: A4; margin: 14mm 12mm 16mm;
  @bottom-center {{ content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 9pt; color: #555; }}
  @bottom-right {{ content: "{0} · {11}"; font-size: 8pt; color: #777; }} }}
body {{ font-family: "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; margin: 24px; color: #111; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} h2 {{ font-size: 15px; margin: 22px 0 6px; }}
.office {{ font-size: 14px; letter-spacing: 2px; }}
.meta {{ color: #555; font-size: 12px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 12px; }}
thead {{ display: table-header-group; }}
th, td {{ border: 1px solid #bbb; padding: 3px 6px; }} th {{ background: #eef2f7; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }} .code {{ color: #777; font-size: 11px; }}
.totals td {{ font-weight: bold; }} .review {{ color: #b00020; font-weight: bold; }}
.cards {{ display: flex; gap: 12px; flex-wrap: wrap; }} .card {{ border: 1px solid #bbb; padding: 8px 12px; }}
.card b {{ display: block; font-size: 18px; }}
.status {{ margin: 8px 0; padding: 6px 10px; font-weight: bold; border: 2px solid; }}
.status.draft {{ color: #b00020; border-color: #b00020; }} .status.approved {{ color: #1d7a3a; border-color: #1d7a3a; }}
.amount {{ font-size: 14px; margin: 8px 0; }} .amount b {{ font-size: 16px; }}
.signatures {{ display: flex; gap: 14px; margin-top: 28px; page-break-inside: avoid; }}
.sign {{ flex: 1; border-top: 1px solid #333; padding-top: 4px; font-size: 12px; }}
.sign span {{ display: block; color: #555; }} .sign b {{ display: block; min-height: 22px; font-size: 14px; }}
.sign i {{ font-style: normal; color: #555; }}
.seal {{ width: 150px; height: 110px; border: 1px dashed #999; color: #999; text-align: center; padding-top: 38px; font-size: 12px; }}
@media print {{ body {{ margin: 0; }} h2 {{ page-break-after: avoid; }} tr {{ page-break-inside: avoid; }}
  .cards .card {{ padding: 4px 8px; }} }}
</style></head><body>
<div class="office">{10}</div>
<h1>居家养老服务补贴结算单 · Home-care subsidy settlement {0}</h1>
{12}{13}{14}
<p class="meta">月份 month {0} ({1}) · 政策 policy 自 {9} 起施行，sha256 {2}</p>
<div class="cards">
<div class="card">本月应拨付 to transfer<b>¥{15}</b></div>
<div class="card">企业拨付 firms' payout<b>¥{3}</b></div>
<div class="card">补贴 subsidy S<b>¥{4}</b></div>
<div class="card">老人自付 co-pay<b>¥{5}</b></div>
<div class="card">扣款 deductions<b>¥{6}</b></div>
<div class="card">工单 tickets<b>{7} / {8}</b>合格 eligible / 完成 completed</div>
</div>
<p class="amount">本月应拨付合计（大写）：<b>{16}</b>（¥{15}）</p>
)",
                              m, esc(s.time_zone), s.policy_digest, yuan(s.payout), yuan(s.subsidy), yuan(s.copay),
                              yuan(s.deductions), s.tickets_eligible, s.tickets_completed, meta.policy_effective_from,
                              esc(meta.office), s.policy_digest.substr(0, 12), kStatusOpen, status_block(meta),
                              kStatusClose, yuan(transfer), chinese_capital_amount(transfer));
  h += "<h2>各企业结算 Firms</h2>\n<table><thead><tr><th>企业 firm</th><th>完成 completed</th><th>合格 eligible</th>"
       "<th>补贴 S (元)</th><th>自付 (元)</th><th>E</th><th>N</th><th>Q</th><th>H</th><th>T</th><th>系数 coef.</th>"
       "<th>扣款 (元)</th><th>拨付 payout (元)</th></tr></thead><tbody>\n";
  for (const auto& l : s.lines) {
    h += fmt::format(
        "<tr><td>{}<span class=\"code\"> {}</span>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        esc(l.name), esc(l.code), l.exit_review ? " <span class=\"review\">退出审查 exit review</span>" : "",
        l.tickets_completed, l.tickets_eligible, yuan(l.subsidy), yuan(l.copay), score(l.score_e), score(l.score_n),
        format_fixed(l.score_q, 2), score(l.score_h), score(l.score_total), score(l.coefficient), yuan(l.deductions),
        yuan(l.payout));
  }
  h += fmt::format(
      "<tr class=\"totals\"><td>全区合计 city total</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
      "<td class=\"n\">{}</td><td class=\"n\">{}</td><td colspan=\"6\"></td><td class=\"n\">{}</td>"
      "<td class=\"n\">{}</td></tr>\n</tbody></table>\n",
      s.tickets_completed, s.tickets_eligible, yuan(s.subsidy), yuan(s.copay), yuan(s.deductions), yuan(s.payout));
  if (!s.adjustments.empty()) {
    h += "<h2>以前月份更正 Adjustments of approved months</h2>\n<table><thead><tr><th>企业 firm</th>"
         "<th>更正月份 corrects</th><th>金额 amount (元)</th><th>原因 reason</th><th>录入 by</th></tr></thead><tbody>\n";
    for (const auto& a : s.adjustments) {
      h += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n", esc(a.firm_code),
                       esc(a.corrects_month), yuan(a.amount_fen), esc(a.reason), esc(a.created_by));
    }
    h += fmt::format("<tr class=\"totals\"><td colspan=\"2\">合计 total</td><td class=\"n\">{}</td><td colspan=\"2\">"
                     "本月应拨付 to transfer: ¥{}</td></tr>\n</tbody></table>\n",
                     yuan(s.adjustments_total), yuan(s.payout + s.adjustments_total));
  }
  h += "<h2>拨付图 Payout by firm</h2>\n" + payout_chart(s) + "\n";
  h += breakdown_table(s.by_category, "按服务类别 By service category", "类别 category");
  h += breakdown_table(s.by_street, "按街道 By street", "街道 street");
  h += canteen_table(s);
  h += fmt::format(
      "<h2>拨付汇总 Transfer</h2>\n<table><tbody>\n<tr><td>企业拨付 firms</td><td class=\"n\">{}</td></tr>\n"
      "<tr><td>助餐点拨付 canteens</td><td class=\"n\">{}</td></tr>\n<tr><td>以前月份更正 adjustments</td><td class=\"n\">{}</td></tr>\n"
      "<tr class=\"totals\"><td>合计 total · {}</td><td class=\"n\">{}</td></tr>\n</tbody></table>\n",
      yuan(s.payout), yuan(s.meals_payout), yuan(s.adjustments_total), chinese_capital_amount(transfer), yuan(transfer));
  h += "<p class=\"meta\">补贴 S = 合格工单政府承担部分之和；拨付 = max(0, round(S × 系数) − 扣款)；助餐点拨付 = 政府补贴 + 运营补贴。"
       " Each firm's and each canteen's statement lists every ticket and meal with its rule or the reason it is excluded.</p>\n";
  h += std::string(kApprovalOpen) + approval_block(meta) + kApprovalClose + "\n";
  h += fmt::format("<div class=\"seal\">（单位盖章 seal）<br>{}</div>\n</body></html>\n", esc(meta.office));
  return h;
}

}  // namespace vnh::settlement
