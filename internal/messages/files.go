package messages

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
)

// MaxFileBytes is the largest attachment accepted.
const MaxFileBytes = 20 << 20

// FileType is what an attachment is, found from its content.
type FileType string

// The attachment types: documents, spreadsheets and images.
const (
	PDF  FileType = "pdf"
	DOCX FileType = "docx"
	XLSX FileType = "xlsx"
	DOC  FileType = "doc" // Word 97–2003
	XLS  FileType = "xls" // Excel 97–2003
	JPEG FileType = "jpeg"
	PNG  FileType = "png"
	WebP FileType = "webp"
)

// File is a notice's attachment, stored under the SHA-256 of its bytes.
type File struct {
	ID   string   // lowercase hex SHA-256 of the stored bytes
	Name string   // the name it was uploaded with
	Type FileType // its type, checked against its content
	Size int64
}

// Image reports whether t is an image (checked by the photo package, which decodes safely).
func (t FileType) Image() bool { return t == JPEG || t == PNG || t == WebP }

// ContentType is the MIME type the file is served with.
func (t FileType) ContentType() string {
	return map[FileType]string{
		PDF: "application/pdf", DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", DOC: "application/msword",
		XLS: "application/vnd.ms-excel", JPEG: "image/jpeg", PNG: "image/png", WebP: "image/webp",
	}[t]
}

// byExt is the type each accepted file name ending claims.
var byExt = map[string]FileType{".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".doc": DOC, ".xls": XLS,
	".jpg": JPEG, ".jpeg": JPEG, ".png": PNG, ".webp": WebP}

// Claimed returns the type a file's name says it is; an ending not
// accepted is a field error on "file".
func Claimed(name string) (FileType, error) {
	t, ok := byExt[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return "", apperr.Field("file", "err.messages.file_type")
	}
	return t, nil
}

// CheckDocument checks that data is the document type t its name claims,
// from its content: a PDF header; for DOCX and XLSX a ZIP whose directory
// holds the parts of a Word or Excel package (read without decompressing
// anything); for DOC and XLS an OLE compound file holding a Word or Excel
// stream. Images are checked by the photo package instead.
func CheckDocument(t FileType, data []byte) error {
	if int64(len(data)) > MaxFileBytes {
		return apperr.Field("file", "err.messages.file_large", MaxFileBytes>>20)
	}
	ok := false
	switch t {
	case PDF:
		head := data[:min(len(data), 1024)]
		ok = bytes.Contains(head, []byte("%PDF-"))
	case DOCX:
		ok = zipHolds(data, "[Content_Types].xml", "word/document.xml")
	case XLSX:
		ok = zipHolds(data, "[Content_Types].xml", "xl/workbook.xml")
	case DOC:
		ok = oleHolds(data, "WordDocument")
	case XLS:
		ok = oleHolds(data, "Workbook") || oleHolds(data, "Book\x00")
	}
	if !ok {
		return apperr.Field("file", "err.messages.file_mismatch")
	}
	return nil
}

// maxZipEntries bounds the directory of an Office file read; a real one has a few dozen.
const maxZipEntries = 5000

// zipHolds reports whether data is a ZIP archive whose directory names every one of parts.
func zipHolds(data []byte, parts ...string) bool {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return false
	}
	// Read the entry count from the end-of-directory record before letting
	// archive/zip allocate an entry for each.
	tail := data[max(0, len(data)-(1<<16)-22):]
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < 22 {
		return false
	}
	if n := binary.LittleEndian.Uint16(tail[i+10:]); n == 0xFFFF || n > maxZipEntries {
		return false
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return false
	}
	found := 0
	for _, f := range zr.File {
		for _, p := range parts {
			if f.Name == p {
				found++
			}
		}
	}
	return found >= len(parts)
}

// oleMagic starts every OLE compound file (the Office 97–2003 formats).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// oleHolds reports whether data is an OLE compound file with a directory
// entry named stream (names are stored in UTF-16LE).
func oleHolds(data []byte, stream string) bool {
	if !bytes.HasPrefix(data, oleMagic) {
		return false
	}
	u := make([]byte, 0, 2*len(stream))
	for _, c := range []byte(stream) {
		u = append(u, c, 0)
	}
	return bytes.Contains(data, u)
}
