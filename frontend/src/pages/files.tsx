// The documents inbox: drop files (or pick them) to keep them, see each one's kind, size, text
// extraction state and links; preview, download, replace with a new version, move out of the inbox,
// delete. "Inbox" documents wait to become draft bills or expenses. One document's page (where a
// search hit opens): its details, links and inline preview.
import { useEffect, useState } from "preact/hooks";
import { api, fetchBlob, qs, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { downloadFile, FILES_API, formatSize, previewFile, RECORD_LABELS, replaceFile, uploadFile, type KeptFile } from "../files";
import { formatDate } from "../format";
import { invalidate, useQuery } from "../query";
import { Async, Empty, Page, Pager, StatusChip, toast, toastError } from "../ui";

const PAGE_SIZE = 50;

export function DocumentsInbox() {
  const { user } = useAuth();
  const editable = can(user, "documents.edit");
  const [filter, setFilter] = useState<"inbox" | "all">("all");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [busy, setBusy] = useState(0);
  const [over, setOver] = useState(false);
  const q = useQuery<PageT<KeptFile>>(`${FILES_API}${qs({ inbox: filter === "inbox" ? "true" : undefined, search, page, page_size: PAGE_SIZE })}`);
  const send = async (files: File[], inbox: boolean) => {
    setBusy((n) => n + files.length);
    for (const f of files) {
      try {
        await uploadFile(f, inbox ? { inbox: "true" } : {});
        toast(`${f.name} uploaded`);
      } catch (err) {
        toastError(err);
      } finally {
        setBusy((n) => n - 1);
      }
    }
    invalidate(FILES_API);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (editable) send(Array.from(e.dataTransfer?.files ?? []), true);
  };
  const picked = (e: Event) => {
    const input = e.target as HTMLInputElement;
    send(Array.from(input.files ?? []), true);
    input.value = "";
  };
  return (
    <Page title="Documents" crumbs={[["Documents"]]}>
      {editable && (
        <div
          class={`dropzone ${over ? "over" : ""}`}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          data-testid="dropzone"
        >
          <p>Drop receipts, bills and statements here (PDF, images, CSV, XLSX, text, e-mail), or</p>
          <label class="button primary">
            Choose files
            <input type="file" multiple hidden onChange={picked} aria-label="Choose files" />
          </label>
          {busy > 0 && <p class="muted">Uploading {busy} file(s)…</p>}
        </div>
      )}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Show <select name="show" value={filter} onChange={(e) => { setFilter((e.target as HTMLSelectElement).value as "inbox" | "all"); setPage(1); }}>
          <option value="all">All documents</option>
          <option value="inbox">Inbox only</option>
        </select></label>
        <label>Name <input name="search" type="search" value={search} onInput={(e) => { setSearch((e.target as HTMLInputElement).value); setPage(1); }} /></label>
      </form>
      <Async q={q} missing="Documents">
        {(data) => data.results.length === 0 ? <Empty>No documents{search || filter === "inbox" ? " match" : " yet: drop some above"}.</Empty> : (
          <>
            <div class="table-wrap">
              <table class="table file-list">
                <thead><tr><th>Name</th><th>Kind</th><th class="num">Size</th><th>Text</th><th>Attached to</th><th>Added</th><th /></tr></thead>
                <tbody>
                  {data.results.map((f) => <FileRow key={f.id} f={f} editable={editable} />)}
                </tbody>
              </table>
            </div>
            <Pager page={page} count={data.count} size={PAGE_SIZE} next={data.next} previous={data.previous} onPage={setPage} noun="documents" />
          </>
        )}
      </Async>
    </Page>
  );
}

function FileRow({ f, editable }: { f: KeptFile; editable: boolean }) {
  const refresh = () => invalidate(FILES_API);
  const replace = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      await replaceFile(f.id, file);
      toast(`${f.name}: new version uploaded`);
      refresh();
    } catch (err) {
      toastError(err);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${f.name} and all its versions?`)) return;
    try {
      await api("DELETE", `${FILES_API}${f.id}/`);
      toast(`${f.name} deleted`);
      refresh();
    } catch (err) {
      toastError(err);
    }
  };
  const toggleInbox = async () => {
    try {
      await api("PATCH", `${FILES_API}${f.id}/`, { body: { inbox: !f.inbox } });
      refresh();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <tr data-file={f.name} data-id={f.id}>
      <td>{f.name}{f.inbox && <> <StatusChip status="draft" label="inbox" /></>}{f.current_version > 1 && <span class="muted"> v{f.current_version}</span>}</td>
      <td>{f.kind.toUpperCase()}</td>
      <td class="num">{formatSize(f.size)}</td>
      <td title={f.text_error ?? undefined}>{f.text_state ?? "—"}</td>
      <td>{f.links.length === 0 ? <span class="muted">—</span> : f.links.map((l) => RECORD_LABELS[l.record_kind]).join(", ")}</td>
      <td>{formatDate(f.created_at.slice(0, 10))}</td>
      <td class="row-actions">
        {f.previewable && <button class="link" onClick={() => previewFile(f).catch(toastError)}>Preview</button>}
        <button class="link" onClick={() => downloadFile(f).catch(toastError)}>Download</button>
        {editable && (
          <>
            <label class="link">Replace<input type="file" hidden onChange={replace} aria-label={`Replace ${f.name}`} /></label>
            <button class="link" onClick={toggleInbox}>{f.inbox ? "Out of inbox" : "To inbox"}</button>
            <button class="link" onClick={remove}>Delete</button>
          </>
        )}
      </td>
    </tr>
  );
}

/** A document's inline preview (PDF or image), fetched with the token into a blob: URL. */
export function Preview({ file }: { file: string }) {
  const [url, setUrl] = useState<{ href: string; image: boolean } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let href = "";
    fetchBlob(`/api/documents/${file}/preview/`, "application/pdf, image/*")
      .then((b) => { href = URL.createObjectURL(b); setUrl({ href, image: b.type.startsWith("image/") }); })
      .catch(() => setFailed(true));
    return () => { if (href) URL.revokeObjectURL(href); };
  }, [file]);
  if (failed) return <p class="muted">No preview for this document.</p>;
  if (!url) return <p class="muted">Loading preview…</p>;
  return url.image ? <img class="capture-preview" src={url.href} alt="Document preview" /> : <iframe class="capture-preview" src={url.href} title="Document preview" />;
}


/** One document (`/documents/{id}`, where a search hit opens): details, links, preview. */
export function DocumentPage({ id }: { id: string }) {
  const q = useQuery<KeptFile>(`${FILES_API}${id}/`);
  return (
    <Async q={q} missing="Document">
      {(f) => (
        <Page title={f.name} crumbs={[["Documents", "/documents"], [f.name]]}
          actions={<button onClick={() => downloadFile(f).catch(toastError)}>Download</button>}>
          <section class="document-page" data-id={f.id}>
            <p class="muted">{f.kind.toUpperCase()} · {formatSize(f.size)} · text {f.text_state ?? "—"} · added {formatDate(f.created_at.slice(0, 10))}{f.inbox ? " · in the inbox" : ""}</p>
            <p>Attached to: {f.links.length === 0 ? <span class="muted">nothing yet</span> : f.links.map((l) => RECORD_LABELS[l.record_kind]).join(", ")}</p>
            {f.previewable ? <Preview file={f.id} /> : <p class="muted">No preview for this kind of document.</p>}
          </section>
        </Page>
      )}
    </Async>
  );
}
