// E-mailing an issued sales document's PDF: the dialog of the document page.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { CONTACTS, type Doc, type KindInfo } from "../../documents";
import { invalidate } from "../../query";
import { Dialog, FieldError, fieldErrors, FormErrors, toast } from "../../ui";

/** E-mails the PDF: recipients, subject and message are optional (the server fills them in). */
export function SendDialog({ doc, k, onClose }: { doc: Doc; k: KindInfo; onClose: () => void }) {
  const [to, setTo] = useState("");
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, unknown> = {};
    const list = to.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
    if (list.length) body.to = list;
    if (subject.trim()) body.subject = subject.trim();
    if (message.trim()) body.message = message;
    setBusy(true);
    try {
      await api("POST", `${k.api}${doc.id}/send/`, { body });
      invalidate(`${k.api}${doc.id}/deliveries/`);
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
        <label>To <input name="to" value={to} autofocus placeholder={`the ${CONTACTS[k.side].one}'s e-mails`} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="to" /></label>
        <label>Subject <input name="subject" value={subject} maxLength={200} placeholder={`${k.one[0].toUpperCase() + k.one.slice(1)} ${doc.number}`} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="subject" /></label>
        <label>Message <textarea name="message" rows={5} value={message} maxLength={10000} placeholder="(the default message names the document, its total and due date)" onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} /><FieldError errors={errors} name="message" /></label>
        <FormErrors errors={errors} shown={["to", "subject", "message"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Send</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
