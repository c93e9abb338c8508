import { formatValue, verdict, type Figure } from "./figures.js";

/** The figures as a Markdown table (readable in a terminal, pasteable into BENCHMARKS.md). */
export function markdownTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.benchmark,
    f.metric,
    formatValue(f.value, f.unit),
    f.unit,
    f.target === undefined ? "" : `${f.target.comparison} ${formatValue(f.target.value, f.unit)}`,
    verdict(f),
  ]);
  const header = ["benchmark", "metric", "value", "unit", "target", "status"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
