package s3

import (
	"net/url"
	"strconv"
	"strings"
)

// emptySegment stands for an empty identifier in an export path (a
// literal "_" is escaped as "%5F", so the mapping stays reversible).
const emptySegment = "_"

// ExportDir returns the storage key of the directory one export of a
// partition writes to, ending in '/':
//
//	<job>/<db>/<table>/<partition>/v<version>/
//
// Each identifier is escaped by EscapeSegment, so any name (quotes,
// slashes, spaces, unicode, "." or "..") becomes one safe, reversible key
// segment; plain names made of letters, digits, '_', '-' and '.' are kept
// as they are. ParseExportDir maps a key under the directory back.
func ExportDir(job, db, table, partition string, version int64) string {
	var b strings.Builder
	for _, s := range []string{job, db, table, partition} {
		b.WriteString(EscapeSegment(s))
		b.WriteByte('/')
	}
	b.WriteByte('v')
	b.WriteString(strconv.FormatInt(version, 10))
	b.WriteByte('/')
	return b.String()
}

// ParseExportDir maps a key under an ExportDir directory (the directory
// itself, its manifest, a data file, or anything deeper such as a leftover
// temporary directory) back to the ExportDir arguments. ok is false when
// key has fewer than five segments, the fifth is not "v<version>" followed
// by '/', or a segment is not exactly what EscapeSegment produces.
func ParseExportDir(key string) (job, db, table, partition string, version int64, ok bool) {
	parts := strings.SplitN(key, "/", 6)
	if len(parts) < 6 {
		return "", "", "", "", 0, false
	}
	var names [4]string
	for i := range names {
		name, ok := UnescapeSegment(parts[i])
		if !ok {
			return "", "", "", "", 0, false
		}
		names[i] = name
	}
	digits, found := strings.CutPrefix(parts[4], "v")
	if !found {
		return "", "", "", "", 0, false
	}
	version, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || strconv.FormatInt(version, 10) != digits {
		return "", "", "", "", 0, false
	}
	return names[0], names[1], names[2], names[3], version, true
}

// EscapeSegment turns an identifier into one key segment that is safe in
// S3 keys, file names and the URLs StarRocks parses: bytes other than
// ASCII letters, digits, '_', '-' and '.' become %XX (as url.PathEscape
// writes them, but also escaping ":=@+&$~" that Hadoop paths, Hive-style
// partition directories or form decoding would read specially); "." and
// ".." (and any dots-only name) have their dots escaped; the empty name
// becomes "_" and the name "_" becomes "%5F". UnescapeSegment reverses it.
func EscapeSegment(s string) string {
	if s == "" {
		return emptySegment
	}
	dotsOnly := strings.Trim(s, ".") == ""
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plainByte(c) && (c != '.' || !dotsOnly) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	if out := b.String(); out != emptySegment {
		return out
	}
	return "%5F"
}

const upperHex = "0123456789ABCDEF"

// plainByte reports whether EscapeSegment keeps c as it is.
func plainByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}

// UnescapeSegment reverses EscapeSegment. ok is false when seg is not
// exactly what EscapeSegment returns for some name.
func UnescapeSegment(seg string) (string, bool) {
	if seg == emptySegment {
		return "", true
	}
	s, err := url.PathUnescape(seg)
	if err != nil || EscapeSegment(s) != seg {
		return "", false
	}
	return s, true
}
