/** One step of a compiled glob: a literal character (ASCII-lower-cased), `*` or `**`. */
type GlobToken = { kind: "char"; code: number } | { kind: "star" } | { kind: "globstar" };

const SLASH = 0x2f;

function foldCase(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/**
 * A fault-rule path glob, compiled: `*` matches any run of characters within one path segment,
 * `**` any run across segments, everything else itself (ASCII case-insensitively: URL paths are
 * ASCII, non-ASCII arrives percent-encoded).
 *
 * Matching simulates every position the pattern could be at side by side, one path character at a
 * time, so it takes at most `path length x pattern length` steps whatever the pattern: no
 * backtracking, hence no blow-up on patterns such as `*a*a*a*a*b` that sink a regular expression.
 */
export class GlobMatcher {
  private readonly tokens: GlobToken[] = [];
  /** Per pattern position, the step at which it was last made active (dedupes the active set). */
  private readonly seenAt: Int32Array;

  constructor(readonly glob: string) {
    for (let i = 0; i < glob.length; i++) {
      const code = glob.charCodeAt(i);
      if (code !== 0x2a) {
        this.tokens.push({ kind: "char", code: foldCase(code) });
        continue;
      }
      const isGlobstar = glob.charCodeAt(i + 1) === 0x2a;
      if (isGlobstar) i++;
      const previous = this.tokens[this.tokens.length - 1];
      // Adjacent stars match what the widest of them matches alone.
      if (previous !== undefined && previous.kind !== "char") {
        if (isGlobstar) this.tokens[this.tokens.length - 1] = { kind: "globstar" };
      } else this.tokens.push(isGlobstar ? { kind: "globstar" } : { kind: "star" });
    }
    this.seenAt = new Int32Array(this.tokens.length + 1).fill(-1);
  }

  /** Whether the whole of `path` matches the glob. */
  matches(path: string): boolean {
    this.seenAt.fill(-1);
    let active: number[] = [];
    let next: number[] = [];
    this.activate(0, 0, active);
    for (let i = 0; i < path.length && active.length > 0; i++) {
      const code = foldCase(path.charCodeAt(i));
      const step = i + 1;
      next.length = 0;
      for (const position of active) {
        const token = this.tokens[position];
        if (token === undefined) continue; // the end of the pattern consumes nothing
        if (token.kind === "char") {
          if (token.code === code) this.activate(position + 1, step, next);
        } else if (token.kind === "globstar" || code !== SLASH) this.activate(position, step, next);
      }
      [active, next] = [next, active];
    }
    return active.includes(this.tokens.length);
  }

  /** Adds `position` to `into`, and the positions after it reachable by matching stars with nothing. */
  private activate(position: number, step: number, into: number[]): void {
    for (let p = position; p <= this.tokens.length && this.seenAt[p] !== step; p++) {
      this.seenAt[p] = step;
      into.push(p);
      if (this.tokens[p]?.kind === "char" || p === this.tokens.length) return;
    }
  }
}
