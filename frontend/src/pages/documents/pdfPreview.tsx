// The PDF of a document shown in its page.
import { useEffect, useState } from "preact/hooks";
import { fetchBlob, isMissing } from "../../api";
import { ErrorBox, Loading } from "../../ui";

/**
 * The PDF in the page: fetched with the bearer token (the API takes no cookies) into a blob: URL
 * shown in an <iframe>, with a link that opens the same blob in a new tab. A page policy (CSP)
 * without `frame-src blob:` blocks the frame: then the page says so and offers the link.
 */
export function PdfPreview({ path, title, stamp }: { path: string; title: string; stamp: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [blocked, setBlocked] = useState(false);
  useEffect(() => {
    const onViolation = (e: SecurityPolicyViolationEvent) => {
      if (/^(frame|child|default)-src/.test(e.effectiveDirective || e.violatedDirective) && e.blockedURI.startsWith("blob")) setBlocked(true);
    };
    document.addEventListener("securitypolicyviolation", onViolation);
    return () => document.removeEventListener("securitypolicyviolation", onViolation);
  }, []);
  useEffect(() => {
    let url: string | null = null;
    let gone = false;
    setSrc(null);
    setError(null);
    fetchBlob(path)
      .then((b) => {
        if (gone) return;
        url = URL.createObjectURL(b.type === "application/pdf" ? b : new Blob([b], { type: "application/pdf" }));
        setSrc(url);
      })
      .catch((e) => !gone && setError(isMissing(e) ? new Error("PDFs are not available on this server yet.") : e));
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path, stamp]);
  return (
    <section class="pdf-preview" id="pdf-preview" aria-label="PDF preview">
      {error ? <ErrorBox error={error} /> : !src ? <Loading /> : (
        <>
          {blocked
            ? <p class="notice" id="pdf-blocked">This server's page policy does not let the PDF show inside the page: open it in a new tab, or download it.</p>
            : <iframe src={src} title={title} class="pdf-frame" />}
          <p class="muted hint"><a href={src} target="_blank" rel="noopener" id="pdf-open">Open the PDF in a new tab</a></p>
        </>
      )}
    </section>
  );
}
