package starrocks

import "strings"

// reservedWords are the StarRocks 3.1–3.5 keywords that cannot name a
// database, table, column, partition or label unless backquoted. The
// grammar (StarRocks.g4) accepts a bare word as an identifier only when it
// is not a keyword token or is one listed in its nonReserved rule; this set
// is the documented reserved-keyword list of 3.1+ (sql-reference/
// sql-statements/keywords.md) less the words the grammar's nonReserved
// rule lists all the same (HOST, MINUS, QUALIFY, RANK, ROW), so that the
// simulator never rejects a name StarRocks accepts.
var reservedWords = func() map[string]bool {
	words := strings.Fields(`
		ADD ALL ALTER ANALYZE AND ARRAY AS ASC
		BETWEEN BIGINT BITMAP BOTH BY
		CASE CHAR CHARACTER CHECK COLLATE COLUMN COMPACTION CONVERT CREATE CROSS CUBE
		CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURRENT_ROLE
		DATABASE DATABASES DECIMAL DECIMALV2 DECIMAL32 DECIMAL64 DECIMAL128 DEFAULT DEFERRED
		DELETE DENSE_RANK DESC DESCRIBE DISTINCT DOUBLE DROP DUAL
		ELSE EXCEPT EXISTS EXPLAIN
		FALSE FIRST_VALUE FLOAT FOR FORCE FROM FULL FUNCTION
		GRANT GROUP GROUPS GROUPING GROUPING_ID
		HAVING HLL
		IF IGNORE IMMEDIATE IN INDEX INFILE INNER INSERT INT INTEGER INTERSECT INTO IS
		JOIN JSON
		KEY KEYS KILL
		LAG LARGEINT LAST_VALUE LATERAL LEAD LEFT LIKE LIMIT LOAD LOCALTIME LOCALTIMESTAMP
		MAXVALUE MOD
		NTILE NOT NULL
		ON OR ORDER OUTER OUTFILE OVER
		PARTITION PERCENTILE PRIMARY PROCEDURE
		RANGE READ REGEXP RELEASE RENAME REPLACE REVOKE RIGHT RLIKE ROWS ROW_NUMBER
		SCHEMA SCHEMAS SELECT SET SET_VAR SHOW SMALLINT SYSTEM
		TABLE TERMINATED TEXT THEN TINYINT TO TRUE
		UNION UNIQUE UNSIGNED UPDATE USE USING
		VALUES VARCHAR
		WHEN WHERE WITH`)
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}()

// isReserved reports whether the bare word w is a reserved keyword.
func isReserved(w string) bool { return reservedWords[strings.ToUpper(w)] }

// isReservedWord reports whether t is a bare (not backquoted) reserved
// keyword, which StarRocks does not accept where a name is expected.
func (t token) isReservedWord() bool { return t.kind == tkWord && isReserved(t.val) }

// identifierError is StarRocks' syntax error for a token that cannot start
// an identifier, e.g. "Getting syntax error at line 1, column 16. Detail
// message: Unexpected input 'like', the most similar input is {a legal
// identifier}." (keywords.md).
func identifierError(src string, t token) error {
	return syntaxErrorAt(src, t.pos, "Unexpected input '"+describeToken(src, t)+"', the most similar input is {a legal identifier}")
}
