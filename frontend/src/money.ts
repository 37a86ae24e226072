// Money without floats: amounts arrive as decimal strings ("116.00") and are summed as BigInt
// minor units. Only formatting for display goes through Intl.NumberFormat (grouping, locale), and
// negatives follow the user's profile.negative_style ("-1,234.00" or "(1,234.00)"). CSV exports
// do not use these formatters: they keep the API's plain values with a minus sign.
import { negativeStyle } from "./format";

const DECIMALS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

export function decimals(currency: string): number {
  if (currency in DECIMALS) return DECIMALS[currency];
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Parses "1,234.5" / "-12" / "" into minor units; null when it is not a number or has too many decimals. */
export function toMinor(text: string | null | undefined, dp: number): bigint | null {
  const s = (text ?? "").trim().replace(/[,\s_]/g, "");
  if (s === "") return 0n;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const frac = m[3] ?? "";
  if (frac.length > dp) return null;
  const v = BigInt((m[2] || "0") + frac.padEnd(dp, "0"));
  return m[1] ? -v : v;
}

/** Minor units back to a plain decimal string ("1234.50"), as the API takes it. */
export function fromMinor(v: bigint, dp: number): string {
  const neg = v < 0n;
  const a = (neg ? -v : v).toString().padStart(dp + 1, "0");
  const s = dp ? `${a.slice(0, -dp)}.${a.slice(-dp)}` : a;
  return neg ? `-${s}` : s;
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(dp: number): Intl.NumberFormat {
  const key = String(dp);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { minimumFractionDigits: dp, maximumFractionDigits: dp, useGrouping: true });
    formatters.set(key, f);
  }
  return f;
}

/** Formats minor units with locale grouping, exactly: the integer part is formatted as BigInt. */
export function formatMinor(v: bigint, dp: number): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const scale = 10n ** BigInt(dp);
  const whole = abs / scale;
  const frac = abs % scale;
  const f = formatter(dp);
  // Locale separators, taken from a sample.
  const parts = f.formatToParts(1.5);
  const decSep = parts.find((p) => p.type === "decimal")?.value ?? ".";
  const intText = new Intl.NumberFormat(undefined, { useGrouping: true, maximumFractionDigits: 0 }).format(whole);
  const text = dp ? `${intText}${decSep}${frac.toString().padStart(dp, "0")}` : intText;
  if (!neg) return text;
  return negativeStyle() === "parentheses" ? `(${text})` : `-${text}`;
}

export function formatAmount(text: string | null | undefined, currency: string): string {
  const dp = decimals(currency);
  const v = toMinor(text, dp) ?? toMinor(normalize(text ?? "", dp), dp);
  return v === null ? (text ?? "") : formatMinor(v, dp);
}

/** Rounds a string with more decimals than the currency has (should not happen with API data). */
function normalize(text: string, dp: number): string {
  const [i, f = ""] = text.split(".");
  return dp ? `${i}.${f.slice(0, dp)}` : i;
}
