// Recording a payment of one document from its page: the contact's payment, allocated to it.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { KINDS, PAYMENTS_API, type Doc, type DocKind, type Payment } from "../../documents";
import { decimals, formatMinor, fromMinor, toMinor } from "../../money";
import { Dialog, FieldError, fieldErrors, FormErrors, Money, toast, today } from "../../ui";
import { useAccounts } from "../accounts";
import { invalidateDocs } from "./shared";

/** Records a payment of the contact and allocates it to this document. Errors are shown in place. */
export function RecordPayment({ doc, kind, onClose }: { doc: Doc; kind: DocKind; onClose: () => void }) {
  const k = KINDS[kind];
  const dp = decimals(doc.currency);
  const accounts = (useAccounts().data?.results ?? []).filter((a) => a.is_active && (a.subtype === "bank" || a.subtype === "cash"));
  const [amount, setAmount] = useState(doc.balance_due);
  const [date, setDate] = useState(today());
  const [bank, setBank] = useState("");
  const [reference, setReference] = useState("");
  const [rate, setRate] = useState("");
  const foreign = !!doc.exchange_rate;
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const bankAccount = bank || accounts[0]?.id || "";
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const v = toMinor(amount, dp);
    const due = toMinor(doc.balance_due, dp) ?? 0n;
    if (v === null || v <= 0n) return setErrors({ amount: [`Enter an amount above zero with at most ${dp} decimals.`] });
    if (!bankAccount) return setErrors({ bank_account: ["Choose a bank or cash account."] });
    const applied = v < due ? v : due;
    const body = {
      direction: k.side === "sales" ? "received" : "made",
      contact: doc.contact,
      date,
      amount: fromMinor(v, dp),
      bank_account: bankAccount,
      reference: reference.trim(),
      allocations: [{ document: doc.id, amount: fromMinor(applied, dp) }],
      currency: doc.currency,
      exchange_rate: foreign && rate.trim() ? rate.trim() : null,
    };
    setBusy(true);
    try {
      await api<Payment>("POST", PAYMENTS_API, { body });
      invalidateDocs();
      toast(`Payment of ${formatMinor(v, dp)} ${doc.currency} recorded${v > due ? `; ${formatMinor(v - due, dp)} stays as the contact's credit` : ""}`);
      onClose();
    } catch (err) {
      // `allocations[0].amount` is the one allocation of this dialog: shown with the amount.
      const f = fieldErrors(err);
      if (!Object.keys(f).length) f.non_field_errors = [err instanceof Error ? err.message : String(err)];
      setErrors(f);
    } finally {
      setBusy(false);
    }
  };
  const allocErrors = Object.entries(errors).filter(([key]) => key.startsWith("allocations")).flatMap(([, v]) => v);
  return (
    <Dialog title={`Record payment for ${doc.number ?? "the draft"}`} onClose={onClose} id="payment-dialog">
      <form class="form" onSubmit={submit} id="payment-form">
        <p class="muted">{doc.contact_name} · balance due <Money value={doc.balance_due} currency={doc.currency} /> {doc.currency}</p>
        <label>Amount ({doc.currency}) <input name="amount" inputMode="decimal" class="num" value={amount} required autofocus
          onFocus={(e) => (e.target as HTMLInputElement).select()} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
          <FieldError errors={errors} name="amount" />
          {allocErrors.length > 0 && <span class="field-error">{allocErrors.join(" ")}</span>}
        </label>
        <label>Date <input type="date" name="date" value={date} required onInput={(e) => setDate((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="date" /></label>
        <label>{k.side === "sales" ? "Paid into" : "Paid from"}
          <select name="bank_account" value={bankAccount} onChange={(e) => setBank((e.target as HTMLSelectElement).value)} required>
            {accounts.length === 0 && <option value="">No bank or cash accounts</option>}
            {accounts.map((a) => <option value={a.id}>{a.code} {a.name}</option>)}
          </select>
          <FieldError errors={errors} name="bank_account" />
        </label>
        {foreign && (
          <label>Rate (company currency per {doc.currency}; the invoice's is {doc.exchange_rate}) <input name="exchange_rate" inputMode="decimal" class="num" value={rate}
            placeholder="rate of the payment date" onInput={(e) => setRate((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="exchange_rate" /></label>
        )}
        <label>Reference <input name="reference" value={reference} maxLength={100} placeholder="BACS 123, cheque no." onInput={(e) => setReference((e.target as HTMLInputElement).value)} /><FieldError errors={errors} name="reference" /></label>
        <FormErrors errors={errors} shown={["amount", "date", "bank_account", "exchange_rate", "reference", "allocations"]} />
        <div class="buttons">
          <button class="primary" type="submit" disabled={busy}>Record payment</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
