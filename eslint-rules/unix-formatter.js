// ESLint 9 dropped the built-in "unix" formatter; this is the same
// one-problem-per-line shape (path:line:col: message [Severity/rule]) so
// reports stay greppable without another dependency.
// Usage: npx eslint . -f ./eslint-rules/unix-formatter.js
export default function unixFormatter(results) {
  const lines = [];
  for (const result of results) {
    for (const m of result.messages) {
      const severity = m.fatal || m.severity === 2 ? "Error" : "Warning";
      const rule = m.ruleId ? `/${m.ruleId}` : "";
      lines.push(`${result.filePath}:${m.line ?? 0}:${m.column ?? 0}: ${m.message} [${severity}${rule}]`);
    }
  }
  if (lines.length > 0) lines.push("", `${lines.length} problem${lines.length === 1 ? "" : "s"}`);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
