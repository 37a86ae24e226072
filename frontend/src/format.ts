// The signed-in user's display settings (profile.date_format, profile.negative_style) and the
// date formatter. auth.ts calls applyPrefs() whenever the user changes, so every formatter picks up
// a saved profile at once; the shell re-renders on that change and with it every page.
// Display only: CSV exports and API payloads keep plain machine values (ISO dates, minus signs).

export type DateFormat = "YYYY-MM-DD" | "DD/MM/YYYY" | "MM/DD/YYYY" | "DD.MM.YYYY";
export type NegativeStyle = "minus" | "parentheses";

export const DATE_FORMATS: DateFormat[] = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];
export const NEGATIVE_STYLES: [NegativeStyle, string][] = [
  ["minus", "-1,234.00"],
  ["parentheses", "(1,234.00)"],
];

let dateFormat: DateFormat = "YYYY-MM-DD";
let negStyle: NegativeStyle = "minus";

export function applyPrefs(profile: { date_format?: string; negative_style?: string } | null | undefined) {
  dateFormat = DATE_FORMATS.includes(profile?.date_format as DateFormat) ? (profile!.date_format as DateFormat) : "YYYY-MM-DD";
  negStyle = profile?.negative_style === "parentheses" ? "parentheses" : "minus";
}

export function negativeStyle(): NegativeStyle {
  return negStyle;
}

/** "2026-01-15" (or an ISO datetime, whose date part is taken) in the user's date format. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m;
  switch (dateFormat) {
    case "DD/MM/YYYY": return `${d}/${mo}/${y}`;
    case "MM/DD/YYYY": return `${mo}/${d}/${y}`;
    case "DD.MM.YYYY": return `${d}.${mo}.${y}`;
    default: return `${y}-${mo}-${d}`;
  }
}

/** An ISO datetime as "<date in the user's format> HH:MM:SS" (as the server sent it). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const time = /T(\d{2}:\d{2}:\d{2})/.exec(iso)?.[1];
  return time ? `${formatDate(iso)} ${time}` : formatDate(iso);
}
