/** A goal a figure is compared with. */
export interface Target {
  comparison: ">=" | "<=";
  value: number;
}

/** One number a benchmark reports. */
export interface Figure {
  benchmark: string;
  metric: string;
  value: number;
  unit: string;
  /** Absent for figures reported for information only. */
  target?: Target;
}

/** A maker of one benchmark's figures: `figuresOf("CLI drill")("wall time", 1.2, "s", { comparison: "<=", value: 5 })`. */
export function figuresOf(benchmark: string): (metric: string, value: number, unit: string, target?: Target) => Figure {
  return (metric, value, unit, target) => ({ benchmark, metric, value, unit, ...(target === undefined ? {} : { target }) });
}

/** `PASS` or `MISS` against the figure's target, `-` when it has none. */
export function verdict(figure: Figure): "PASS" | "MISS" | "-" {
  const { target } = figure;
  if (target === undefined) return "-";
  const met = target.comparison === ">=" ? figure.value >= target.value : figure.value <= target.value;
  return met ? "PASS" : "MISS";
}

/** Formats a value for a table: ratios with 3 decimals, small numbers with 2, the rest grouped. */
export function formatValue(value: number, unit: string): string {
  if (unit === "x") return value.toFixed(3);
  if (Math.abs(value) < 100 && !Number.isInteger(value)) return value.toFixed(2);
  return Math.round(value).toLocaleString("en-US");
}
