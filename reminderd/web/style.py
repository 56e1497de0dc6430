"""The page's one stylesheet, inlined: system fonts (with the CJK ones a Chinese reader has),
a calm palette where only what is overdue is red, one column on a phone, two on a desktop,
and a print style without shadows or buttons."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1c2430; --muted: #5d6878; --line: #e3e7ee; --page: #f4f6f9; --card: #fff;
  --calm: #0f766e; --calm-soft: #e6f4f2; --urgent: #c0262d; --urgent-soft: #fdecec;
  --warn: #b45309; --bar: #3b82a6;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC",
    "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
    "WenQuanYi Micro Hei", sans-serif;
  font-variant-numeric: tabular-nums;
}
main { max-width: 1120px; margin: 0 auto; padding: 20px 16px 40px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between;
  gap: 4px 16px; }
h1 { font-size: 1.15rem; margin: 0; letter-spacing: .01em; }
h2 { font-size: 1rem; margin: 0 0 12px; color: var(--ink); }
h3 { font-size: 1rem; margin: 0 0 10px; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
.card, .stat, .hero, .dues li {
  background: var(--card); border: 1px solid var(--line); border-radius: 14px;
  box-shadow: 0 1px 2px rgba(16, 24, 40, .04);
}
section { margin-top: 22px; }
.hero { margin-top: 14px; padding: 22px 22px 18px; border-top: 5px solid var(--calm); }
.hero .label { margin: 0; color: var(--muted); font-size: .95rem; }
.hero .big { margin: 2px 0 4px; font-size: clamp(2.2rem, 9vw, 3.4rem); font-weight: 700;
  line-height: 1.1; letter-spacing: -.02em; }
.hero .ends { margin: 0; font-size: 1.05rem; color: var(--calm); font-weight: 600; }
.alert { margin: 14px 0 0; padding: 14px 16px; border-radius: 12px; font-weight: 600;
  background: var(--urgent-soft); color: var(--urgent); border: 1px solid #f5c2c4; }
.alert strong { display: inline-block; width: 1.5em; height: 1.5em; line-height: 1.5em;
  text-align: center; border-radius: 50%; background: var(--urgent); color: #fff;
  margin-right: 6px; }
.notice { margin: 14px 0 0; padding: 12px 16px; border-radius: 12px; background: var(--calm-soft);
  color: var(--calm); font-weight: 600; }
.stats { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
.stat { padding: 14px 14px 12px; display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.stat .label { color: var(--muted); font-size: .85rem; }
.stat .amount { font-size: clamp(1rem, 4.4vw, 1.3rem); font-weight: 700; white-space: nowrap; }
.stat .sub { font-size: .85rem; color: var(--muted); }
.stat.urgent { background: var(--urgent-soft); border-color: #f5c2c4; }
.stat.urgent .amount, .stat.urgent .label, .stat.urgent .sub { color: var(--urgent); }
.stat.warn .sub { color: var(--warn); font-weight: 600; }
.dues { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.dues li { display: grid; grid-template-columns: 1fr auto; gap: 6px 14px; padding: 14px 16px;
  border-left: 5px solid var(--calm); }
.dues li.overdue { border-left-color: var(--urgent); background: #fffafa; }
.dues .when { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 4px 10px;
  align-items: center; font-size: .9rem; }
.badge { font-size: .75rem; font-weight: 700; padding: 2px 8px; border-radius: 999px;
  background: var(--calm-soft); color: var(--calm); }
.overdue .badge { background: var(--urgent); color: #fff; }
.overdue .rel { color: var(--urgent); font-weight: 700; }
.rel { color: var(--muted); }
.what .name { font-weight: 600; }
.what .rem { display: block; font-size: .8rem; color: var(--muted); }
.pay-col { display: flex; flex-direction: column; align-items: flex-end; gap: 6px; }
.owe { font-weight: 700; font-size: 1.1rem; white-space: nowrap; }
.overdue .owe { color: var(--urgent); }
.pay button { font: inherit; font-weight: 600; font-size: .9rem; padding: 6px 16px;
  border-radius: 999px; border: 0; background: var(--calm); color: #fff; cursor: pointer;
  min-height: 36px; }
.overdue .pay button { background: var(--urgent); }
.pay button:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.charts { display: grid; gap: 14px; }
figure { margin: 0; padding: 16px; }
figcaption { font-size: .8rem; color: var(--muted); margin-top: 6px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .tick, svg .month { font-size: 11px; fill: var(--muted); font-family: inherit; }
svg .bar { fill: var(--bar); }
svg .bar.over { fill: var(--warn); }
svg .budget { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 5 4; }
svg .area { fill: var(--calm-soft); }
svg .line { fill: none; stroke: var(--calm); stroke-width: 2.5; stroke-linejoin: round; }
svg .point { fill: var(--calm); }
.loans { display: grid; gap: 12px; }
.loan { padding: 16px; }
.loan.overdue { border-color: #f5c2c4; }
.loan dl { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 10px 0 6px; }
.loan dt { font-size: .8rem; color: var(--muted); }
.loan dd { margin: 0; font-weight: 600; }
.loan .urgent dt, .loan .urgent dd { color: var(--urgent); }
.loan p { margin: 4px 0 0; }
.loan .late { color: var(--urgent); font-weight: 600; font-size: .85rem; }
.loan a.case { color: var(--calm); font-weight: 600; }
.tag { font-size: .72rem; font-weight: 600; margin-left: 8px; padding: 1px 8px;
  border-radius: 999px; background: var(--line); color: var(--muted); vertical-align: 2px; }
.bar-track { height: 8px; border-radius: 999px; background: var(--line); overflow: hidden; }
.bar-fill { height: 100%; background: var(--calm); border-radius: 999px; }
code { font-size: .8rem; background: var(--page); padding: 1px 5px; border-radius: 6px;
  overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line);
  border-radius: 14px; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
td { padding: 10px 14px; border-top: 1px solid var(--line); vertical-align: top; }
tr:first-child td { border-top: 0; }
td.num { text-align: right; font-weight: 600; white-space: nowrap; }
footer { margin-top: 28px; font-size: .8rem; color: var(--muted); text-align: center; }
@media (max-width: 600px) {
  svg .tick, svg .month { font-size: 15px; }
  .payments tr { display: grid; grid-template-columns: 1fr auto;
    border-top: 1px solid var(--line); }
  .payments tr:first-child { border-top: 0; }
  .payments td { border: 0; padding: 8px 14px 0; }
  .payments td:last-child { grid-column: 1 / -1; padding-bottom: 10px; font-size: .8rem; }
  .payments td:nth-child(3) { grid-row: 1; grid-column: 2; }
}
@media (min-width: 760px) {
  main { padding: 28px 28px 48px; }
  .stats { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .charts { grid-template-columns: 1fr 1fr; }
  .loans { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
  .hero { padding: 26px 28px 22px; }
}
@media print {
  body { background: #fff; font-size: 12pt; print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  .card, .stat, .hero, .dues li, .table-wrap { box-shadow: none; break-inside: avoid; }
  .pay, .notice { display: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  .stats { grid-template-columns: repeat(4, 1fr); }
}
"""
