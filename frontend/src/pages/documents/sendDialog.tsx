// E-mailing an issued sales document's PDF: the dialog of the document page. A document goes only
// to its contact's addresses; another address is sent to only when it is saved on the contact too.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { CONTACTS, type Contact, type Doc, type KindInfo } from "../../documents";
import { invalidate, useQuery } from "../../query";
import { Dialog, FieldError, fieldErrors, FormErrors, toast } from "../../ui";

/** E-mails the PDF to the contact: all its addresses, or those ticked, plus any typed (then saved on
 * the contact, which the box must say). Subject and message are optional (the server fills them in). */
export function SendDialog({ doc, k, onClose }: { doc: Doc; k: KindInfo; onClose: () => void }) {
  const contactPath = `${CONTACTS[k.side].api}${doc.contact}/`;
  const contact = useQuery<Contact>(contactPath);
  const onFile = contact.data?.emails ?? [];
  const [unticked, setUnticked] = useState<string[]>([]);
  const [other, setOther] = useState("");
  const [save, setSave] = useState(false);
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const who = contact.data?.name ?? `the ${CONTACTS[k.side].one}`;
  const toggle = (address: string) =>
    setUnticked(unticked.includes(address) ? unticked.filter((a) => a !== address) : [...unticked, address]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, unknown> = {};
    const extra = other.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
    const ticked = onFile.filter((a) => !unticked.includes(a));
    // Every address on file and nothing else: the server's default, so no `to` at all.
    if (extra.length || ticked.length < onFile.length) body.to = [...ticked, ...extra];
    if (extra.length && save) body.save_to_contact = true;
    if (subject.trim()) body.subject = subject.trim();
    if (message.trim()) body.message = message;
    setBusy(true);
    try {
      await api("POST", `${k.api}${doc.id}/send/`, { body });
      invalidate(`${k.api}${doc.id}/deliveries/`);
      if (body.save_to_contact) invalidate(CONTACTS[k.side].api);
      toast(`${doc.number} sent`);
      onClose();
    } catch (err) {
      const f = fieldErrors(err);
      if (!Object.keys(f).length) f.non_field_errors = [err instanceof Error ? err.message : String(err)];
      invalidate(`${k.api}${doc.id}/deliveries/`);
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`E-mail ${doc.number}`} onClose={onClose} id="send-dialog">
      <form class="form" onSubmit={submit}>
        <fieldset class="checks" id="send-to">
          <legend>To {who}</legend>
          {onFile.map((a) => (
            <label class="inline" key={a}>
              <input type="checkbox" name="on_file" value={a} checked={!unticked.includes(a)} onChange={() => toggle(a)} /> {a}
            </label>
          ))}
          {contact.data && !onFile.length && <p class="hint">{who} has no e-mail address yet: type one below and save it.</p>}
        </fieldset>
        <label>Another address <input name="to" value={other} placeholder={`an address of ${who}`} onInput={(e) => setOther((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="to" /></label>
        {other.trim() && (
          <label class="inline"><input type="checkbox" name="save_to_contact" checked={save} onChange={() => setSave(!save)} /> Save it on {who} (documents are e-mailed only to their contact's addresses)</label>
        )}
        <label>Subject <input name="subject" value={subject} maxLength={200} placeholder={`${k.one[0].toUpperCase() + k.one.slice(1)} ${doc.number}`} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="subject" /></label>
        <label>Message <textarea name="message" rows={5} value={message} maxLength={10000} placeholder="(the default message names the document, its total and due date)" onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} /><FieldError errors={errors} name="message" /></label>
        <p class="hint">Replies go to the company's own e-mail address (its settings).</p>
        <FormErrors errors={errors} shown={["to", "subject", "message"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Send</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
