// The attachments panel of a record page (entry, invoice, credit note, bill, vendor credit, payment,
// contact, item): the record's documents, upload-and-attach, attach one already kept, detach, download.
import { useState } from "preact/hooks";
import { qs, type Page as PageT } from "./api";
import { can, useAuth } from "./auth";
import { downloadFile, FILES_API, formatSize, linkFile, previewFile, unlinkFile, uploadFile, type KeptFile, type RecordKind } from "./files";
import { invalidate, useQuery } from "./query";
import { Async, toast, toastError } from "./ui";

export function AttachmentsPanel({ kind, id }: { kind: RecordKind; id: string }) {
  const { user } = useAuth();
  const editable = can(user, "documents.edit");
  const path = `${FILES_API}${qs({ record_kind: kind, record_id: id, page_size: 100 })}`;
  const q = useQuery<PageT<KeptFile>>(can(user, "documents.view") ? path : null);
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const refresh = () => invalidate(FILES_API);
  const attachNew = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    setBusy(true);
    try {
      for (const f of files) {
        await uploadFile(f, { record_kind: kind, record_id: id });
        toast(`${f.name} attached`);
      }
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
      input.value = "";
      refresh();
    }
  };
  const detach = async (f: KeptFile) => {
    try {
      await unlinkFile(f.id, kind, id);
      toast(`${f.name} detached`);
      refresh();
    } catch (err) {
      toastError(err);
    }
  };
  if (!can(user, "documents.view")) return null;
  return (
    <section class="attachments" aria-label="Attachments" data-record-kind={kind}>
      <h2>Attachments</h2>
      <Async q={q}>
        {(data) => (
          <>
            {data.results.length === 0 ? <p class="muted">No documents attached.</p> : (
              <ul class="attachment-list">
                {data.results.map((f) => (
                  <li key={f.id} data-file={f.name}>
                    <span class="attachment-name">{f.name}</span> <span class="muted">{f.kind.toUpperCase()} · {formatSize(f.size)}</span>{" "}
                    {f.previewable && <button class="link" onClick={() => previewFile(f).catch(toastError)}>Preview</button>}
                    <button class="link" onClick={() => downloadFile(f).catch(toastError)}>Download</button>
                    {editable && <button class="link" onClick={() => detach(f)}>Detach</button>}
                  </li>
                ))}
              </ul>
            )}
            {editable && (
              <div class="attachment-actions">
                <label class="button">
                  {busy ? "Uploading…" : "Upload and attach"}
                  <input type="file" multiple hidden onChange={attachNew} disabled={busy} aria-label="Upload and attach" />
                </label>
                <button onClick={() => setPicking(!picking)}>Attach existing</button>
              </div>
            )}
            {picking && <Picker kind={kind} id={id} linked={data.results.map((f) => f.id)} onDone={() => { setPicking(false); refresh(); }} />}
          </>
        )}
      </Async>
    </section>
  );
}

/** A kept document to attach: searched by name among the newest. */
function Picker({ kind, id, linked, onDone }: { kind: RecordKind; id: string; linked: string[]; onDone: () => void }) {
  const [search, setSearch] = useState("");
  const q = useQuery<PageT<KeptFile>>(`${FILES_API}${qs({ search, page_size: 20 })}`);
  const attach = async (f: KeptFile) => {
    try {
      await linkFile(f.id, kind, id);
      toast(`${f.name} attached`);
      onDone();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div class="attachment-picker">
      <input type="search" placeholder="Find a document by name" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} aria-label="Find a document" />
      <Async q={q}>
        {(data) => (
          <ul>
            {data.results.filter((f) => !linked.includes(f.id)).map((f) => (
              <li key={f.id}><button class="link" onClick={() => attach(f)}>{f.name}</button> <span class="muted">{formatSize(f.size)}</span></li>
            ))}
          </ul>
        )}
      </Async>
    </div>
  );
}
