package starrocks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dolthub/vitess/go/mysql"
)

// errCode pairs a MySQL error number with its SQLSTATE.
type errCode struct {
	num   int
	state string
}

// Error numbers the simulator returns. StarRocks reports most analysis and
// DDL failures as 1064/HY000; the MySQL-derived codes below are the ones its
// ErrorCode enum reuses. Texts are built by the helpers in this file; where a
// text is not pinned by STARROCKS.md the helper says so.
var (
	errSyntax          = errCode{1064, "HY000"}
	errAnalysis        = errCode{1064, "HY000"}
	errDDL             = errCode{1064, "HY000"}
	errBadDB           = errCode{1049, "42000"}
	errDBExists        = errCode{1007, "HY000"}
	errDBDropMissing   = errCode{1008, "HY000"}
	errTableExists     = errCode{1050, "42S01"}
	errUnknownTable    = errCode{1051, "42S02"}
	errNoDB            = errCode{1046, "3D000"}
	errAccessDenied    = errCode{1045, "28000"}
	errPrivilege       = errCode{5203, "42000"}
	errUnsupportedCmd  = errCode{1064, "HY000"}
	errPreparedNotSupp = errCode{1295, "HY000"}
	errDupPartition    = errCode{1517, "HY000"}
	errDropPartMissing = errCode{1507, "HY000"}
	errUnknownPart     = errCode{1735, "HY000"}
)

// newError returns a *mysql.SQLError, which the wire layer sends unchanged.
func newError(c errCode, msg string) *mysql.SQLError {
	return mysql.NewSQLError(c.num, c.state, "%s", msg)
}

// errUnknownDatabase: StarRocks ERR_BAD_DB_ERROR (MySQL text).
func errUnknownDatabase(db string) error {
	return newError(errBadDB, fmt.Sprintf("Unknown database '%s'", db))
}

// errNoDatabaseSelected: StarRocks ERR_NO_DB_ERROR (MySQL text).
func errNoDatabaseSelected() error {
	return newError(errNoDB, "No database selected")
}

// errTableNotFoundDDL is the error of DDL and SHOW statements naming a missing
// table. [unconfirmed] StarRocks ERR_BAD_TABLE_ERROR "Unknown table '%s'".
func errTableNotFoundDDL(table string) error {
	return newError(errUnknownTable, fmt.Sprintf("Unknown table '%s'", table))
}

// errTableNotFoundQuery is the error of queries and INSERT naming a missing
// table. [unconfirmed] StarRocks' analyzer wraps messages as
// "Getting analyzing error. Detail message: ...".
func errTableNotFoundQuery(db, table string) error {
	return analysisError(fmt.Sprintf("Unknown table '%s.%s'", db, table))
}

// analysisError wraps a detail the way StarRocks' analyzer reports it.
func analysisError(detail string) error {
	return newError(errAnalysis, "Getting analyzing error. Detail message: "+detail+".")
}

// errNoMatchingFunction is StarRocks' unknown-function/unsupported-signature
// error. [unconfirmed exact wording per version; chosen from 3.x reports]
func errNoMatchingFunction(name string, argTypes []string) error {
	return analysisError(fmt.Sprintf("No matching function with signature: %s(%s)", name, strings.Join(argTypes, ", ")))
}

// errUnsupportedStatement is returned for statements the simulator does not
// implement. It follows StarRocks' syntax-error shape so clients treat it as
// a refused statement, and names the simulator so the cause is clear.
func errUnsupportedStatement(src string) error {
	words := strings.Fields(src)
	if len(words) > 3 {
		words = words[:3]
	}
	return newError(errSyntax, fmt.Sprintf("Getting syntax error. Detail message: statement not supported by the StarRocks simulator: %s.", strings.Join(words, " ")))
}

// errDDLf formats a DdlException-style message (errno 1064).
func errDDLf(format string, args ...any) error {
	return newError(errDDL, fmt.Sprintf(format, args...))
}

// errLabelUsed is LabelAlreadyUsedException's text (STARROCKS.md 5.5).
func errLabelUsed(label string) error {
	return newError(errDDL, fmt.Sprintf("Label [%s] has already been used.", label))
}

// errFilteredData is the strict-mode INSERT failure when rows fit no
// partition or violate a column. [unconfirmed] shape of 3.x:
// "Insert has filtered data in strict mode. txn_id = .. tracking sql = ..".
func errFilteredData(txnID, jobID int64) error {
	return newError(errDDL, fmt.Sprintf("Insert has filtered data in strict mode. txn_id = %d tracking sql = select tracking_log from information_schema.load_tracking_logs where job_id=%d", txnID, jobID))
}

// errPrivilegeDenied is the 3.x access-denied text. [unconfirmed errno;
// text as in StarRocks' ErrorCode.ERR_ACCESS_DENIED]
func errPrivilegeDenied(priv, objType, object string) error {
	on := objType
	if object != "" {
		on += " " + object
	}
	return newError(errPrivilege, fmt.Sprintf("Access denied; you need (at least one of) the %s privilege(s) on %s for this operation. Please ask the admin to grant permission(s) or try activating existing roles using <set [default] role>. Current role(s): NONE. Inactivated role(s): NONE.", priv, on))
}

// isSQLError reports whether err already carries a MySQL error number.
func isSQLError(err error) bool {
	var se *mysql.SQLError
	return errors.As(err, &se)
}
