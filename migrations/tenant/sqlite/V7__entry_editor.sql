-- Who last edited a draft journal entry: like its creator, they may not approve it (an approver
-- who edits a staff member's small draft into a large one cannot then approve it themselves).
-- Not part of the hash chain: it describes the draft, not the posted entry.
ALTER TABLE journal_entries ADD COLUMN edited_by TEXT;
