// Documents a firm keeps (files: `/api/documents/`; in the code "documents" are invoices and bills):
// their shape, upload (multipart, one file per request), download and preview through the same token.
import { api, fetchBlob, qs } from "./api";
import { downloadBlob } from "./ui";

export const FILES_API = "/api/documents/";

export type RecordKind = "entry" | "invoice" | "credit_note" | "bill" | "vendor_credit" | "payment" | "contact" | "bank_line" | "item";

export interface FileLink {
  record_kind: RecordKind;
  record_id: string;
  linked_by: string | null;
  linked_at: string;
}

export interface FileVersion {
  version: number;
  sha256: string;
  size: number;
  media_type: string;
  original_name: string;
  uploaded_at: string;
  text_state: string | null;
  text_error: string | null;
}

export interface KeptFile {
  id: string;
  company: string;
  name: string;
  kind: string;
  size: number;
  media_type: string;
  current_version: number;
  inbox: boolean;
  previewable: boolean;
  text_state: string | null;
  text_error: string | null;
  links: FileLink[];
  versions: FileVersion[];
  created_at: string;
  updated_at: string;
}

export const RECORD_LABELS: Record<RecordKind, string> = {
  entry: "Journal entry",
  invoice: "Invoice",
  credit_note: "Credit note",
  bill: "Bill",
  vendor_credit: "Vendor credit",
  payment: "Payment",
  contact: "Contact",
  bank_line: "Bank line",
  item: "Item",
};

/** Bytes as the list shows them: 512 B, 12.4 KB, 3.1 MB. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Uploads one file; `fields` are the form's other fields (inbox, record_kind, record_id). */
export function uploadFile(file: File, fields: Record<string, string> = {}): Promise<KeptFile> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", file, file.name);
  return api<KeptFile>("POST", FILES_API, { raw: form });
}

export function replaceFile(id: string, file: File): Promise<KeptFile> {
  const form = new FormData();
  form.append("file", file, file.name);
  return api<KeptFile>("POST", `${FILES_API}${id}/versions/`, { raw: form });
}

export async function downloadFile(f: KeptFile, version?: number) {
  const blob = await fetchBlob(`${FILES_API}${f.id}/download/${qs({ version })}`, f.media_type);
  downloadBlob(blob, f.name);
}

/** Opens the inline preview (PDF or image) in a new tab, as a blob: URL fetched with the token. */
export async function previewFile(f: KeptFile) {
  const tab = window.open("", "_blank");
  const blob = await fetchBlob(`${FILES_API}${f.id}/preview/`, f.media_type);
  const url = URL.createObjectURL(blob);
  if (tab) tab.location.href = url;
  else window.location.href = url;
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function linkFile(id: string, record_kind: RecordKind, record_id: string): Promise<KeptFile> {
  return api<KeptFile>("POST", `${FILES_API}${id}/links/`, { body: { record_kind, record_id } });
}

export function unlinkFile(id: string, record_kind: RecordKind, record_id: string): Promise<unknown> {
  return api("DELETE", `${FILES_API}${id}/links/${record_kind}/${record_id}/`);
}
