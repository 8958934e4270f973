/**
 * Reading one spreadsheet cell: the services turn exceljs values into these plain
 * ones (rich text and formula results flattened), the rules here decide what a
 * cell means. Pure; dates become `YYYY-MM-DD` without touching the time zone.
 */
import { formatDay, MAX_YEAR, MIN_YEAR, parseDate, yearOf, type DayNum } from "~/domain/calendar";

/** A cell as the import sees it. Excel date cells arrive as Date (UTC midnight of the day shown). */
export type LedgerCell = string | number | boolean | Date | null;

const MS_PER_DAY = 86_400_000;
/** Excel's serial day 25569 is 1970-01-01 (serials count from 1899-12-30, Lotus's leap-year bug included). */
const EXCEL_EPOCH_OFFSET = 25_569;

/** The cell as text, trimmed; numbers as written ("120000", not "1.2e5"); empty for blanks. */
export function cellText(cell: LedgerCell): string {
  if (cell === null || cell === undefined) return "";
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? "" : formatDay(Math.floor(cell.getTime() / MS_PER_DAY));
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  if (typeof cell === "boolean") return cell ? "是" : "否";
  return cell.replace(/\u00a0/g, " ").trim();
}

export function isBlank(cell: LedgerCell): boolean {
  return cellText(cell) === "";
}

export type DateReading = { ok: true; day: DayNum | null } | { ok: false; message: string };

/**
 * A date cell: an Excel date, an Excel serial number (a date cell that lost its
 * format), or text `YYYY-MM-DD`. Blank reads as no date; anything else, or a day
 * that does not exist (2026-02-30), is a problem naming the column and the value.
 *
 * @example readDate("2026-02-30", "签约日期") // → { ok: false, message: "签约日期「2026-02-30」不是有效日期…" }
 */
export function readDate(cell: LedgerCell, label: string): DateReading {
  if (isBlank(cell)) return { ok: true, day: null };
  let day: DayNum | null = null;
  if (cell instanceof Date) {
    // exceljs reads a date cell as the UTC instant of the serial; the UTC day is the day Excel shows.
    day = Number.isNaN(cell.getTime()) ? null : Math.floor(cell.getTime() / MS_PER_DAY);
  } else if (typeof cell === "number") {
    day = Number.isFinite(cell) && cell >= 1 ? Math.floor(cell) - EXCEL_EPOCH_OFFSET : null;
  } else if (typeof cell === "string") {
    day = parseDate(cell.trim());
  }
  const shown = typeof cell === "string" ? cell.trim() : cellText(cell);
  if (day === null) return { ok: false, message: `${label}「${shown}」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）` };
  const year = yearOf(day);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return { ok: false, message: `${label}「${formatDay(day)}」超出支持的年份范围（${MIN_YEAR}–${MAX_YEAR}）` };
  }
  return { ok: true, day };
}

export type NumberReading = { ok: true; value: number | null } | { ok: false; message: string };

/**
 * A number cell, or text holding one ("1,200" and "1200.5" included). Blank reads
 * as no value.
 */
export function readNumber(cell: LedgerCell, label: string): NumberReading {
  if (isBlank(cell)) return { ok: true, value: null };
  if (typeof cell === "number") return Number.isFinite(cell) ? { ok: true, value: cell } : { ok: false, message: `${label}不是有效数字` };
  const text = cellText(cell).replace(/[,，\s]/g, "");
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return { ok: true, value: Number(text) };
  return { ok: false, message: `${label}「${cellText(cell)}」不是有效数字` };
}

/**
 * A list of names in one cell, separated by 、 , ， ; ； or line breaks, blanks dropped.
 *
 * @example splitNames("王敏、李强, ") // → ["王敏", "李强"]
 */
export function splitNames(cell: LedgerCell): string[] {
  return cellText(cell)
    .split(/[、,，;；\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
