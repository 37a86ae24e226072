// Warehouses and their locations (issue 19): the list with a form above it, as the chart of
// accounts does; a warehouse's locations open under its row.
import { useState } from "preact/hooks";
import { api, type Page as PageT } from "../api";
import { can, useAuth } from "../auth";
import { invalidate, useQuery } from "../query";
import { Async, Empty, FieldError, fieldErrors, Page, StatusChip, toast, toastError } from "../ui";
import { WAREHOUSES, type Location, type Warehouse } from "./api";

export function Warehouses() {
  const { user } = useAuth();
  const editable = can(user, "documents.edit");
  const q = useQuery<PageT<Warehouse>>(`${WAREHOUSES}?page_size=200`);
  const [editing, setEditing] = useState<Warehouse | "new" | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Page
      title="Warehouses"
      crumbs={[["Inventory", "/inventory"], ["Warehouses"]]}
      actions={editable && <button class="primary" onClick={() => setEditing("new")}>New warehouse</button>}
    >
      {editing && <WarehouseForm warehouse={editing === "new" ? null : editing} onClose={() => setEditing(null)} key={editing === "new" ? "new" : editing.id} />}
      <Async q={q} missing="Warehouses">
        {(d) => d.results.length === 0 ? <Empty>No warehouses yet.</Empty> : (
          <div class="table-wrap">
            <table class="table" id="warehouses">
              <thead><tr><th>Code</th><th>Name</th><th>Status</th><th /></tr></thead>
              <tbody>
                {d.results.map((w) => [
                  <tr key={w.id} data-code={w.code}>
                    <td>{w.code}</td>
                    <td>{w.name}</td>
                    <td><StatusChip status={w.is_active ? "active" : "archived"} /></td>
                    <td class="row-actions">
                      <button class="link" onClick={() => setOpen(open === w.id ? null : w.id)}>Locations</button>
                      {editable && <button class="link" onClick={() => setEditing(w)}>Edit</button>}
                    </td>
                  </tr>,
                  open === w.id && <tr key={`${w.id}/loc`}><td colSpan={4}><Locations warehouse={w} editable={editable} /></td></tr>,
                ])}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </Page>
  );
}

function WarehouseForm({ warehouse, onClose }: { warehouse: Warehouse | null; onClose: () => void }) {
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const body = { code: String(f.get("code") ?? "").trim(), name: String(f.get("name") ?? "").trim(), is_active: f.get("is_active") === "on" };
    setBusy(true);
    try {
      if (warehouse) await api("PATCH", `${WAREHOUSES}${warehouse.id}/`, { body });
      else await api("POST", WAREHOUSES, { body });
      invalidate(WAREHOUSES);
      toast(`Warehouse ${body.code} saved`);
      onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel form" id="warehouse-form" onSubmit={submit}>
      <h2>{warehouse ? `Edit ${warehouse.code}` : "New warehouse"}</h2>
      <div class="grid-form">
        <label>Code <input name="code" value={warehouse?.code} required autofocus maxLength={50} /><FieldError errors={errors} name="code" /></label>
        <label>Name <input name="name" value={warehouse?.name} required /><FieldError errors={errors} name="name" /></label>
      </div>
      <label class="inline"><input type="checkbox" name="is_active" checked={warehouse?.is_active ?? true} /> Active</label>
      <div class="buttons">
        <button class="primary" type="submit" disabled={busy}>Save</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}

function Locations({ warehouse, editable }: { warehouse: Warehouse; editable: boolean }) {
  const path = `${WAREHOUSES}${warehouse.id}/locations/`;
  const q = useQuery<PageT<Location> | Location[]>(path);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    try {
      await api("POST", path, { body: { code: String(f.get("code") ?? "").trim(), name: String(f.get("name") ?? "").trim() } });
      invalidate(path);
      form.reset();
      setErrors({});
    } catch (err) {
      setErrors(fieldErrors(err));
      toastError(err);
    }
  };
  return (
    <div class="locations">
      <Async q={q} missing="Locations">
        {(d) => {
          const list = Array.isArray(d) ? d : d.results;
          return list.length === 0 ? <p class="muted">No locations in {warehouse.code}.</p> : (
            <ul>{list.map((l) => <li key={l.id}>{l.code} {l.name}</li>)}</ul>
          );
        }}
      </Async>
      {editable && (
        <form class="filters" onSubmit={add}>
          <label>Code <input name="code" required maxLength={50} /><FieldError errors={errors} name="code" /></label>
          <label>Name <input name="name" required /><FieldError errors={errors} name="name" /></label>
          <button type="submit">Add location</button>
        </form>
      )}
    </div>
  );
}
