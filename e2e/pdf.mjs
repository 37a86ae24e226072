// A one-page PDF with real text (Helvetica, WinAnsi: ä ö ü ß € print as themselves), one text
// object per row top down, and a correct xref table: what the browser tests upload as a receipt.

const WIN_ANSI = { "€": 0x80 };

function latin1(text) {
  return Array.from(text, (c) => String.fromCharCode(WIN_ANSI[c] ?? c.charCodeAt(0))).join("")
    .replace(/[\\()]/g, (c) => `\\${c}`);
}

/** `rows`: lines of text; resolves to the PDF's bytes (a Buffer). */
export function textPdf(rows) {
  let y = 800;
  const ops = rows.map((r) => { const op = `BT /F1 10 Tf 50 ${y} Td (${latin1(r)}) Tj ET`; y -= 14; return op; }).join("\n");
  const objects = [
    "<</Type/Catalog/Pages 2 0 R>>",
    "<</Type/Pages/Kids[3 0 R]/Count 1>>",
    "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
    `<</Length ${ops.length}>>\nstream\n${ops}\nendstream`,
    "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
  ];
  let out = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
