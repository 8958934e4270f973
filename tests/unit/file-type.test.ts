import { describe, expect, it } from "vitest";
import { checkFileContent, isActiveContent, sniffContent, zipEntryNames } from "~/domain/material/file-type";
import { ALLOWED_EXTENSIONS, checkUpload, cleanFileName, downloadName, servedMimeType } from "~/domain/material/upload-rules";
import { contentDisposition } from "~/web/panel-response.server";
import { makeZip, minimalJpeg, minimalOfd, minimalOle2, minimalPdf, minimalPng, realDocx, realXlsx } from "../support/sample-files";

const text = (s: string) => new TextEncoder().encode(s);

/** A real file of every allowed extension, with the type a browser sends for it. */
async function samples(): Promise<Record<string, { type: string; bytes: Uint8Array }>> {
  const ole = minimalOle2();
  return {
    pdf: { type: "application/pdf", bytes: minimalPdf() },
    jpg: { type: "image/jpeg", bytes: minimalJpeg() },
    jpeg: { type: "image/jpeg", bytes: minimalJpeg() },
    png: { type: "image/png", bytes: minimalPng() },
    doc: { type: "application/msword", bytes: ole },
    xls: { type: "application/vnd.ms-excel", bytes: ole },
    docx: { type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes: await realDocx() },
    xlsx: { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes: await realXlsx() },
    zip: { type: "application/zip", bytes: makeZip({ "说明.txt": "材料清单" }) },
    ofd: { type: "", bytes: minimalOfd() },
  };
}

