// The keys of the app's editing forms (the journal entry form, the document editor): Ctrl+S (⌘S)
// saves the draft, Ctrl+Enter (⌘Enter) posts or issues it. The browser's own Ctrl+S is stopped.

/**
 * The form's `onKeyDown`: `save` on Ctrl+S, `post` on Ctrl+Enter. Leave `post` out when the user
 * may not post (the key then does nothing, as the missing button does).
 */
export function useFormKeys({ save, post }: { save: () => void; post?: () => void }): (e: KeyboardEvent) => void {
  return (e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey)) return;
    if (e.key === "s") {
      e.preventDefault();
      save();
    } else if (e.key === "Enter") {
      e.preventDefault();
      post?.();
    }
  };
}
