// What the document screens share (the list, the editor, the page and its dialogs of invoices,
// credit notes, bills and vendor credits; see pages/documents/*.tsx).
import { CONTACTS, isOverdue, KINDS, PAYMENTS_API, STATUS_LABEL, type Doc } from "../../documents";
import { invalidate } from "../../query";
import { StatusChip, today } from "../../ui";

/** After any document write: lists, contacts' balances, payments, reports and the journal. */
export function invalidateDocs() {
  invalidate(...Object.values(KINDS).map((k) => k.api), CONTACTS.sales.api, CONTACTS.purchase.api, PAYMENTS_API, "/api/reports/", "/api/accounting/journal-entries/");
}

/** The status chip of a document, and "overdue" beside it when it is. */
export function DocStatus({ d, id }: { d: Doc; id?: string }) {
  return (
    <>
      <StatusChip status={d.status} label={STATUS_LABEL[d.status]} id={id} />
      {isOverdue(d, today()) && <StatusChip status="overdue" />}
    </>
  );
}