describe("uploads checked by content", () => {
  it("accepts a real file of every allowed type", async () => {
    const files = await samples();
    expect(Object.keys(files).sort()).toEqual([...ALLOWED_EXTENSIONS].sort());
    for (const [ext, f] of Object.entries(files)) {
      expect(checkFileContent(ext, f.bytes), ext).toEqual({ ok: true });
      expect(checkUpload({ name: `材料.${ext.toUpperCase()}`, ...f }), ext).toMatchObject({ ok: true, name: `材料.${ext.toUpperCase()}` });
    }
  });

  it("reads the family from the leading bytes and the zip's entry names from its central directory", async () => {
    expect(sniffContent(minimalPdf())).toBe("pdf");
    expect(sniffContent(minimalJpeg())).toBe("jpeg");
    expect(sniffContent(minimalPng())).toBe("png");
    expect(sniffContent(minimalOle2())).toBe("ole2");
    expect(sniffContent(await realXlsx())).toBe("zip");
    expect(sniffContent(text("%PDF"))).toBeNull(); // "%PDF-" is the header; four bytes are not a PDF
    expect(zipEntryNames(await realDocx())).toEqual(expect.arrayContaining(["[Content_Types].xml", "word/document.xml"]));
    expect(zipEntryNames(await realXlsx())).toEqual(expect.arrayContaining(["[Content_Types].xml", "xl/workbook.xml"]));
    expect(zipEntryNames(text("PK\x03\x04 but cut off"))).toBeNull();
  });

  it("refuses content that does not match the extension, with the type to use", async () => {
    const docx = await realDocx();
    const xlsx = await realXlsx();
    const cases: [string, Uint8Array, string][] = [
      ["pdf", minimalPng(), "文件内容与扩展名 .pdf 不符，请上传真实的 PDF 文件"],
      ["jpg", minimalPdf(), "文件内容与扩展名 .jpg 不符，请上传真实的 JPG 文件"],
      ["png", minimalJpeg(), "文件内容与扩展名 .png 不符，请上传真实的 PNG 文件"],
      ["doc", docx, "文件内容与扩展名 .doc 不符，请上传真实的 Word（.doc） 文件"],
      ["xls", xlsx, "文件内容与扩展名 .xls 不符，请上传真实的 Excel（.xls） 文件"],
      ["docx", minimalOle2(), "文件内容与扩展名 .docx 不符，请上传真实的 Word（.docx） 文件"],
      ["docx", xlsx, "文件内容与扩展名 .docx 不符（不是有效的 Word（.docx） 文档），请上传真实的 Word（.docx） 文件"],
      ["xlsx", docx, "文件内容与扩展名 .xlsx 不符（不是有效的 Excel（.xlsx） 文档），请上传真实的 Excel（.xlsx） 文件"],
      ["xlsx", makeZip({ "a.txt": "x" }), "文件内容与扩展名 .xlsx 不符（不是有效的 Excel（.xlsx） 文档），请上传真实的 Excel（.xlsx） 文件"],
      ["xlsx", text("PK\x03\x04 truncated"), "文件内容与扩展名 .xlsx 不符（不是有效的 Excel（.xlsx） 文档），请上传真实的 Excel（.xlsx） 文件"],
      ["zip", minimalPdf(), "文件内容与扩展名 .zip 不符，请上传真实的 ZIP 文件"],
      ["ofd", minimalPdf(), "文件内容与扩展名 .ofd 不符，请上传真实的 OFD 文件"],
      ["pdf", text("%PDF"), "文件内容与扩展名 .pdf 不符，请上传真实的 PDF 文件"],
      ["pdf", new Uint8Array(20), "文件内容与扩展名 .pdf 不符，请上传真实的 PDF 文件"],
    ];
    for (const [ext, bytes, message] of cases) expect(checkFileContent(ext, bytes), `${ext} ← ${sniffContent(bytes)}`).toEqual({ ok: false, message });
  });

  it("refuses an empty file", () => {
    expect(checkFileContent("pdf", new Uint8Array(0))).toEqual({ ok: false, message: "文件内容为空，请重新选择" });
    expect(checkUpload({ name: "空.png", type: "image/png", bytes: new Uint8Array(0) })).toEqual({ ok: false, message: "文件内容为空，请重新选择" });
  });

  it("refuses HTML, SVG, XML and script content whatever the name, polyglots included", () => {
    const web = [
      "<html><body><script>alert(1)</script></body></html>",
      "<!DOCTYPE html><p>发票</p>",
      "\ufeff  <html>",
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
      '<?xml version="1.0"?><svg/>',
      "<script>alert(document.cookie)</script>%PDF-1.4",
      "\n\n<script src=//evil.example/x.js></script>",
      "#!/bin/sh\nrm -rf /",
    ];
    for (const s of web) {
      expect(isActiveContent(text(s)), s).toBe(true);
      for (const ext of ["pdf", "png", "docx"]) {
        const r = checkFileContent(ext, text(s));
        expect(r.ok, `${s} as .${ext}`).toBe(false);
        expect((r as { message: string }).message).toMatch(new RegExp(`^文件内容是网页或脚本（HTML/SVG/XML/JavaScript），与扩展名 \\.${ext} 不符，请上传真实的 `));
      }
    }
    // Valid magic bytes do not launder a page: a PDF header followed by HTML is refused too.
    const polyglot = text("%PDF-1.4\n<html><script>fetch('/api')</script></html>\n%%EOF");
    expect(checkFileContent("pdf", polyglot).ok).toBe(false);
    const pngPlusHtml = new Uint8Array([...minimalPng().subarray(0, 8), ...text("<body onload=alert(1)>")]);
    expect(checkFileContent("png", pngPlusHtml).ok).toBe(false);
    // The HTML named .pdf of a browser that claims it is a PDF.
    expect(checkUpload({ name: "发票.pdf", type: "application/pdf", bytes: text("<html><body>假发票</body></html>") })).toEqual({
      ok: false,
      message: "文件内容是网页或脚本（HTML/SVG/XML/JavaScript），与扩展名 .pdf 不符，请上传真实的 PDF 文件",
    });
    // A real PDF's own `<<` dictionaries and hex strings are not markup.
    expect(isActiveContent(minimalPdf())).toBe(false);
    expect(isActiveContent(text("%PDF-1.7\n1 0 obj <</ID [<a1b2> <a>]>> endobj"))).toBe(false);
  });

  it("cleans names: no path, control, quote or invisible direction characters; bounded length", () => {
    expect(cleanFileName("C:\\fakepath\\营业执照.pdf")).toBe("营业执照.pdf");
    expect(cleanFileName("发票\u202Efdp.exe")).toBe("发票fdp.exe"); // would show as 发票exe.pdf
    expect(cleanFileName('a"b\r\nc\u0000.pdf')).toBe("abc.pdf");
    expect(downloadName("甲/乙项目-代办台账.xlsx")).toBe("甲_乙项目-代办台账.xlsx");
    expect(downloadName("..\\..\\etc\\passwd")).toBe(".._.._etc_passwd");
    const long = downloadName(`${"长".repeat(300)}.pdf`);
    expect(long).toHaveLength(150);
    expect(long.endsWith("长.pdf")).toBe(true);
  });

  it("builds Content-Disposition: always an attachment for active types, RFC 5987 filename*, an ASCII fallback", () => {
    expect(contentDisposition("营业执照.pdf", "upload-1.pdf")).toBe(`attachment; filename="upload-1.pdf"; filename*=UTF-8''${encodeURIComponent("营业执照.pdf")}`);
    const hostile = contentDisposition('x"\r\nSet-Cookie: a=b;\u202E/..\\evil.html', 'up"\r\nload.bin');
    expect(hostile).not.toMatch(/[\r\n]/);
    expect(hostile).toBe(`attachment; filename="upload.bin"; filename*=UTF-8''${encodeURIComponent("xSet-Cookie: a=b;_.._evil.html")}`);
    expect(hostile.match(/filename\*=UTF-8''([^\s;]+)$/)![1]).not.toMatch(/[^A-Za-z0-9%\-_.!~]/);
    expect(contentDisposition("图.png", "a.png", "inline")).toMatch(/^inline;/);
    for (const name of ["a.svg", "a.html", "a.HTM", "a.xml", "a.js", "x.xhtml"]) expect(contentDisposition(name, "a.bin", "inline"), name).toMatch(/^attachment;/);
    expect(contentDisposition("\r\n", "上传.pdf")).toBe(`attachment; filename="__.pdf"; filename*=UTF-8''__.pdf`);
  });

  it("serves a stored upload with its canonical type only", () => {
    expect(servedMimeType("application/pdf")).toBe("application/pdf");
    expect(servedMimeType("text/html")).toBe("application/octet-stream");
    expect(servedMimeType("image/svg+xml")).toBe("application/octet-stream");
  });
});
