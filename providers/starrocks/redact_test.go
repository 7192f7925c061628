package starrocks

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestRedactSQL(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"export with broker properties": {
			in:   ExportSQL(ExportSpec{Table: orders, Dir: "s3://b/x/", Broker: map[string]string{"aws.s3.access_key": "AKIA1", "aws.s3.secret_key": `s3cr'et\`, "aws.s3.region": "eu"}}),
			want: "EXPORT TABLE `sales`.`orders` TO 's3://b/x/' PROPERTIES ('column_separator' = '\\\\x01', 'line_delimiter' = '\\\\x02', 'timeout' = '1', 'include_query_id' = 'true') WITH BROKER ('aws.s3.access_key' = '***', 'aws.s3.region' = 'eu', 'aws.s3.secret_key' = '***')",
		},
		"double quotes and spacing": {
			in:   `LOAD LABEL l (DATA INFILE("s3://x")) WITH BROKER ("aws.s3.secret_key"="a\"b",  "aws.s3.access_key"  =  "k")`,
			want: `LOAD LABEL l (DATA INFILE("s3://x")) WITH BROKER ("aws.s3.secret_key"="***",  "aws.s3.access_key"  =  "***")`,
		},
		"doubled quote inside the secret": {
			in:   `FILES('aws.s3.secret_key' = 'a''b', 'path' = 'p')`,
			want: `FILES('aws.s3.secret_key' = '***', 'path' = 'p')`,
		},
		"other credential names": {
			in:   `('fs.s3a.secret.key' = 'x', 'password' = 'y', 'aws.s3.session_token' = 'z', 'aws.s3.endpoint' = 'http://m')`,
			want: `('fs.s3a.secret.key' = '***', 'password' = '***', 'aws.s3.session_token' = '***', 'aws.s3.endpoint' = 'http://m')`,
		},
		"key name as a value is left alone": {
			in:   `SELECT 'aws.s3.secret_key', 'x'`,
			want: `SELECT 'aws.s3.secret_key', 'x'`,
		},
		"backquoted name with a quote": {
			in:   "SELECT `it's` FROM t WHERE a = 'aws.s3.secret_key' AND b = 'v'",
			want: "SELECT `it's` FROM t WHERE a = 'aws.s3.secret_key' AND b = 'v'",
		},
		"nothing to redact": {in: "SHOW LOAD FROM `d`", want: "SHOW LOAD FROM `d`"},
		"unterminated":      {in: `('aws.s3.secret_key' = 'abc`, want: `('aws.s3.secret_key' = '***'`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := RedactSQL(tc.in); got != tc.want {
				t.Errorf("RedactSQL\n got  %s\n want %s", got, tc.want)
			}
		})
	}
}

func TestRedactError(t *testing.T) {
	t.Parallel()
	secret := "VeryS3cret"
	me := &mysql.MySQLError{Number: 1064, Message: "Getting syntax error near 'aws.s3.secret_key' = '" + secret + "' and " + secret}
	got := redactError(fmt.Errorf("wrapped: %w", me), []string{secret})
	if strings.Contains(got.Error(), secret) {
		t.Errorf("secret left in %q", got.Error())
	}
	var out *mysql.MySQLError
	if !errors.As(got, &out) || out.Number != 1064 {
		t.Errorf("redacted error lost its *mysql.MySQLError: %#v", got)
	}
	if me.Message == out.Message {
		t.Error("the original error was modified in place or not redacted")
	}

	plain := redactError(fmt.Errorf("dial: token %s: %w", secret, errBase), []string{secret})
	if strings.Contains(plain.Error(), secret) || !errors.Is(plain, errBase) {
		t.Errorf("plain error: %q, Is(errBase) = %v", plain, errors.Is(plain, errBase))
	}
	if clean := errors.New("nothing secret"); redactError(clean, []string{secret}) != clean {
		t.Error("an error without secrets was replaced")
	}
}

var errBase = errors.New("base")

func TestStmtText(t *testing.T) {
	t.Parallel()
	files := make([]string, 50)
	for i := range files {
		files[i] = fmt.Sprintf("s3://bucket/some/long/prefix/file-%03d.csv", i)
	}
	long := BrokerLoadSQL(LoadSpec{Table: orders, Files: files, Columns: []string{"id"}, Label: "l",
		Properties: map[string]string{"aws.s3.secret_key": "S3CR3T-VALUE"}})
	got := stmtText(long)
	if len(got) != maxStmtText+len("...") || !strings.HasSuffix(got, "...") || !strings.HasPrefix(got, "LOAD LABEL `sales`.`l`") {
		t.Errorf("stmtText of a %d-byte statement = %q", len(long), got)
	}
	short := "SET query_timeout = 5"
	if stmtText(short) != short {
		t.Errorf("stmtText changed a short statement: %q", stmtText(short))
	}
	if strings.Contains(stmtText(long[len(long)-200:]), "S3CR3T") {
		t.Error("secret left in the statement text")
	}
}
